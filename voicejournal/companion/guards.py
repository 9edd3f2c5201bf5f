"""Checks that keep a small model's reply short, spoken and on topic."""

from __future__ import annotations

import re

_META = re.compile(
    r"\b(as an (ai|artificial intelligence)( language model)?|language model|i('m| am) (just )?a (computer )?program|"
    r"i cannot (browse|access)|openai|qwen|alibaba)\b",
    re.IGNORECASE,
)
_LIST = re.compile(r"(^|\n)\s*(\d+[.)]|[-*•])\s+")
_MARKUP = re.compile(r"[*_#`]+|\s*\([^)]*\)\s*$")

FALLBACKS = (
    "I'm here and listening. Tell me a little more about that.",
    "Thank you for sharing that with me. How are you feeling about it right now?",
    "That sounds like it matters to you. What stands out most when you think about it?",
)


def clean_sentence(sentence: str) -> str:
    """Strip markdown and stray whitespace a model may add."""
    return re.sub(r"\s+", " ", _MARKUP.sub("", sentence)).strip()


def sentence_problem(sentence: str, previous: list[str]) -> str | None:
    """Why a streamed sentence must not be spoken, or None if it is fine."""
    if _META.search(sentence):
        return "meta talk"
    if _LIST.search(sentence):
        return "advice list"
    if any(sentence.lower() == p.lower() for p in previous):
        return "repetition"
    return None


def fallback_for(turn_index: int) -> str:
    """A curated reply for when the model fails, so the person is never left in silence."""
    return FALLBACKS[turn_index % len(FALLBACKS)]
