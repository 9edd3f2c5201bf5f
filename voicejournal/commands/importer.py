"""`import`: voice memos recorded elsewhere, transcribed into the journal as fast as the CPU allows."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from voicejournal import models
from voicejournal.app import open_journal, segmenter_for
from voicejournal.asr import WhisperTranscriber
from voicejournal.audio import stream_file
from voicejournal.clicontext import settings_of
from voicejournal.crisis import CrisisScreen
from voicejournal.errors import AudioError
from voicejournal.journal.mood_parse import mood_in_conversation
from voicejournal.private import private_dir
from voicejournal.types import Level
from voicejournal.vad import segment


def _duration_s(path: Path) -> float:
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            if stream.duration and stream.time_base:
                return float(stream.duration * stream.time_base)
            return float(container.duration or 0) / 1e6
    except (av.error.FFmpegError, IndexError):
        return 0.0


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def import_command(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Transcribe voice memos (WAV, FLAC, MP3, M4A, OGG) into the journal, one session per file.

    Every utterance is screened for crisis like a spoken turn (flags are logged, nothing is
    spoken back), moods said aloud are captured, and the audio is kept unless keep_audio is off.

    \b
    Examples:
      voicejournal import memo1.m4a memo2.mp3
      voicejournal import ~/Recordings/*.wav
    """
    settings = settings_of(ctx)
    console = Console(highlight=False, stderr=True)
    total_audio = sum(_duration_s(f) for f in files if f.is_file())
    transcriber = WhisperTranscriber(models.resolve("asr", settings.asr.model, settings.cache_dir), settings.asr)
    screen = CrisisScreen()
    failed: list[str] = []
    done_audio = 0.0
    t0 = time.perf_counter()
    with open_journal(settings) as journal, Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(), console=console,
    ) as progress:
        task = progress.add_task("Importing", total=max(total_audio, 1.0))
        for path in files:
            progress.update(task, description=f"Importing {path.name}")
            try:
                blocks = stream_file(path)
                first = next(blocks)
            except (AudioError, StopIteration) as exc:
                failed.append(f"{path}: {exc}")
                continue
            sid = journal.start_session("import", {"input": str(path)})
            turns = 0

            def stream():  # type: ignore[no-untyped-def]
                yield first
                yield from blocks

            for utt in segment(stream(), segmenter_for(settings)):
                transcript = transcriber.transcribe(utt.audio)
                progress.update(task, completed=min(total_audio, done_audio + utt.end_s))
                if not transcript.text:
                    continue
                result = screen.screen(transcript.text)
                tid = journal.add_user_turn(sid, transcript.text, result, {"asr": round(transcript.duration_ms, 1)},
                                            {"asr": transcriber.name})
                turns += 1
                if settings.keep_audio:
                    folder = private_dir(settings.audio_dir / f"session_{sid:06d}")
                    journal.save_turn_audio(tid, folder / f"turn_{tid:06d}.flac", utt.audio)
                if result.level >= Level.CONCERN:
                    journal.add_crisis_event(sid, tid, result.level.value, result.category, "utterance",
                                             ",".join(result.reasons), "flagged during import; nothing was spoken")
                reading = mood_in_conversation(transcript.text)
                if reading is not None:
                    journal.add_mood(sid, reading.score, list(reading.tags), reading.note, "import", tid)
            journal.end_session(sid, status="complete")
            done_audio += _duration_s(path)
            progress.update(task, completed=done_audio)
            console.print(f"{path.name}: {turns} turns → session {sid}")
    elapsed = time.perf_counter() - t0
    rtf = elapsed / total_audio if total_audio else 0.0
    console.print(f"Imported {len(files) - len(failed)} of {len(files)} files, {total_audio:.0f} s of audio "
                  f"in {elapsed:.1f} s (real-time factor {rtf:.2f}).")
    for line in failed:
        console.print(f"[yellow]Skipped {line}[/]")
    if failed:
        raise click.exceptions.Exit(1)
