"""Where spoken replies go: the speaker, numbered WAV files, or nowhere."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from voicejournal.audio import write_audio
from voicejournal.private import private_dir
from voicejournal.types import Audio


class AudioSink(Protocol):
    """Receives one reply as a series of sentence clips."""

    def begin_reply(self) -> None: ...

    def play(self, audio: Audio) -> None: ...

    def end_reply(self) -> Path | None: ...


class NullSink:
    """Speaks nowhere (text mode, `--no-voice`)."""

    def begin_reply(self) -> None:
        return None

    def play(self, audio: Audio) -> None:
        return None

    def end_reply(self) -> Path | None:
        return None


class WavDirSink:
    """Writes each reply as reply_001.wav, reply_002.wav, … in a folder (no sound card needed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = private_dir(Path(folder))
        self.count = len(list(self.folder.glob("reply_*.wav")))
        self._clips: list[Audio] = []

    def begin_reply(self) -> None:
        self._clips = []

    def play(self, audio: Audio) -> None:
        self._clips.append(audio)

    def end_reply(self) -> Path | None:
        if not self._clips:
            return None
        rate = self._clips[0].rate
        gap = np.zeros(int(rate * 0.15), np.float32)
        joined = np.concatenate([x for c in self._clips for x in (c.samples, gap)])
        self.count += 1
        return write_audio(self.folder / f"reply_{self.count:03d}.wav", Audio(joined, rate))


class SpeakerSink:
    """Plays each sentence on the output device as soon as it is synthesized."""

    def __init__(self, device: str | int | None = None) -> None:
        from voicejournal.devices import require_portaudio

        self.sd = require_portaudio()
        self.device = device

    def begin_reply(self) -> None:
        return None

    def play(self, audio: Audio) -> None:
        self.sd.play(audio.samples, audio.rate, device=self.device, blocking=True)

    def end_reply(self) -> Path | None:
        return None
