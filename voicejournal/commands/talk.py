"""`talk` and `demo`: a conversation over a recording, the microphone, or typed lines."""

from __future__ import annotations

import sys
from importlib.resources import files
from pathlib import Path

import click
from rich.console import Console

from voicejournal.app import load_engines, open_journal, segmenter_for, start_conversation
from voicejournal.audio import stream_file
from voicejournal.clicontext import settings_of
from voicejournal.companion.modes import MODE_NAMES, mode_named
from voicejournal.conversation import Conversation
from voicejournal.errors import UserError
from voicejournal.settings import Settings
from voicejournal.sinks import AudioSink, NullSink, SpeakerSink, WavDirSink
from voicejournal.types import Transcript
from voicejournal.ui import DISCLOSURE, TerminalReporter, model_progress
from voicejournal.vad import segment

DEMO_AUDIO = "data/demo/evening.flac"


def llm_options(fn):  # type: ignore[no-untyped-def]
    """Options shared by every command that talks."""
    fn = click.option("--llm", "llm", metavar="BACKEND",
                      help="embedded (default, no server), ollama:MODEL (host from OLLAMA_HOST), or openai:MODEL "
                           "(an OpenAI-compatible server at llm.openai_base_url).")(fn)
    fn = click.option("--llm-model", metavar="FILE|KEY",
                      help="A local GGUF file, or a catalogue key (qwen2.5-1.5b), instead of the shipped model.")(fn)
    fn = click.option("--locale", help="Crisis resources for this country: US, CA, UK, IE, AU, NZ, …")(fn)
    fn = click.option("--no-audio-keep", is_flag=True, help="Do not keep the recording of each turn.")(fn)
    return fn


def apply_options(settings: Settings, llm: str | None, llm_model: str | None, locale: str | None,
                  no_audio_keep: bool) -> Settings:
    changes: dict = {}
    if llm:
        changes["llm.backend"] = llm
    if llm_model:
        changes["llm.model_path"] = llm_model
    if locale:
        changes["locale"] = locale.upper()
    if no_audio_keep:
        changes["keep_audio"] = False
    return settings.replace(**changes)


def run_recording(settings: Settings, path: Path, sink: AudioSink, mode: str, console: Console) -> Conversation:
    """Load models, then run the whole conversation over a recording."""
    blocks = stream_file(path)  # fails fast on a bad file, before any model loads
    first = next(blocks, None)
    with model_progress() as progress:
        engines = load_engines(settings, progress, voice=not isinstance(sink, NullSink))
    with open_journal(settings) as journal:
        for sid in journal.close_interrupted():
            console.print(f"[yellow]Session {sid} was interrupted last time; it is saved and now closed.[/]")
        convo = start_conversation(settings, engines, journal, sink, mode, TerminalReporter(console),
                                   {"input": str(path)})
        status = "interrupted"
        try:
            def all_blocks():
                if first is not None:
                    yield first
                yield from blocks
            convo.open()
            convo.run(segment(all_blocks(), segmenter_for(settings)))
            status = "complete"
        finally:
            convo.end(status)
    return convo


def run_text(settings: Settings, lines, sink: AudioSink, console: Console,  # type: ignore[no-untyped-def]
             mode: str = "text") -> Conversation:
    """Text mode: typed lines through the same screen, companion and journal; a guided mode ends by itself."""
    with model_progress() as progress:
        engines = load_engines(settings, progress, voice=not isinstance(sink, NullSink), asr=False)
    with open_journal(settings) as journal:
        journal.close_interrupted()
        convo = start_conversation(settings, engines, journal, sink, mode, TerminalReporter(console),
                                   {"input": "text"})
        status = "interrupted"
        try:
            convo.open()
            for line in lines:
                if line.strip():
                    convo.answer(Transcript(line.strip()), {})
                if convo.finished:
                    break
            status = "complete"
        finally:
            convo.end(status)
    return convo


@click.command("talk")
@click.option("--input", "input_path", type=click.Path(path_type=Path),
              help="Talk over a recording (WAV, FLAC, OGG, MP3, M4A) instead of the microphone.")
@click.option("--speak-to", type=click.Path(file_okay=False, path_type=Path),
              help="Write the replies as numbered WAV files into this folder instead of playing them.")
