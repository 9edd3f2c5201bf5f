"""Text to speech with Piper, one sentence at a time so playback can start early."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from pathlib import Path
from typing import Iterator, Protocol

import numpy as np

from voicejournal.errors import ModelError
from voicejournal.settings import TtsSettings
from voicejournal.types import Audio

log = logging.getLogger(__name__)

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+")


class Synthesizer(Protocol):
    """Speaks text; yields one Audio per sentence."""

    name: str
    rate: int

    def synthesize(self, text: str) -> Iterator[Audio]: ...


def split_sentences(text: str) -> list[str]:
    """Sentences of a reply, for speaking one by one."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def render_with_pauses(voice: Synthesizer, texts: list[str], pause_s: float = 2.0, lead_s: float = 0.6,
                       noise: float = 0.0, seed: int = 0) -> Audio:
    """Speak texts one after another at 16 kHz with pauses between them: a recording to test and demo with."""
    from voicejournal.audio import resample
    from voicejournal.types import SAMPLE_RATE

    rng = np.random.default_rng(seed)
    parts = [np.zeros(int(SAMPLE_RATE * lead_s), np.float32)]
    for text in texts:
        clips = [resample(c.samples, c.rate, SAMPLE_RATE) for c in voice.synthesize(text)]
        parts += [np.concatenate(clips), np.zeros(int(SAMPLE_RATE * pause_s), np.float32)]
    samples = np.concatenate(parts)
    if noise:
        samples = samples + rng.normal(0, noise, len(samples)).astype(np.float32)
    return Audio(samples.astype(np.float32), SAMPLE_RATE)


class PiperSynthesizer:
    """Piper (onnxruntime); ~0.2 s to the first sentence on two cores."""

    def __init__(self, model_path: Path, settings: TtsSettings) -> None:
        from piper import PiperVoice, SynthesisConfig

        config = Path(str(model_path) + ".json")
        try:
            self.voice = PiperVoice.load(str(model_path), config_path=str(config))
        except Exception as exc:  # onnxruntime raises its own unrelated types
            raise ModelError(
                f"Could not load the Piper voice at {model_path} ({exc}); run `voicejournal doctor`."
            ) from exc
        self.syn_config = SynthesisConfig(length_scale=settings.length_scale)
        self.rate = self.voice.config.sample_rate
        self.name = f"piper:{model_path.stem}"

    def synthesize(self, text: str) -> Iterator[Audio]:
        for sentence in split_sentences(text):
            for chunk in self.voice.synthesize(sentence, syn_config=self.syn_config):
                yield Audio(chunk.audio_float_array.astype(np.float32), chunk.sample_rate)


class EspeakSynthesizer:
    """espeak-ng from Debian: a plain fallback voice when Piper cannot load."""

    rate = 22050
    name = "espeak-ng"

    def __init__(self) -> None:
        self.exe = shutil.which("espeak-ng")
        if self.exe is None:
            raise ModelError("espeak-ng is not installed; run `apt-get install espeak-ng` or use the Piper voice.")

    def synthesize(self, text: str) -> Iterator[Audio]:
        import io

        import soundfile as sf

        for sentence in split_sentences(text):
            wav = subprocess.run([self.exe, "--stdout", sentence], capture_output=True, check=True).stdout
            data, rate = sf.read(io.BytesIO(wav), dtype="float32")
            yield Audio(data, rate)
