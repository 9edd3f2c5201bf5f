"""The composition root: the one place that names concrete backends and wires the parts."""

from __future__ import annotations

import dataclasses
import logging
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from voicejournal import models
from voicejournal.asr import Transcriber, WhisperTranscriber
from voicejournal.companion import ChatBackend, Companion, make_backend
from voicejournal.companion.backends import FallbackBackend
from voicejournal.companion.closing import describe_mood
from voicejournal.companion.memory import build_memory
from voicejournal.companion.modes import MODES, Flow
from voicejournal.conversation import Conversation, Parts, Reporter
from voicejournal.crisis import CrisisScreen, SessionGuard
from voicejournal.journal import Journal
from voicejournal.loading import LoadsInBackground
from voicejournal.settings import Settings
from voicejournal.sinks import AudioSink
from voicejournal.tts import PiperSynthesizer, Synthesizer
from voicejournal.vad import Segmenter, make_segmenter

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""(label, done, total) — model assembly and loading report through this."""


@dataclass
class Engines:
    """The loaded models, reusable across sessions in one process."""

    transcriber: Transcriber
    backend: ChatBackend
    synthesizer: Synthesizer | None


def load_engines(settings: Settings, progress: Progress | None = None, voice: bool = True,
                 asr: bool = True, llm: bool = True, background: bool = False) -> Engines:
    """Assemble (once) and load the models, in parallel where they do not share a lock.

    llm=False (check-ins, replay) leaves the companion out: ~0.6 GB and a second of start-up saved.
    background=True (the live session): Whisper loads on a thread beside the voice, then the
    companion's model (see load_companion); warm-ups are left to the caller (the opening line).
    """
    cache = settings.cache_dir

    def note(label: str) -> None:
        if progress:
            progress(label, 1, 1)

    paths = {
        "asr": models.resolve("asr", settings.asr.model, cache, progress) if asr else None,
        "tts": models.resolve("tts", settings.tts.voice, cache, progress) if voice else None,
    }

    if background:
        transcriber = WhisperTranscriber(paths["asr"], settings.asr, background=True) if asr else _NoTranscriber()
        synthesizer = PiperSynthesizer(paths["tts"], settings.tts) if voice else None
        note("voice")
        if isinstance(transcriber, LoadsInBackground):
            # its load holds the GIL for ~0.1 s at a time, long enough to starve the speaker's
            # callback, so it finishes (beside the voice's load) before anything plays
            transcriber.wait_loaded()
            note("speech recognition")
        return Engines(transcriber, load_companion(settings, progress) if llm else _NoCompanion(), synthesizer)
    with ThreadPoolExecutor(max_workers=3) as pool:
        f_asr = pool.submit(WhisperTranscriber, paths["asr"], settings.asr) if asr else None
        f_tts = pool.submit(PiperSynthesizer, paths["tts"], settings.tts) if voice else None
        f_llm = pool.submit(load_companion, settings, progress) if llm else None
        transcriber = f_asr.result() if f_asr else _NoTranscriber()
        note("speech recognition")
        synthesizer = f_tts.result() if f_tts else None
        note("voice")
        return Engines(transcriber, f_llm.result() if f_llm else _NoCompanion(), synthesizer)


def load_companion(settings: Settings, progress: Progress | None = None) -> ChatBackend:
    """The companion's backend, loaded here and now (the embedded model: ~0.3 s).

    Never beside other output or PortAudio's start-up: llama.cpp silences its load by pointing the
    whole process's stdout and stderr at /dev/null for that time (a message printed meanwhile is
    lost, and two such redirects interleaved can leave stderr silenced for good).
    """
    backend = make_backend(settings.llm, lambda path: models.resolve("llm", path, settings.cache_dir, progress))
    if progress:
        progress("companion", 1, 1)
    return with_fallback(backend, settings)


def with_fallback(backend: ChatBackend, settings: Settings) -> ChatBackend:
    """A server backend that hands over to the built-in model if the server goes away mid-session."""
    if settings.llm.backend.partition(":")[0] == "embedded" or not settings.llm.fallback_to_embedded:
        return backend
    embedded = dataclasses.replace(settings.llm, backend="embedded")
    return FallbackBackend(backend, lambda: make_backend(
        embedded, lambda path: models.resolve("llm", path, settings.cache_dir)))


class _NoTranscriber:
    """Text mode: nothing to transcribe."""

    name = "none"

    def transcribe(self, audio):  # type: ignore[no-untyped-def]
        raise RuntimeError("text mode has no transcriber")


class _NoCompanion:
    """Check-ins and replay: no companion model loaded; asking one is a bug, said plainly."""

    name = "none"

    def stream(self, messages, max_tokens):  # type: ignore[no-untyped-def]
        raise RuntimeError("no companion model was loaded for this command")


def segmenter_for(settings: Settings) -> Segmenter:
    return make_segmenter(settings.vad)


@contextmanager
def open_journal(settings: Settings) -> Iterator[Journal]:
    """Open the journal (unlocking it when encrypted) and apply the retention period."""
    from voicejournal.journal.deletion import enforce_retention
    from voicejournal.journal.unlock import open_journal as open_unlocked

    journal = open_unlocked(settings)
    enforce_retention(journal, settings.retention_days, settings.audio_dir)
    try:
        yield journal
    finally:
        journal.close()


def start_conversation(settings: Settings, engines: Engines, journal: Journal, sink: AudioSink,
                       mode: str, reporter: Reporter, meta: dict | None = None) -> Conversation:
    """Open a session in the journal and wire one conversation from loaded engines.

    mode 'reflect', 'free' or 'mood' runs that guided mode (call `open()` to speak its opening
    and `end()` to close with a summary); any other journal mode is a plain conversation.
    `open()` also starts the model reading the session's prompt; a conversation not opened
    reads it on its first turn.
    """
    from voicejournal.journal.mood_log import log_mood
    from voicejournal.journal.mood_parse import mood_in_conversation, parse_mood

    def on_mood(session_id: int, turn_id: int, text: str) -> None:
        reading = mood_in_conversation(text)
        if reading is not None:
            journal.add_mood(session_id, reading.score, list(reading.tags), reading.note,
                             "conversation", turn_id)

    def on_checkin(session_id: int, turn_id: int, text: str) -> str | None:
        reading = parse_mood(text)
        if reading is None:
            return None
        log_mood(journal, session_id, reading, "checkin", turn_id)
        return describe_mood(reading.score, reading.tags)

    memory = build_memory(journal)
    session_id = journal.start_session(mode, meta)
    screen = CrisisScreen()
    flow = Flow(MODES[mode], returning=journal.has_finished(mode)) if mode in MODES else None
    companion = Companion(engines.backend, settings.llm.max_tokens, memory,
                          flow.mode.guidance if flow else "", settings.llm.reply_timeout_s,
                          settings.llm.first_clause_chars)
    parts = Parts(
        transcriber=engines.transcriber,
        screen=screen,
        guard=SessionGuard(screen),
        companion=companion,
        synthesizer=engines.synthesizer,
        sink=sink,
        journal=journal,
        locale=settings.locale,
        keep_audio_dir=settings.audio_dir / f"session_{session_id:06d}" if settings.keep_audio else None,
        reporter=reporter,
        on_mood=on_mood,
        flow=flow,
        audio_root=settings.audio_dir,
        on_checkin=on_checkin,
    )
    return Conversation(parts, session_id)
