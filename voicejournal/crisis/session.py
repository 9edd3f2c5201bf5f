"""Session context: repeated concern escalates, and after a risk event the session stays supportive."""

from __future__ import annotations

from dataclasses import replace

from voicejournal.crisis.screen import CrisisScreen
from voicejournal.types import Level, ScreenResult

_OWN_SAFETY = frozenset({"suicide", "self_harm"})


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
        result = self._escalate(self._screen.screen(text, in_concern))
        if floor is not None and floor.level > result.level:
            result = floor
        self._history.append(result)
        if result.level >= Level.RISK:
            self._supportive = True
        return result

    def _escalate(self, result: ScreenResult) -> ScreenResult:
        """A second concern in the same family this session becomes risk: repeated signs add up."""
        if result.level != Level.CONCERN:
            return result
        earlier = [r for r in self._history if r.level >= Level.CONCERN and _same_family(r.category, result.category)]
        if not earlier:
            return result
        return replace(result, level=Level.RISK, reasons=("repeated_concern",) + result.reasons)
