"""The live session in the terminal: one state line with a level meter, the transcript, keys.

On a terminal the state line is a rich Live region refreshed from the main loop (no refresh
thread); elsewhere (pipes, tests) state changes are printed as plain lines.
"""

from __future__ import annotations

import enum
import os
import select
import sys
import time
from contextlib import contextmanager
from typing import Callable, Iterator

from rich.console import Console
from rich.live import Live
from rich.text import Text

from voicejournal.audio import rms_dbfs
from voicejournal.conversation import TurnRecord
from voicejournal.types import Level, ReplySource, ScreenResult, Transcript
from voicejournal.ui import DISCLOSURE

import numpy as np


class State(str, enum.Enum):
    """What the companion is doing, as the person sees it."""

    LISTENING = "listening"
    HEARING = "hearing you"
    THINKING = "thinking"
    SPEAKING = "speaking"
    PAUSED = "paused"


_STYLE = {State.LISTENING: "green", State.HEARING: "bold cyan", State.THINKING: "yellow",
          State.SPEAKING: "magenta", State.PAUSED: "dim"}
KEYS_HINT = "space: pause/resume · q: end session · Ctrl-C: end"
METER_WIDTH = 24
REFRESH_S = 0.1


def meter(dbfs: float, width: int = METER_WIDTH) -> str:
    """A bar for a level from -60 dBFS (empty) to 0 dBFS (full)."""
    filled = int(round(max(0.0, min(1.0, (dbfs + 60) / 60)) * width))
    return "█" * filled + "·" * (width - filled)


class LiveView:
    """The state line, meter and transcript; cheap to call on every audio block."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.state = State.LISTENING
        self.level = -120.0
        self.turns = 0
        self._live: Live | None = None
        self._drawn = 0.0

    @contextmanager
    def shown(self) -> Iterator["LiveView"]:
        self.console.print(f"[dim]{DISCLOSURE}[/]")
        if self.console.is_terminal:
            self.console.print(f"[dim]{KEYS_HINT}[/]")
            with Live(self._line(), console=self.console, auto_refresh=False, transient=True) as live:
                self._live = live
                try:
                    yield self
                finally:
                    self._live = None
        else:
            yield self

    def _line(self) -> Text:
        style = _STYLE[self.state]
        line = Text.assemble((f"● {self.state.value:<12}", style), "  mic ", (meter(self.level), "cyan"),
                             f"  {self.level:6.1f} dBFS  turns {self.turns}")
        return line

    def set_state(self, state: State) -> None:
        if state == self.state:
            return
        self.state = state
        if self._live is None:
            self.console.print(f"[dim]… {state.value}[/]")
        self.refresh(force=True)

    def show_level(self, block: np.ndarray) -> None:
        if len(block):
            self.level = rms_dbfs(block)
        self.refresh()

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if self._live is not None and (force or now - self._drawn >= REFRESH_S):
            self._live.update(self._line(), refresh=True)
            self._drawn = now

    def note(self, message: str) -> None:
        self.console.print(message)


class LiveReporter:
    """Prints the transcript and reply as they happen; tells the player each sentence's text."""

    def __init__(self, view: LiveView, on_sentence: Callable[[str], None] | None = None) -> None:
        self.view = view
        self.on_sentence = on_sentence

    def heard(self, transcript: Transcript, screen: ScreenResult) -> None:
        flag = "" if screen.level == Level.NONE else f"  [yellow]({screen.level.value}: {screen.category})[/]"
        self.view.console.print(f"[bold cyan]You:[/] {transcript.text}{flag}")

    def said(self, sentence: str, source: ReplySource) -> None:
        label = "Companion (safety)" if source == ReplySource.CRISIS else "Companion"
        self.view.console.print(f"[bold green]{label}:[/] {sentence}")
        if self.on_sentence is not None:
            self.on_sentence(sentence)
        self.view.set_state(State.SPEAKING)

    def turn_done(self, turn: TurnRecord) -> None:
        self.view.turns += 1
        lat = turn.latency_ms
        bits = [f"{k} {lat[k]:.0f} ms" for k in ("end_of_turn", "asr", "llm_first_token", "to_first_sample")
                if k in lat]
        self.view.console.print(f"[dim]  turn {turn.turn_id}: {', '.join(bits)}[/]")


class Keys:
    """Single key presses from a terminal (cbreak mode, so Ctrl-C still signals); none elsewhere."""

    def __init__(self) -> None:
        self._fd: int | None = None
        self._saved: list | None = None

    @contextmanager
    def reading(self) -> Iterator["Keys"]:
        if not sys.stdin.isatty():
            yield self
            return
        import termios
        import tty

        self._fd = sys.stdin.fileno()
        self._saved = termios.tcgetattr(self._fd)
        tty.setcbreak(self._fd)
        try:
            yield self
        finally:
            termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)
            self._fd = None

    def poll(self) -> str | None:
        """The key pressed since the last call, or None."""
        if self._fd is None:
            return None
        ready, _, _ = select.select([self._fd], [], [], 0)
        if not ready:
            return None
        return os.read(self._fd, 1).decode(errors="ignore") or None
