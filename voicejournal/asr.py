"""Speech to text with faster-whisper, guarded against text invented from silence and noise."""

from __future__ import annotations

import logging
import math
import re
import time
from pathlib import Path
from typing import Protocol

from voicejournal.errors import ModelError
from voicejournal.settings import AsrSettings
from voicejournal.types import Audio, Transcript

log = logging.getLogger(__name__)

# Whisper's well-known inventions on silence or noise (subtitle credits and the like).
HALLUCINATIONS = re.compile(
    r"^\W*(thanks? (you )?for watching|thank you\.?|subtitles? by|please subscribe|"
    r"(the )?end\.?|you|bye\.?|\[?(music|silence|blank_audio|applause)\]?|\.+|♪+)\W*$",
    re.IGNORECASE,
)


class Transcriber(Protocol):
    """Turns one utterance into text."""

    name: str

    def transcribe(self, audio: Audio) -> Transcript: ...


def is_hallucination(text: str, no_speech_prob: float, avg_logprob: float) -> bool:
    """True for segments Whisper likely made up: a known phrase, or 'no speech' with low confidence."""
    if not text.strip():
        return True
    if no_speech_prob > 0.6 and avg_logprob < -0.8:
        return True
    return bool(HALLUCINATIONS.match(text.strip())) and no_speech_prob > 0.3


class WhisperTranscriber:
    """faster-whisper on the CPU, int8; the model is loaded once."""

    def __init__(self, model_path: Path, settings: AsrSettings) -> None:
        from faster_whisper import WhisperModel

        self.settings = settings
        self.name = f"whisper:{model_path.name}"
        try:
            self.model = WhisperModel(str(model_path), device="cpu", compute_type="int8",
                                      cpu_threads=settings.threads)
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(
                f"Could not load the Whisper model at {model_path} ({exc}); "
                "run `voicejournal doctor` to check it."
            ) from exc

    def transcribe(self, audio: Audio) -> Transcript:
        t0 = time.perf_counter()
        segments, info = self.model.transcribe(
            audio.samples,
            language=self.settings.language,
            beam_size=self.settings.beam_size,
            initial_prompt=self.settings.initial_prompt,
            condition_on_previous_text=False,
            vad_filter=False,
            without_timestamps=True,
            temperature=[0.0, 0.2, 0.4],
        )
        kept, logprobs = [], []
        for seg in segments:
            if is_hallucination(seg.text, seg.no_speech_prob, seg.avg_logprob):
                log.debug("dropped likely hallucination %r (no_speech=%.2f)", seg.text, seg.no_speech_prob)
                continue
            kept.append(seg.text.strip())
            logprobs.append(seg.avg_logprob)
        text = " ".join(kept).strip()
        confidence = math.exp(sum(logprobs) / len(logprobs)) if logprobs else 0.0
        return Transcript(text, info.language, round(confidence, 3), (time.perf_counter() - t0) * 1000)
