"""Cutting a stream of audio into utterances: a webrtcvad frame gate, then a Silero check.

The segmenter is a small state machine fed block by block, so the same code serves a file
and the microphone. It keeps a pre-roll so first syllables survive, waits for a thinking
pause before ending a turn, caps turn length, and drops stretches Silero finds no speech in
(a cough, a door, a fan). Given an end-of-turn model (live sessions), it asks the model once
per pause, after `min_end_silence_ms`, and ends a turn the model finds complete there; otherwise
silence alone ends it (`max_end_silence_ms` with a model, `end_silence_ms` without).
"""

from __future__ import annotations

import collections
import functools
import logging
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Protocol

import numpy as np

from voicejournal.audio import to_int16
from voicejournal.settings import VadSettings
from voicejournal.turn_end import TurnEndModel
from voicejournal.types import SAMPLE_RATE, Audio, Utterance

log = logging.getLogger(__name__)


class FrameClassifier(Protocol):
    """Says whether one fixed-length frame of 16 kHz audio holds speech."""

    def is_speech(self, frame: np.ndarray) -> bool: ...


class SpeechVerifier(Protocol):
    """Second opinion on a whole candidate utterance: seconds of speech it really holds."""

    def speech_seconds(self, samples: np.ndarray) -> float: ...


class WebRtcFrames:
    """webrtcvad on one frame; cheap (~400k frames/s), fooled by steady noise."""

    def __init__(self, aggressiveness: int) -> None:
        import webrtcvad

        self._vad = webrtcvad.Vad(aggressiveness)

    def is_speech(self, frame: np.ndarray) -> bool:
        return self._vad.is_speech(to_int16(frame).tobytes(), SAMPLE_RATE)


class SileroVerifier:
    """Silero VAD v6 (shipped inside faster-whisper) over a candidate utterance."""

    CHUNK = 512

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold

    @staticmethod
    @functools.lru_cache(maxsize=1)
    def _model():  # type: ignore[no-untyped-def]
        from faster_whisper.vad import get_vad_model

        return get_vad_model()

    def speech_probabilities(self, samples: np.ndarray) -> np.ndarray:
        pad = (-len(samples)) % self.CHUNK
        padded = np.pad(samples.astype(np.float32), (0, pad))
        if len(padded) == 0:
            return np.zeros(0, np.float32)
        return np.asarray(self._model()(padded)).reshape(-1)

    def speech_seconds(self, samples: np.ndarray) -> float:
        probs = self.speech_probabilities(samples)
        return float(np.sum(probs >= self.threshold)) * self.CHUNK / SAMPLE_RATE


@dataclass
class _Open:
    frames: list[np.ndarray]
    start_frame: int
    voiced: int
    silence_run: int
    asked: bool = False
    """The end-of-turn model was asked about the current pause."""


