"""Has the person finished their turn? An audio end-of-turn model asked once at a pause.

Silence alone cannot tell a finished thought from a thinking pause, so it has to wait long.
Smart Turn v3 (a Whisper Tiny encoder with a small classifier, 8.7 MB int8 ONNX) listens to the
last 8 s of the turn, words and intonation, and gives P(the turn is complete). The segmenter asks
it once when a pause reaches `vad.min_end_silence_ms`; P >= `vad.smart_turn_threshold` ends the
turn there, anything else waits for `vad.max_end_silence_ms` of silence. It runs in the live
loop's thread (never the sound-device callback), about 80 ms of one core per pause.

The .onnx ships inside the `pipecat-ai` wheel, installed with `--no-deps` and never imported:
the file is read from site-packages. Features are Whisper log-mels from faster-whisper's numpy
extractor, which equals transformers' `WhisperFeatureExtractor(chunk_length=8)` that the model
was trained with (within 1e-5 on the demo recording, and the same P; tests/test_turn_end.py
checks it against stored reference output). No torch, no transformers.
"""

from __future__ import annotations

import functools
import logging
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from voicejournal.errors import ModelError
from voicejournal.settings import Settings, VadSettings
from voicejournal.types import SAMPLE_RATE

log = logging.getLogger(__name__)

WINDOW_S = 8
"""The model hears the last 8 s of the turn; shorter audio is zero-padded at the front."""
THREADS = 1
"""onnxruntime threads: one core answers in tens of ms and leaves the other to the audio loop and Whisper."""


class TurnEndModel(Protocol):
    """Given the audio of the turn so far (16 kHz mono, ending in the pause), P(turn is complete)."""

    def p_complete(self, samples: np.ndarray) -> float: ...


def window(samples: np.ndarray) -> np.ndarray:
    """The last 8 s, zero-padded at the front so the speech sits at the end (as in training)."""
    n = WINDOW_S * SAMPLE_RATE
    x = np.asarray(samples, np.float32)[-n:]
    return np.pad(x, (n - len(x), 0)) if len(x) < n else x


@functools.lru_cache(maxsize=1)
def _extractor():  # type: ignore[no-untyped-def]
    from faster_whisper.feature_extractor import FeatureExtractor

    return FeatureExtractor(feature_size=80, chunk_length=WINDOW_S)


def features(samples: np.ndarray) -> np.ndarray:
    """(80, 800) Whisper log-mels of the 8 s window, waveform normalised first (do_normalize=True)."""
    x = window(samples)
    x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
    return _extractor()(x, padding=0).astype(np.float32)


class SmartTurn:
    """Smart Turn v3.x on onnxruntime; one call takes tens of ms on one core."""

    def __init__(self, path: Path, threads: int = THREADS) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        try:
            self._session: Any = ort.InferenceSession(str(path), sess_options=opts,
                                                      providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own unrelated types
            raise ModelError(f"Could not load the turn model at {path} ({exc}); "
                             "set vad.smart_turn_model to a Smart Turn v3 .onnx, or vad.smart_turn = false.") from exc
        inputs = {i.name for i in self._session.get_inputs()}
        if inputs != {"input_features"}:
            raise ModelError(f"{path} is not a Smart Turn v3 model (inputs {sorted(inputs)}); "
                             "point vad.smart_turn_model at one, or set vad.smart_turn = false.")
        self._lock = threading.Lock()
        self.path = path

    def p_complete(self, samples: np.ndarray) -> float:
        feats = features(samples)[None]
        with self._lock:  # one session, possibly shared by segmenters on two threads
            out = self._session.run(None, {"input_features": feats})[0]
        return float(np.asarray(out).reshape(-1)[0])  # already a sigmoid


def model_path(settings: VadSettings, cache_dir: Path) -> Path:
    """The .onnx to load: the shipped one (from the pipecat-ai wheel) or a local path."""
    from voicejournal import models

    return models.resolve("turn", settings.smart_turn_model or models.SMART_TURN.key, cache_dir)


def load_turn_model(settings: Settings) -> TurnEndModel | None:
    """The configured turn model, or None (silence alone decides) when it is off or cannot load."""
    return _load(settings.vad.smart_turn, settings.vad.smart_turn_model, settings.cache_dir)


@functools.lru_cache(maxsize=4)
def _load(enabled: bool, configured: str, cache_dir: Path) -> SmartTurn | None:
    """Loaded once per configuration, so segmenters made for each turn share one session."""
    if not enabled:
        return None
    try:
        return SmartTurn(model_path(VadSettings(smart_turn_model=configured), cache_dir))
    except ModelError as exc:
        log.warning("end of turn falls back to silence alone: %s", exc)
        return None
