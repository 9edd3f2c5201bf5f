"""Regenerate the bundled demo reflection with the shipped Piper voice (run once; output committed)."""

from __future__ import annotations

import sys
from pathlib import Path

from voicejournal import models
from voicejournal.audio import write_audio
from voicejournal.settings import Settings, TtsSettings
from voicejournal.tts import PiperSynthesizer, render_with_pauses
from voicejournal.types import Audio

UTTERANCES = [
    "Today was a long day at work. The meeting with my manager went better than I expected.",
    "I'm feeling a bit tired, but also kind of relieved. I'd say my mood is about a six.",
    "Tomorrow I want to go for a walk before work and call my sister.",
]
PAUSE_S = 2.0


def render(texts: list[str], pause_s: float = PAUSE_S, seed: int = 1) -> Audio:
    """Speak each text with the shipped voice, joined by pauses over a faint noise floor."""
    settings = Settings()
    voice = PiperSynthesizer(models.resolve("tts", "joe", settings.cache_dir), TtsSettings())
    return render_with_pauses(voice, texts, pause_s, lead_s=0.8, noise=0.002, seed=seed)


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("voicejournal/data/demo/evening.flac")
    write_audio(out, render(UTTERANCES))
    print(out)