class Segmenter:
    """Feed audio blocks in; utterances come out when a turn ends (or at `flush`)."""

    def __init__(self, settings: VadSettings, frames: FrameClassifier,
                 verifier: SpeechVerifier | None = None, turn_end: TurnEndModel | None = None) -> None:
        self.s = settings
        self.frames = frames
        self.verifier = verifier
        self.turn_end = turn_end
        self.frame_len = SAMPLE_RATE * settings.frame_ms // 1000
        self._pre = collections.deque(maxlen=max(1, settings.pre_roll_ms // settings.frame_ms))
        self._onset = collections.deque(maxlen=max(1, 300 // settings.frame_ms))
        self._buf = np.zeros(0, np.float32)
        self._n = 0
        self._open: _Open | None = None
        self.on_speech_start: Callable[[float], None] | None = None
        self.on_judged: Callable[[float, float], None] | None = None
        """Called with (P(turn complete), milliseconds the model took) each time it is asked."""

    @property
    def in_speech(self) -> bool:
        return self._open is not None

    @property
    def open_duration_s(self) -> float:
        """Length of the utterance still being spoken (0 when none is open)."""
        return len(self._open.frames) * self.s.frame_ms / 1000 if self._open else 0.0

    @property
    def open_start_s(self) -> float | None:
        """Where the utterance still being spoken began in the stream (None when none is open)."""
        return self._t(self._open.start_frame) if self._open else None

    @property
    def onset_ms(self) -> int:
        """Voiced time in the onset window while no utterance is open: someone may be starting to talk."""
        return 0 if self._open else sum(self._onset) * self.s.frame_ms

    @property
    def silence_ms(self) -> int:
        """How long the open utterance has been quiet at its end: a pause, maybe the end of the turn."""
        return self._open.silence_run * self.s.frame_ms if self._open else 0

    def open_samples(self) -> np.ndarray:
        """The audio of the utterance still being spoken, from its pre-roll on."""
        return np.concatenate(self._open.frames) if self._open else np.zeros(0, np.float32)

    def _t(self, frame_index: int) -> float:
        return frame_index * self.frame_len / SAMPLE_RATE

    def feed(self, block: np.ndarray) -> list[Utterance]:
        """Add samples; return the utterances that ended inside them."""
        self._buf = np.concatenate([self._buf, block.astype(np.float32, copy=False)])
        out: list[tuple[Utterance, int]] = []
        usable = len(self._buf) // self.frame_len * self.frame_len
        for i in range(0, usable, self.frame_len):
            done = self._step(self._buf[i:i + self.frame_len])
            if done is not None:
                out.append(done)
        self._buf = self._buf[usable:]
        return [c[0] for c in out if self._accept(c)]

    def flush(self) -> list[Utterance]:
        """End of stream: whatever is open becomes a final utterance."""
        if self._open is None:
            return []
        candidate = self._close(self._open)
        self._open = None
        return [candidate[0]] if self._accept(candidate) else []

    def _step(self, frame: np.ndarray) -> tuple[Utterance, int] | None:
        voiced = self.frames.is_speech(frame)
        index = self._n
        self._n += 1
        if self._open is None:
            self._pre.append(frame)
            self._onset.append(voiced)
            if sum(self._onset) * self.s.frame_ms >= self.s.start_ms:
                pre = list(self._pre)
                self._open = _Open(pre, index - len(pre) + 1, sum(self._onset), 0)
                self._pre.clear()
                self._onset.clear()
                if self.on_speech_start:
                    self.on_speech_start(self._t(self._open.start_frame))
            return None
        o = self._open
        o.frames.append(frame)
        o.voiced += voiced
        o.silence_run = 0 if voiced else o.silence_run + 1
        o.asked = o.asked and not voiced
        too_long = len(o.frames) * self.s.frame_ms >= self.s.max_utterance_s * 1000
        if too_long or self._turn_over(o):
            self._open = None
            return self._close(o)
        return None

    def _turn_over(self, o: _Open) -> bool:
        """Silence alone, or (with a model) a pause the model finds complete, ends the turn."""
        silence = o.silence_run * self.s.frame_ms
        if self.turn_end is None:
            return silence >= self.s.end_silence_ms
        if silence >= self.s.max_end_silence_ms:
            return True
        if silence < self.s.min_end_silence_ms or o.asked:
            return False
        o.asked = True
        return self._judge(np.concatenate(o.frames)) >= self.s.smart_turn_threshold

    def _judge(self, samples: np.ndarray) -> float:
        """P(turn complete) from the model; 0 (keep waiting) if it fails."""
        assert self.turn_end is not None
        t0 = time.perf_counter()
        try:
            p = self.turn_end.p_complete(samples)
        except Exception as exc:  # onnxruntime raises its own types; silence still ends the turn
            log.warning("turn model failed (%s); waiting for silence instead", exc)
            return 0.0
        ms = (time.perf_counter() - t0) * 1000
        log.debug("turn model: P(complete) %.2f after %d ms of silence (%.0f ms)", p, self.silence_ms, ms)
        if self.on_judged:
            self.on_judged(p, ms)
        return p

    def _close(self, o: _Open) -> tuple[Utterance, int]:
        keep_tail = max(1, 200 // self.s.frame_ms)  # a little trailing room, not the whole pause
        cut = len(o.frames) - max(0, o.silence_run - keep_tail)
        samples = np.concatenate(o.frames[:cut]) if cut > 0 else np.zeros(0, np.float32)
        start = self._t(o.start_frame)
        utt = Utterance(Audio(samples, SAMPLE_RATE), start, start + len(samples) / SAMPLE_RATE)
        return utt, o.voiced * self.s.frame_ms

    def _accept(self, candidate: tuple[Utterance, int]) -> bool:
        utt, voiced_ms = candidate
        if voiced_ms < self.s.min_speech_ms:
            log.debug("dropped %.2fs candidate: too little voiced audio", utt.audio.duration_s)
            return False
        if self.verifier is not None and self.s.silero_threshold > 0:
            speech = self.verifier.speech_seconds(utt.audio.samples)
            if speech * 1000 < self.s.min_speech_ms:
                log.debug("dropped %.2fs candidate: Silero heard %.2fs of speech", utt.audio.duration_s, speech)
                return False
        return True


def make_segmenter(settings: VadSettings, turn_end: TurnEndModel | None = None) -> Segmenter:
    """The default two-stage segmenter; with `turn_end`, a model decides at pauses (live sessions)."""
    verifier = SileroVerifier(settings.silero_threshold) if settings.silero_threshold > 0 else None
    return Segmenter(settings, WebRtcFrames(settings.aggressiveness), verifier, turn_end)


def segment(blocks: Iterable[np.ndarray], segmenter: Segmenter) -> Iterator[Utterance]:
    """Run a whole stream through a segmenter."""
    for block in blocks:
        yield from segmenter.feed(block)
    yield from segmenter.flush()
