"""The composition root: the one place that names concrete backends and wires the parts."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from voicejournal import models
from voicejournal.asr import Transcriber, WhisperTranscriber
from voicejournal.companion import ChatBackend, Companion, make_backend
from voicejournal.conversation import Conversation, Parts, Reporter
from voicejournal.crisis import CrisisScreen, SessionGuard
from voicejournal.journal import Journal
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
                 asr: bool = True) -> Engines:
    """Assemble (once) and load the models, in parallel where they do not share a lock."""
    cache = settings.cache_dir

    def note(label: str) -> None:
        if progress:
            progress(label, 1, 1)

    paths = {
        "asr": models.resolve("asr", settings.asr.model, cache, progress) if asr else None,
        "tts": models.resolve("tts", settings.tts.voice, cache, progress) if voice else None,
    }

    def resolve_llm(path: str | None) -> Path:
        return models.resolve("llm", path, cache, progress)

    with ThreadPoolExecutor(max_workers=3) as pool:
        f_asr = pool.submit(WhisperTranscriber, paths["asr"], settings.asr) if asr else None
        f_tts = pool.submit(PiperSynthesizer, paths["tts"], settings.tts) if voice else None
        f_llm = pool.submit(make_backend, settings.llm, resolve_llm)
        transcriber = f_asr.result() if f_asr else _NoTranscriber()
        note("speech recognition")
        synthesizer = f_tts.result() if f_tts else None
        note("voice")
        backend = f_llm.result()
        note("companion")
    return Engines(transcriber, backend, synthesizer)


class _NoTranscriber:
    """Text mode: nothing to transcribe."""

    name = "none"

    def transcribe(self, audio):  # type: ignore[no-untyped-def]
        raise RuntimeError("text mode has no transcriber")


def segmenter_for(settings: Settings) -> Segmenter:
    return make_segmenter(settings.vad)


@contextmanager
def open_journal(settings: Settings) -> Iterator[Journal]:
    """Open the journal, closing sessions a killed process left open (and saying so)."""
    from voicejournal.journal.deletion import enforce_retention

    journal = Journal.open(settings.db_path)
    enforce_retention(journal, settings.retention_days, settings.audio_dir)
    try:
        yield journal
    finally:
        journal.close()


def start_conversation(settings: Settings, engines: Engines, journal: Journal, sink: AudioSink,
                       mode: str, reporter: Reporter, meta: dict | None = None) -> Conversation:
    """Open a session in the journal and wire one conversation from loaded engines."""
    from voicejournal.journal.mood_parse import mood_in_conversation

    def on_mood(session_id: int, turn_id: int, text: str) -> None:
        reading = mood_in_conversation(text)
        if reading is not None:
            journal.add_mood(session_id, reading.score, list(reading.tags), reading.note,
                             "conversation", turn_id)

    session_id = journal.start_session(mode, meta)
    screen = CrisisScreen()
    parts = Parts(
        transcriber=engines.transcriber,
        screen=screen,
        guard=SessionGuard(screen),
        companion=Companion(engines.backend, settings.llm.max_tokens),
        synthesizer=engines.synthesizer,
        sink=sink,
        journal=journal,
        locale=settings.locale,
        keep_audio_dir=settings.audio_dir / f"session_{session_id:06d}" if settings.keep_audio else None,
        reporter=reporter,
        on_mood=on_mood,
    )
    return Conversation(parts, session_id)