@click.option("--text", is_flag=True, help="Type instead of talking (reads lines from stdin).")
@click.option("--no-voice", is_flag=True, help="Print replies instead of speaking them.")
@click.option("--mode", type=click.Choice([*MODE_NAMES, "auto"]), default=None,
              help="reflect: a guided evening reflection with a summary; free: open journaling, the companion "
                   "mostly listens; mood: a quick check-in. Default (auto): reflect in the evening, free otherwise.")
@click.option("--input-device", metavar="DEVICE", help="Microphone: a number or part of a name from `voicejournal devices`.")
@click.option("--output-device", metavar="DEVICE", help="Speaker: a number or part of a name from `voicejournal devices`.")
@click.option("--barge-in", is_flag=True, help="Headsets: talking during a reply stops it (default: the mic rests while it plays).")
@click.option("--max-turns", type=click.IntRange(min=1), metavar="N", help="End the live session after N turns.")
@click.option("--idle-exit", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="End the live session after this long without speech.")
@llm_options
@click.pass_context
def talk_command(ctx: click.Context, input_path: Path | None, speak_to: Path | None, text: bool,
                 no_voice: bool, input_device: str | None, output_device: str | None, barge_in: bool,
                 max_turns: int | None, idle_exit: float | None, mode: str | None, llm: str | None,
                 llm_model: str | None, locale: str | None, no_audio_keep: bool) -> None:
    """Have a journaling conversation.

    \b
    Examples:
      voicejournal talk --input evening.wav --speak-to replies/
      voicejournal talk --text --no-voice
      voicejournal talk --text --mode mood
      echo "Work was long but I went for a run." | voicejournal talk --text --no-voice --mode free
      voicejournal talk --llm ollama:llama3.2
      voicejournal talk --input-device 2 --barge-in --max-turns 10
    """
    settings = apply_options(settings_of(ctx), llm, llm_model, locale, no_audio_keep)
    if mode:
        settings = settings.replace(mode=mode)
    console = Console(highlight=False)
    sink: AudioSink | None = None  # None: the speaker
    if no_voice:
        sink = NullSink()
    elif speak_to:
        sink = WavDirSink(speak_to)
    if text:
        console.print(f"[dim]{DISCLOSURE}[/]")
        run_text(settings, sys.stdin, sink or NullSink(), console, mode_named(settings.mode).name)
        return
    if input_path is None:
        from voicejournal.live import LiveOptions, run_live

        run_live(settings, console, sink, LiveOptions(max_turns, idle_exit, barge_in, input_device, output_device))
        return
    console.print(f"[dim]{DISCLOSURE}[/]")
    # A recording cannot hear guided prompts, so it is a plain conversation unless a mode is asked for.
    convo = run_recording(settings, input_path, sink or SpeakerSink(), mode_named(mode).name if mode else "talk",
                          console)
    _summary(console, convo, speak_to)


def _summary(console: Console, convo: Conversation, speak_to: Path | None) -> None:
    console.print(f"\n[bold]{len(convo.turns)} turns saved[/] in session {convo.session_id}."
                  + (f" Replies written to {speak_to}/." if speak_to else ""))


@click.command("demo")
@click.option("--speak-to", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the spoken replies (default: DATA_DIR/demo-replies).")
@llm_options
@click.pass_context
def demo_command(ctx: click.Context, speak_to: Path | None, llm: str | None, llm_model: str | None,
                 locale: str | None, no_audio_keep: bool) -> None:
    """Run a bundled evening reflection through the whole pipeline (no sound card needed).

    \b
    Examples:
      voicejournal demo
      voicejournal --data-dir /tmp/vj demo --speak-to /tmp/replies
    """
    settings = apply_options(settings_of(ctx), llm, llm_model, locale, no_audio_keep)
    console = Console(highlight=False)
    folder = speak_to or settings.data_dir / "demo-replies"
    audio = Path(str(files("voicejournal").joinpath(DEMO_AUDIO)))
    if not audio.is_file():
        raise UserError(f"The demo recording is missing from the package ({audio}); reinstall with `make install`.")
    console.print(f"[dim]{DISCLOSURE}[/]\n[bold]Demo:[/] an evening reflection from {audio.name}\n")
    convo = run_recording(settings, audio, WavDirSink(folder), "demo", console)
    _summary(console, convo, folder)
    console.print(f"Journal: {settings.db_path}  ·  try `voicejournal export --format json`")
