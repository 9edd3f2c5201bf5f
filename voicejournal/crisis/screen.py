"""The utterance screen: normalise, neutralise idioms, match rules, apply guards, combine signals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from voicejournal.crisis import guards
from voicejournal.crisis.lexicon import Rule
from voicejournal.crisis.normalize import normalize
from voicejournal.crisis.rules_other import ABUSE, HARM_OTHERS, MEDICAL, PSYCHOSIS
from voicejournal.crisis.rules_self import MODIFIERS, SELF_HARM, SUICIDE
from voicejournal.types import Level, ReplyVerdict, ScreenResult

CRISIS_RULES: tuple[Rule, ...] = SUICIDE + SELF_HARM + HARM_OTHERS + ABUSE + MEDICAL + PSYCHOSIS
PRIORITY = ("suicide", "self_harm", "harm_to_others", "abuse_danger", "psychosis", "medical")
"""Tie-break between categories at the same level: the resource shown follows this order."""

_LETHAL = re.compile(r"\b(?:pills|tablets|rifle|gun|rope|blades?|razors?|prescription|pastillas|cachets)\b")
_STRONG_ACT = re.compile(r"\b(?:swallowed|took|taken)\b[^.!?]{0,40}\b(?:all|whole|bunch|handful|every)\b[^.!?]{0,30}\b(?:pills|tablets|meds|them)\b")
_URGE_NOW = re.compile(r"\b(?:right now|so strong|shaking|cant stop|so loud right now)\b")
_JOKE = re.compile(r"\b(?:lol|lmao|jk|just kidding|haha+|joking)\b")
_NOT_JOKE = re.compile(r"\b(?:not (?:joking|kidding|a joke)|fr|for real|seriously|no joke|not an expression|not really a joke)\b")
_CODED = re.compile(r"kms|unalive (?:him|her|them|my \w+)|(?:gonna|going to) (?:kill|unalive) (?:him|her|them|my \w+)")
_TRIVIAL = re.compile(r"\b(?:spreadsheet|formula|homework|exam|meeting|emails?|traffic|queue|milk|leftovers|work|boss|printer|wifi|code|bug|assignment)\b")


@dataclass(frozen=True)
class Hit:
    """One rule that matched, after guards."""

    rule: Rule
    start: int
    end: int


def _matches(text: str, rules: tuple[Rule, ...]) -> list[Hit]:
    """Every match of every rule, guarded for denial, attribution and third parties."""
    hits: list[Hit] = []
    for rule in rules:
        pos = 0
        while (m := rule.pattern.search(text, pos)) is not None:
            if not _guarded(text, rule, m):
                hits.append(Hit(rule, m.start(), m.end()))
                break
            pos = m.start() + 1
    return hits


def _guarded(text: str, rule: Rule, m: re.Match[str]) -> bool:
    """True when a denial (also a question answered no), someone else's belief, or someone else as subject
    explains the match away."""
    if rule.negatable and (guards.is_negated(text, m.start()) or guards.is_denied_question(text, m.start(), m.end())
                           or guards.is_answered_no(text, m.end())):
        return True
    if guards.is_attributed(text, m.start(), m.end()):
        return True
    return rule.self_only and guards.is_about_other(text, m.start(), m.group(0))


def _about_someone_else(text: str) -> bool:
    """Crisis content whose subject is someone else (not acute): show 'supporting someone' resources."""
    if guards.mentions_other_struggle(text):
        return True
    for rule in CRISIS_RULES:
        if rule.self_only and rule.level >= Level.CONCERN:
            m = rule.pattern.search(text)
            if m and guards.is_about_other(text, m.start(), m.group(0)):
                return True
    return False


def _is_joke(text: str, hits: list[Hit]) -> bool:
    """'lol kms this spreadsheet': crisis slang marked as a joke, with nothing else of concern."""
    if not _JOKE.search(text) or _NOT_JOKE.search(text) or not hits:
        return False
    coded_only = all(_CODED.fullmatch(text[h.start:h.end]) for h in hits)
    return coded_only or bool(_TRIVIAL.search(text) and all(h.rule.level <= Level.RISK for h in hits))


def _drop_benign(text: str, hits: list[Hit]) -> list[Hit]:
    """Remove hits that a whole-utterance context explains away."""
    if guards.is_resolved_history(text):
        return []
    if _is_joke(text, hits):
        return []
    if guards.is_accidental(text):
        hits = [h for h in hits if h.rule.category != "self_harm" or "on purpose" in text]
    if guards.has_media_frame(text) and not guards._FIRST.search(text):
        return []
    return hits


def _escalate(text: str, hits: list[Hit], mods: set[str]) -> tuple[Level, str, str] | None:
    """Combine signals: intent, means, preparation and time turn ideation into an emergency."""
    cats = {h.rule.category for h in hits}
    names = {h.rule.name for h in hits}
    own = cats & {"suicide", "self_harm"}
    cat = "self_harm" if "self_harm" in cats and "suicide" not in cats else "suicide"
    if _STRONG_ACT.search(text) or "act_underway" in mods and (own or "prep" in mods or "intent" in mods):
        return Level.IMMINENT, cat, "act_underway"
    if "act_underway" in mods and "disclosure" in mods:
        return Level.IMMINENT, cat, "act_disclosed"
    if "act_underway" in mods and re.search(r"\b(?:tracks|next train|edge|ledge|try again|didnt work)\b", text):
        return Level.IMMINENT, "suicide", "act_underway"
    if "prep" in mods and (own or "intent" in mods or "means_have" in mods or _prep_alone(text)):
        return Level.IMMINENT, cat, "preparation"
    if "intent" in mods and (own or "means_have" in mods) and ("time" in mods or "means_have" in mods or own):
        return Level.IMMINENT, cat, "intent"
    if "means_have" in mods and (names & {"suicidal_thoughts", "method_seeking", "sh_intent", "want_die"}):
        return Level.IMMINENT, cat, "means_at_hand"
    if "means_have" in mods and "time" in mods and _LETHAL.search(text):
        return Level.IMMINENT, "suicide", "means_and_time"
    if "time" in mods and names & {"sh_intent"} or ("time" in mods and "suicidal_thoughts" in names and "intent" in mods):
        return Level.IMMINENT, cat, "intent_with_time"
    if own and re.search(r"\b(?:want to|wanna|going to|gonna|about to|will)\s+(?:kill myself|end my life|take my (?:own )?life|unalive myself)\s+(?:tonight|today|this (?:evening|weekend)|tomorrow|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b", text):
        return Level.IMMINENT, cat, "intent_with_time"
    if "time" in mods and re.search(r"\b(?:going to|gonna|about to|will)\b[^.!?]{0,20}\b(?:kill myself|end my life|unalive myself|ctb|do it)\b", text) and own:
        return Level.IMMINENT, cat, "intent_with_time"
    if names & {"hto_wish", "hto_act"} and ("time" in mods and re.search(r"\b(?:going to|gonna|will)\b", text)
                                          or re.search(r"\b(?:knife|gun|rifle|crowbar|hammer|machete|axe)\b", text)):
        return Level.IMMINENT, "harm_to_others", "target_and_means"
    if "method_thought" in mods and "suicide" in cats:
        return Level.RISK, "suicide", "ideation_with_method_thought"
    if "sh_urge" in names and _URGE_NOW.search(text):
        return Level.RISK, "self_harm", "strong_urge_now"
    if "psy_distress" in names and re.search(r"\b(?:have to|must|need to|has to)\b", text) \
            and re.search(r"\b(?:got|have|holding|with) (?:the |a |my )?(?:knife|blade|lighter|petrol|keys|gun)\b|\b(?:now|tonight)\b", text):
        return Level.IMMINENT, "psychosis", "command_voice_with_means"
    if "psy_distress" in names and re.search(r"\b(?:hurt myself|kill|knife|fire|burn|cut)\b", text):
        return Level.RISK, "psychosis", "command_voice"
    return None


def _prep_alone(text: str) -> bool:
    """Preparations that speak for themselves: goodbyes, arranging to be found, leaving for good."""
    return bool(re.search(r"\b(?:goodbye|last entry|final entry|last message|final message|thank you for everything|listening all this time|finds me|find me|door unlocked|be gone before|going to be gone|not coming back|too late|picked the day|chosen the day)\b", text))


@lru_cache(maxsize=4096)
def screen_text(raw: str, in_concern: bool = False) -> ScreenResult:
    """Screen one utterance with patterns and the learned layer: pure, deterministic and cached.

    in_concern: this session has already shown a sign of concern (a bare "I will do it" may refer to it).
    """
    from voicejournal.crisis.combine import combine
    from voicejournal.crisis.semantic import semantic_score

    return combine(raw, pattern_screen(raw), semantic_score(raw), in_concern)


@lru_cache(maxsize=4096)
def pattern_screen(raw: str) -> ScreenResult:
    """Screen one utterance with the patterns alone: pure, deterministic and cached."""
    text = guards.neutralise_idioms(normalize(raw))
    if not text.strip(" _"):
        return ScreenResult(Level.NONE)
    hits = _drop_benign(text, _matches(text, CRISIS_RULES))
    resolved = guards.is_resolved_history(text)
    mods = set() if resolved else {h.rule.name for h in _matches(text, MODIFIERS)}
    best: tuple[Level, str, str] | None = None
    for h in hits:
        cand = (h.rule.level, h.rule.category, h.rule.name)
        if best is None or _outranks(cand, best):
            best = cand
    combo = _escalate(text, hits, mods) if not resolved and not _is_joke(text, hits) else None
    if combo and (best is None or combo[0] > best[0]):
        best = combo
    if best is None:
        return ScreenResult(Level.NONE, support_other=_about_someone_else(text))
    level, category, _ = best
    reasons = tuple(dict.fromkeys([best[2]] + [h.rule.name for h in hits] + sorted(mods)))
    if category in {"medical", "abuse_danger"} and level == Level.IMMINENT and guards._THIRD.search(text) \
            and not re.search(r"\b(?:me|my (?:lips|breath|chest|heart|leg|arm|head))\b", text):
        reasons = ("third_party_acute",) + reasons
    return ScreenResult(level, category, reasons)


def _outranks(a: tuple[Level, str, str], b: tuple[Level, str, str]) -> bool:
    """Higher level wins; at equal level the category earlier in PRIORITY wins."""
    if a[0] != b[0]:
        return a[0] > b[0]
    return PRIORITY.index(a[1]) < PRIORITY.index(b[1])


class CrisisScreen:
    """The crisis screen for user utterances and companion replies: CPU only, deterministic, offline."""

    def screen(self, text: str, in_concern: bool = False) -> ScreenResult:
        """Screen one user utterance (in_concern: the session has already shown a sign of concern)."""
        return screen_text(text if isinstance(text, str) else str(text), in_concern)

    def screen_reply(self, text: str) -> ReplyVerdict:
        """Screen one companion reply before it is spoken."""
        from voicejournal.crisis.replies import screen_reply

        return screen_reply(text if isinstance(text, str) else str(text))
