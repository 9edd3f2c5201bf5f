"""The companion's replies, spoken again on request: they are stored as text, so Piper renders them."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from voicejournal.audio import wav_bytes
from voicejournal.settings import Settings
from voicejournal.tts import Synthesizer
from voicejournal.types import Audio

log = logging.getLogger(__name__)

CACHE_ITEMS = 64
"""Rendered replies kept in memory (a few hundred kB each), so replaying a session is instant."""


class ReplyVoice:
    """Loads the voice on first use (never at start-up), caches WAVs, and gives up cleanly if it cannot load."""

    def __init__(self, load: Callable[[], Synthesizer]) -> None:
        self._load = load
        self._voice: Synthesizer | None = None
        self._failed: str | None = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, bytes] = OrderedDict()

    @property
    def unavailable(self) -> bool:
        """True once loading has failed: pages then show the reply as text only."""
        return self._failed is not None

    def wav(self, text: str) -> bytes | None:
        """The reply as a WAV file, or None when no voice can load (or the text is empty)."""
        key = hashlib.sha256(text.encode()).hexdigest()
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            voice = self._voice_or_none()
            if voice is None or not text.strip():
                return None
            data = _render(voice, text)
            self._cache[key] = data
            if len(self._cache) > CACHE_ITEMS:
                self._cache.popitem(last=False)
            return data

    def _voice_or_none(self) -> Synthesizer | None:
        if self._voice is None and self._failed is None:
            try:
                self._voice = self._load()
            except Exception as exc:  # noqa: BLE001 - whatever breaks the voice, replies stay readable as text
                self._failed = str(exc)
                log.warning("replies will be shown as text only: %s", exc)
        return self._voice


def piper_loader(settings: Settings) -> Callable[[], Synthesizer]:
    """Load the configured Piper voice (heavy imports happen only when called)."""

    def load() -> Synthesizer:
        from voicejournal import models
        from voicejournal.tts import PiperSynthesizer

        return PiperSynthesizer(models.resolve("tts", settings.tts.voice, settings.cache_dir), settings.tts)

    return load


def _render(voice: Synthesizer, text: str) -> bytes:
    """All sentences in one WAV, with a short breath between them."""
    chunks = list(voice.synthesize(text))
    rate = chunks[0].rate if chunks else voice.rate
    gap = np.zeros(int(rate * 0.25), np.float32)
    parts: list[np.ndarray] = []
    for chunk in chunks:
        parts += [chunk.samples.astype(np.float32), gap]
    samples = np.concatenate(parts) if parts else np.zeros(rate // 10, np.float32)
    return wav_bytes(Audio(samples, rate))
