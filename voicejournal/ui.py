"""Terminal presentation with rich: the conversation as it happens, and progress bars."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from voicejournal.conversation import TurnRecord
from voicejournal.types import Level, ReplySource, ScreenResult, Transcript

DISCLOSURE = (
    "I'm an AI companion, not a therapist or a person. I'm here to listen and help you reflect. "
    "If you are in danger, call your local emergency number."
)


class TerminalReporter:
    """Prints each turn: what was heard, what was answered, and where it came from."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=False, highlight=False)

    def heard(self, transcript: Transcript, screen: ScreenResult) -> None:
        flag = "" if screen.level == Level.NONE else f"  [yellow]({screen.level.value}: {screen.category})[/]"
        self.console.print(f"[bold cyan]You:[/] {escape(transcript.text)}{flag}")

    def said(self, sentence: str, source: ReplySource) -> None:
        label = {"llm": "Companion", "crisis": "Companion (safety)", "fallback": "Companion"}[source.value]
        self.console.print(f"[bold green]{label}:[/] {escape(sentence)}")

    def turn_done(self, turn: TurnRecord) -> None:
        lat = turn.latency_ms
        bits = [f"{k} {v:.0f} ms" for k, v in lat.items() if k in ("asr", "llm_first_token", "first_audio")]
        self.console.print(f"[dim]  turn {turn.turn_id}: {', '.join(bits)}[/]")


@contextmanager
def model_progress(console: Console | None = None) -> Iterator:
    """A progress callback (label, done, total) that draws one bar per model file."""
    progress = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                        TimeRemainingColumn(), console=console or Console(stderr=True), transient=True)
    tasks: dict[str, int] = {}

    def update(label: str, done: int, total: int) -> None:
        if label not in tasks:
            verb = "Assembling" if total > 1 else "Loading"
            tasks[label] = progress.add_task(f"{verb} {label}", total=total)
        progress.update(tasks[label], completed=done)

    with progress:
        yield update
