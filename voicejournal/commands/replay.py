"""`replay`: hear a session again, your own recorded voice interleaved with the companion's replies."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from voicejournal import app
from voicejournal.clicontext import settings_of
from voicejournal.errors import UserError
from voicejournal.journal import queries
from voicejournal.replay import KEYS_HINT, KeyReader, Part, needs_voice, play_replay, timeline, write_replay
from voicejournal.settings import Settings
from voicejournal.tts import Synthesizer


@click.command("replay")
@click.argument("ref", metavar="SESSION|DATE|last")
@click.option("--tts", is_flag=True, help="Speak the transcript of turns whose recording was not kept.")
@click.option("--to", "out", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the replay to this WAV file instead of playing it.")
@click.option("--output-device", metavar="DEVICE", help="Speaker: a number or part of a name from `voicejournal devices`.")
@click.pass_context
def replay_command(ctx: click.Context, ref: str, tts: bool, out: Path | None, output_device: str | None) -> None:
    """Replay a session: your own recorded voice for each turn, with the companion's replies spoken again.

    While playing (in a terminal): space pauses and resumes, n or → skips to the next turn, q quits.

    \b
    Examples:
      voicejournal replay last
      voicejournal replay 42 --to session42.wav
      voicejournal replay yesterday --tts
    """
    if out is not None and out.suffix.lower() != ".wav":
        raise UserError(f"--to writes a WAV file; give a name ending in .wav, e.g. `--to {out.stem or 'replay'}.wav`.")
    settings = settings_of(ctx)
    with app.open_journal(settings) as journal:
        parts = timeline(journal.conn, queries.resolve_sessions(journal.conn, ref), tts, journal.vault)
    voice = _voice(settings) if needs_voice(parts) else None
    err = Console(stderr=True, highlight=False)
    if out is not None:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err,
                      transient=True) as bar:
            task = bar.add_task("Rendering the replay", total=len(parts))

            def progress(part: Part, done: int, total: int) -> None:
                bar.update(task, completed=done, description=f"Rendering session {part.session_id}, turn {part.turn_idx}")

            seconds = write_replay(parts, voice, out, progress)
        turns = len({(p.session_id, p.turn_idx) for p in parts})
        err.print(f"Wrote {turns} turns ({int(seconds // 60)}:{int(seconds % 60):02d}) to {out}.")
        return
    _play(parts, voice, output_device, Console(highlight=False))


def _voice(settings: Settings) -> Synthesizer | None:
    """The companion's own voice, so replies sound as they did."""
    from voicejournal.ui import model_progress

    with model_progress() as progress:
        return app.load_engines(settings, progress, voice=True, asr=False, llm=False).synthesizer


def _play(parts: list[Part], voice: Synthesizer | None, output_device: str | None, console: Console) -> None:
    from voicejournal.live_ui import Keys
    from voicejournal.player import Player

    player = Player(output_device).open(voice.rate if voice is not None else 22050)
    keys = Keys()
    try:
        with keys.reading():
            if sys.stdin.isatty():
                console.print(f"[dim]{KEYS_HINT}[/]")
            ended = play_replay(parts, voice, player, KeyReader(keys.poll), lambda p: _show(console, p))
    finally:
        player.close()
    if ended == "quit":
        console.print("[dim]Replay stopped.[/]")


def _show(console: Console, part: Part) -> None:
    if part.who == "you":
        how = "" if part.audio_path else " [dim](spoken from the transcript)[/]"
        console.print(f"[bold cyan]You[/] [dim]· session {part.session_id}, turn {part.turn_idx}[/]{how}: "
                      f"{escape(part.text)}")
    else:
        console.print(f"[bold green]Companion:[/] {escape(part.text)}")
