"""Checks that keep a small model's reply short, spoken, honest and within a companion's role."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SENTENCE_CHARS = 200
"""A single spoken sentence longer than this is a lecture, not a reflection."""
MAX_REPLY_CHARS = 240
"""About 15 seconds of speech: later sentences are cut at a sentence boundary."""

_META = re.compile(
    r"\b(as an (ai|artificial intelligence|assistant)( language model)?|language model|i('m| am) (just |only )?an? "
    r"(ai|computer|program|bot|chatbot|assistant|virtual assistant)|i cannot (browse|access)|openai|qwen|alibaba|"
    r"system prompt|my (instructions|programming|training)|i was (programmed|trained)|journaling companion|"
    r"the (user|person)\b|assistant:|user:|chatbot|feel free to ask|if you have (any|more) questions|"
    r"how (can|may) i (help|assist)|further (guidance|assistance))",
    re.IGNORECASE,
)
_LIST = re.compile(r"(^|\n)\s*(\d+[.)]|[-*•])\s+")
_ADVICE = re.compile(
    r"\b(you (should|must|need to|ought to|have to)|i('d| would)? (recommend|suggest|advise)|here are|tips?\b|"
    r"make sure (to|you)|it'?s (important|essential|crucial) (to|that)|(don't|do not) forget to|remember to|"
    r"consider (talking|trying|seeking|reaching|speaking|getting|taking)|why not try|have you tried)",
    re.IGNORECASE,
)
_DIAGNOSIS = re.compile(
    r"\b(diagnos\w*|(symptoms?|signs?) of|disorder|syndrome|adhd|a\.d\.h\.d|bipolar|ptsd|ocd|autism|autistic|"
    r"borderline|schizo\w*|clinical(ly)? depress\w*|major depress\w*|you (may|might|could|probably) (have|be suffering))",
    re.IGNORECASE,
)
_MEDICATION = re.compile(
    r"\b(\d+\s?mg|milligrams?|dosage|doses?|ibuprofen|paracetamol|acetaminophen|aspirin|melatonin|sertraline|"
    r"prozac|xanax|zoloft|lexapro|ssris?|antidepressants?|benzodiazepines?|sleeping pills?|medications?|"
    r"medicines?|pills?|prescri\w+)\b",
    re.IGNORECASE,
)
_HUMAN = re.compile(
    r"\b(i('m| am) (a |an )?(human|real person|person|woman|man|therapist|counsel?lor|psychologist|doctor|friend "
    r"who)|as (a|your) (therapist|counsel?lor|psychologist|doctor)|in (our|this) therapy|our (therapy )?sessions?|"
    r"me too|i (also|too) (had|have|feel|felt|went|love)|when i was (young|a kid|little)|(happened|happens) to me|"
    r"i('ve| have) been there|i know (exactly )?how (you|it) feels?|"
    r"my (wife|husband|kids?|children|family|mom|dad|mother|father|job|boss|own day))\b",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"[*_#`]+|\s*\([^)]*\)\s*$|[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]")
_WORD = re.compile(r"[a-z']+")


@dataclass(frozen=True)
class Limits:
    """How much a reply may say; a turn that moves the reflection on says one statement only."""

    max_sentences: int = 2
    allow_question: bool = True


def clean_sentence(sentence: str) -> str:
    """Strip markdown, emoji and stray whitespace a model may add."""
    return re.sub(r"\s+", " ", _MARKUP.sub("", sentence)).strip().strip('"').strip()


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _similar(a: str, b: str, threshold: float) -> bool:
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    return len(wa & wb) / len(wa | wb) >= threshold


def echoes(sentence: str, user_text: str) -> bool:
    """True when a sentence mostly repeats the person's words back instead of reflecting them."""
    said, mine = _words(user_text), _words(sentence)
    return len(mine) >= 5 and len(mine & said) / len(mine) >= 0.8


def content_problem(text: str) -> str | None:
    """Why a text must never be spoken by the companion, whatever the context; None if fine."""
    for name, pattern in (("meta talk", _META), ("advice list", _LIST), ("advice", _ADVICE),
                          ("diagnosis", _DIAGNOSIS), ("medication", _MEDICATION), ("claims to be human", _HUMAN)):
        if pattern.search(text):
            return name
    return None


def sentence_problem(sentence: str, previous: list[str], user_text: str = "") -> str | None:
    """Why a streamed sentence must not be spoken, or None if it is fine."""
    problem = content_problem(sentence)
    if problem:
        return problem
    if not re.search(r"[a-z]{2}", sentence, re.IGNORECASE):
        return "advice list"  # a bare "1." split off a numbered list
    if len(sentence) > MAX_SENTENCE_CHARS:
        return "too long"
    if any(_similar(sentence, p, 0.75) or sentence.lower() in p.lower() for p in previous if p):
        return "repetition"
    if user_text and echoes(sentence, user_text):
        return "repeats the person"
    return None


INTERJECTION_WORDS = 3
"""'That's great!' or 'I hear you.' is an interjection, not one of the reply's sentences."""


def counted(spoken: list[str]) -> int:
    """How many real sentences a reply has so far (interjections do not count)."""
    return sum(len(s.split()) > INTERJECTION_WORDS and not s.rstrip().endswith((",", ";", ":", "—", "–"))
               for s in spoken)  # a first clause spoken early is part of the next sentence


def over_length(spoken: list[str], sentence: str, limits: Limits) -> bool:
    """True when adding this sentence would make the reply too long to listen to."""
    if counted(spoken) >= limits.max_sentences:
        return True
    return bool(spoken) and len(" ".join([*spoken, sentence])) > MAX_REPLY_CHARS
