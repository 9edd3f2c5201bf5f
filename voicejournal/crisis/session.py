"""Session context: repeated concern escalates, and after a risk event the session stays supportive."""

from __future__ import annotations

import re
from dataclasses import replace

from voicejournal.crisis.normalize import normalize
from voicejournal.crisis.screen import CrisisScreen
from voicejournal.types import Level, ScreenResult

_OWN_SAFETY = frozenset({"suicide", "self_harm"})
_DONE_OR_LEAVING = re.compile(
    r"^(?:(?:so|well|ok|okay|now|and|yeah)\s+)*(?:"
    r"i(?:ve| have)? (?:done|did) it|its (?:done|happening|over)|it is (?:done|happening|over)|done it"
    r"|i (?:took|swallowed) (?:them|it|the lot|all of (?:them|it))(?: all)?"
    r"|i(?:m| am) (?:doing it|gone|leaving now)|i(?:ll| will) be gone|i wont be (?:here|around)"
    r")(?:\s+(?:now|already|then|tonight|for good))*[\s.!]*$")
"""A bare "I've done it", "it's done", "I'm gone", "I won't be here": alone nothing (it may be the washing
up); after this session has shown concern for the person's own safety, an act or a goodbye to ask about."""


def _done_or_leaving(text: str) -> bool:
    return _DONE_OR_LEAVING.match(" ".join(re.sub(r"[,;:]", " ", normalize(text)).split())) is not None


def _same_family(a: str, b: str) -> bool:
    """Concerns about the person's own safety count together; other categories only with themselves."""
    return a == b or (a in _OWN_SAFETY and b in _OWN_SAFETY)


def trigger_of(result: ScreenResult) -> str:
    """What set the event off, as stored in crisis_events.trigger (rule names, never the person's words)."""
    return ",".join(result.reasons) or result.level.value


class SessionGuard:
    """One per conversation: remembers earlier levels so a pattern across turns is not missed."""

    def __init__(self, screen: CrisisScreen) -> None:
        self._screen = screen
        self._history: list[ScreenResult] = []
        self._supportive = False

    @property
    def supportive(self) -> bool:
        """True after a risk or imminent event in this session: the companion stays in supportive mode."""
        return self._supportive

    @property
    def history(self) -> tuple[ScreenResult, ...]:
        """Every result this session, in order."""
        return tuple(self._history)

    def check(self, text: str, replaces_last: bool = False) -> ScreenResult:
        """Screen one utterance and apply the session's context.

        replaces_last: the text is the last utterance with more words added (the person went on
        after the turn ended), so it replaces that result instead of counting as a repeat; the
        level never drops below what the shorter text already showed.
        """
        in_concern = any(r.level >= Level.CONCERN for r in self._history)
        floor = None
        if replaces_last and self._history:
            floor = self._history.pop()
        result = self._escalate(self._screen.screen(text, in_concern), text)
        if floor is not None and floor.level > result.level:
            result = floor
        self._history.append(result)
        if result.level >= Level.RISK:
            self._supportive = True
        return result

    def _escalate(self, result: ScreenResult, text: str = "") -> ScreenResult:
        """A second concern in the same family this session becomes risk: repeated signs add up; and
        after a sign of concern for one's own safety, a bare statement of an act done or of leaving is risk."""
        own = [r for r in self._history if r.level >= Level.CONCERN and r.category in _OWN_SAFETY]
        if result.level < Level.RISK and own and _done_or_leaving(text):
            return ScreenResult(Level.RISK, own[-1].category, ("act_after_concern",) + result.reasons)
        if result.level != Level.CONCERN:
            return result
        earlier = [r for r in self._history if r.level >= Level.CONCERN and _same_family(r.category, result.category)]
        if not earlier:
            return result
        return replace(result, level=Level.RISK, reasons=("repeated_concern",) + result.reasons)
