"""Combine the pattern screen with the learned layer: the higher level wins, with three exceptions.

- A weak learned positive (P(>=concern) < VETO_MAX_P) yields to a precise benign guard (resolved history, a media
  frame, an accident, someone else's struggle, a clearing denial). With the shipped cut-offs (0.86) this bites on
  positives between 0.86 and 0.90 and on those raised by the imminent-mass rule, which can sit far lower.
- A pattern hit yields to a sure learned negative (learned_veto, the card's pattern_veto_p).
- A split P(imminent) is at least risk (with_imminent_mass, the card's imminent_mass).
Short turns the learned layer does not judge alone: bare ratings and commands (product_phrase), bare fragments.
The learned layer is the fine-tuned MiniLM (finetuned.py) when shipped, else the frozen head (semantic.py), whose
card has neither value, so for it the last two exceptions are off.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from voicejournal.crisis import guards
from voicejournal.crisis.normalize import normalize
from voicejournal.crisis.semantic import SemanticScore
from voicejournal.types import Level, ScreenResult

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


FUNCTION_WORDS = frozenset("""
i me my mine myself you your yours we us our it its itself this that these those there here he him his she her
they them their one a an the some any all both each every no not none nothing something anything everything
and or but so then if than as because though
of to in on at by for from with without about after before over under through into onto out off up down around
across along against between behind beyond during since until till upon within toward towards again back away
am is are was were be been being have has had having do does did done doing will would shall should can could
may might must get gets got getting go goes going went gone gonna wanna gotta let lets
im ill ive id thats theres whats youre theyre hes shes dont doesnt didnt wont wouldnt
cant couldnt shouldnt isnt wasnt arent werent havent hasnt
just also too still even only very really quite maybe well like yeah yes yep no nope ok okay oh um uh er erm hmm mm
what which who whom whose when where why how
""".split())
"""Closed-class English words (and fillers, light verbs, contractions as normalize spells them: "ill" is "i'll"):
an utterance made only of these has no topic of its own.
Time words (now, tonight, today) are left out on purpose: "I am doing it now" is judged as usual."""


@lru_cache(maxsize=8192)
def words_of(raw: str) -> tuple[str, ...]:
    """The utterance's words as normalize spells them (no apostrophes: "i'll" is "ill"), for the counts below."""
    return tuple(re.findall(r"[a-z]+", normalize(raw)))


FOREIGN_MAX_SHARE = 0.15


@lru_cache(maxsize=8192)
def mostly_foreign(raw: str) -> bool:
    """True when under FOREIGN_MAX_SHARE of the words are English closed-class words (FUNCTION_WORDS).

    English utterances of the dev set run at 56 % function words (median; lowest 18 %, 10th percentile 42 %),
    so an utterance this far below is in another language (or a bare list of words), where the English-only
    learned layer has nothing sure to say.
    """
    words = words_of(raw)
    return bool(words) and sum(w in FUNCTION_WORDS for w in words) < FOREIGN_MAX_SHARE * len(words)


FIRST_PERSON = frozenset("i me my mine myself we us our im ill ive id".split())


@lru_cache(maxsize=8192)
def bare_fragment(raw: str) -> bool:
    """True for an utterance of function words that says nothing about the speaker ("after it.", "do it").

    Such a turn is the cut-off end of a sentence (the turn ended at a pause, or the start was said
    over a reply) or a bare reply ("that's it"). No labelled crisis item in the development or
    training data is one (the shortest all name something: "ctb", "pills", "the rope"), but the
    learned layer, judging it without its context, called "after it." imminent. Alone it is judged
    by the patterns; once the session has shown concern it may refer back to it ("it's done"), and
    the learned layer judges it as usual (SessionGuard passes that context). Statements about
    oneself ("I won't be here", "I've done it") are always judged by both layers.
    """
    words = words_of(raw)
    return bool(words) and all(w in FUNCTION_WORDS and w not in FIRST_PERSON for w in words)


CODED = re.compile(
    r"\b(?:kms|kys|ctb|catch(?:ing)? the bus|unaliv\w*|self ?delet\w*|yeet(?:ing)? (?:myself|me)|sewer ?slide|sui"
    r"|sh|barcod\w*|thinspo\w*|cat scratch\w*|permanent nap|forever nap)\b")
"""Coded words for suicide and self-harm (../shared/crisis/README.md's `coded` tag, plus close variants)."""


