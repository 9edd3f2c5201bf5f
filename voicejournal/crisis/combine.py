"""Combine the pattern screen with the learned layer: the higher level wins, unless a precise benign guard vetoes a weak learned positive.

The learned layer is the fine-tuned MiniLM (finetuned.py) when shipped, else the frozen head (semantic.py).
With the fine-tuned layer's cut-offs (0.90 / 0.80 / 0.80, crisis_model.card.json) a learned positive already
has P(>=concern) >= VETO_MAX_P, so the guards do not veto it: on the held-out author split, raising the
veto ceiling cost imminent recall for about one hard negative. The veto still applies to the frozen fallback.
"""

from __future__ import annotations

from functools import lru_cache

from voicejournal.crisis import guards
from voicejournal.crisis.normalize import normalize
from voicejournal.crisis.semantic import SemanticScore
from voicejournal.types import ScreenResult

VETO_MAX_P = 0.90
"""A learned positive at or above this P(>=concern) is never vetoed by a benign guard."""


@lru_cache(maxsize=8192)
def benign_frame(raw: str) -> str:
    """The name of a precise whole-utterance benign guard that applies ('' when none does)."""
    text = guards.neutralise_idioms(normalize(raw))
    if guards.is_resolved_history(text):
        return "resolved_history"
    if guards.has_media_frame(text) and not guards._FIRST.search(text):
        return "media"
    if guards.is_accidental(text):
        return "accidental"
    from voicejournal.crisis.screen import CRISIS_RULES, _about_someone_else

    if _about_someone_else(text):
        return "third_party"
    for rule in CRISIS_RULES:
        m = rule.pattern.search(text)
        if m and rule.negatable and guards.is_negated(text, m.start()):
            return "negation"
    return ""


@lru_cache(maxsize=8192)
def product_phrase(raw: str) -> bool:
    """True for a whole utterance that is a spoken command ("forget that") or a bare mood rating ("about a six").

    The learned layer has seen nothing this short and ordinary and can score it high (the shipped
    model called "Delete that last bit." imminent); such an utterance carries no crisis content of
    its own, so only the patterns judge it. A rating with anything else said ("a two, I can't go
    on") is not bare and is screened as usual.
    """
    from voicejournal.companion.memory import is_forget_request
    from voicejournal.journal.mood_parse import parse_mood

    if is_forget_request(raw):
        return True
    if len(raw.split()) > 8:
        return False
    reading = parse_mood(raw)
    return reading is not None and reading.score is not None and not reading.tags and reading.note is None


def combine(raw: str, pattern: ScreenResult, sem: SemanticScore | None) -> ScreenResult:
    """max(pattern level, learned level); a weak learned positive yields to a precise benign guard."""
    if sem is None or sem.level <= pattern.level:
        return pattern
    if product_phrase(raw):
        return pattern
    if sem.p_concern < VETO_MAX_P and benign_frame(raw):
        return pattern
    category = sem.category if sem.category != "none" else (pattern.category if pattern.category != "none" else "suicide")
    return ScreenResult(sem.level, category, ("semantic",) + pattern.reasons)