@lru_cache(maxsize=8192)
def coded_language(raw: str) -> bool:
    """True when the utterance uses coded suicide or self-harm words: the patterns know them better than the model."""
    return bool(CODED.search(raw.lower().replace("'", "").replace("-", " ")))


PASSIVE_WISH = frozenset({"passive_no_wake", "passive_not_exist", "passive_disappear", "better_off_without", "burden",
                          "hopeless", "hopeless_word"})
"""Rules for passive death wishes and hopelessness: often said in soft or sideways words ("a nap I never wake up
from") that the model reads as ordinary, so its confidence does not clear them."""


@lru_cache(maxsize=8192)
def gives_a_rating(raw: str) -> bool:
    """True when the utterance contains a mood rating ("about a two, ..."): the model learned from thousands of
    rating answers that such utterances are ordinary, so its confidence there says little about the rest."""
    from voicejournal.journal.mood_parse import parse_mood

    reading = parse_mood(raw)
    return reading is not None and reading.score is not None


def learned_veto(raw: str, pattern: ScreenResult, sem: SemanticScore | None, in_concern: bool) -> bool:
    """True when the learned layer is sure enough that a pattern hit is ordinary speech to clear it.

    Never for coded language, a passive wish or hopelessness, an utterance with a mood rating, an utterance
    that is mostly not English (the model is English-only: "chce umrzec" scores 0.003), nor once the session has
    shown concern (a flagged word may then refer back).
    """
    return (sem is not None and pattern.level > Level.NONE and sem.level == Level.NONE
            and sem.p_concern < sem.combination.pattern_veto_p and not in_concern and not PASSIVE_WISH & set(pattern.reasons)
            and not coded_language(raw) and not gives_a_rating(raw) and not mostly_foreign(raw))


MIN_CONTENT_WORDS = 2
"""Below this many content words ("I've done it.", "I won't be here.", "I took them all.") the learned layer has
nothing to go on: its spread there is not an emergency heard, so the imminent-mass rule does not act on it, and alone
its level is capped at concern (a check-in). After a sign of concern the session guard judges such a turn in context.
Of about 13,000 labelled items (dev, training files, report sets A-S) 8 crisis items are this short, none imminent."""


def content_words(raw: str) -> int:
    """How many words are not closed-class (FUNCTION_WORDS)."""
    return sum(w not in FUNCTION_WORDS for w in words_of(raw))


def with_imminent_mass(raw: str, sem: SemanticScore | None) -> SemanticScore | None:
    """The learned score raised to risk when its P(imminent) reaches the card's imminent_mass and the utterance
    says enough (MIN_CONTENT_WORDS)."""
    if sem is None or sem.level >= Level.RISK or sem.p_imminent < sem.combination.imminent_mass:
        return sem
    if content_words(raw) < MIN_CONTENT_WORDS:
        return sem
    return replace(sem, level=Level.RISK, category=sem.likely_category)


def capped_when_content_free(raw: str, sem: SemanticScore | None, in_concern: bool) -> SemanticScore | None:
    """The learned score capped at concern when the utterance has under MIN_CONTENT_WORDS and the session has shown
    no concern: alone, a content-free statement is at most a check-in."""
    if sem is None or in_concern or sem.level <= Level.CONCERN or content_words(raw) >= MIN_CONTENT_WORDS:
        return sem
    return replace(sem, level=Level.CONCERN)


def combine(raw: str, pattern: ScreenResult, sem: SemanticScore | None, in_concern: bool = False) -> ScreenResult:
    """max(pattern level, learned level); a weak learned positive yields to a precise benign guard, and a pattern
    hit yields to a sure learned negative (learned_veto).

    in_concern: the session has already shown a sign of concern (see bare_fragment and MIN_CONTENT_WORDS).
    """
    sem = capped_when_content_free(raw, with_imminent_mass(raw, sem), in_concern)
    if learned_veto(raw, pattern, sem, in_concern):
        from voicejournal.crisis.screen import _about_someone_else

        other = _about_someone_else(guards.neutralise_idioms(normalize(raw)))
        return ScreenResult(Level.NONE, reasons=("cleared_by_learned_layer",) + pattern.reasons, support_other=other)
    if sem is None or sem.level <= pattern.level:
        return pattern
    if product_phrase(raw) or (not in_concern and bare_fragment(raw)):
        return pattern
    if sem.p_concern < VETO_MAX_P and benign_frame(raw):
        return pattern
    category = sem.category if sem.category != "none" else (pattern.category if pattern.category != "none" else "suicide")
    return ScreenResult(sem.level, category, ("semantic",) + pattern.reasons)
