"""Speaking replies on the output device, in a way that can be stopped within one block.

`play` only queues a sentence and returns, so the next sentence is generated while this one
plays; the device callback copies one queued block per call. Between blocks the player calls
`tick()`, which lets the live loop watch the microphone and say "stop" (barge-in, the person
resumed speaking, Ctrl-C). After a stop, the player knows how much of the reply was heard.
"""

from __future__ import annotations

import logging
import math
import queue
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from voicejournal.audio import resample
from voicejournal.devices import close_stream, require_portaudio
from voicejournal.mic import DeviceLost, describe_error, device_arg
from voicejournal.types import Audio

log = logging.getLogger(__name__)

Tick = Callable[[], bool]
"""Called between output blocks; returns True when playback must stop now."""


def _never() -> bool:
    return False


@dataclass
class ReplyPlayback:
    """What happened to one reply: its text by sentence, how much was played, whether it was cut."""

    sentences: list[tuple[str, int, int]] = field(default_factory=list)
    """(text, first frame, end frame) of each sentence in the reply's audio."""
    queued_frames: int = 0
    played_frames: int = 0
    stopped: bool = False
    first_sample_at: float | None = None
    """perf_counter() time the first sample reached the output (queue time + device latency)."""

    @property
    def started(self) -> bool:
        return self.queued_frames > 0

    def heard_text(self) -> str:
        """The reply as far as it was heard: whole sentences, then the heard share of the words."""
        if not self.stopped:
            return " ".join(s for s, _, _ in self.sentences)
        out: list[str] = []
        for text, start, end in self.sentences:
            if self.played_frames >= end:
                out.append(text)
                continue
            if self.played_frames > start:
                words = text.split()
                share = (self.played_frames - start) / max(1, end - start)
                cut = words[:int(math.floor(len(words) * share))]
                if cut:
                    out.append(" ".join(cut) + "…")
            break
        return " ".join(out)


class Player:
    """An AudioSink on a sounddevice output stream that can stop mid-sentence."""

    BLOCK_MS = 20

    def __init__(self, device: str | int | None = None, tick: Tick = _never, latency_s: float = 0.08) -> None:
        self.device = device_arg(device)
        self.tick = tick
        self.hold: Tick = _never
        """True while the reply must not start yet (the person is speaking); `tick` is watched meanwhile."""
        self.latency_s = latency_s
        self.rate = 0
        self.name = ""
        self.reply = ReplyPlayback()
        self._stream: Any = None
        self._sd: Any = None
        self._queue: queue.Queue[np.ndarray] = queue.Queue()
        self._block = 0
        self._running = False
        self._started_at = 0.0

    def open(self, voice_rate: int = 22050) -> "Player":
        """Open (not start) the output device at the voice's rate, or the device's own rate."""
        sd = self._sd = require_portaudio()
        try:
            info = sd.query_devices(self.device, kind="output")
        except (ValueError, sd.PortAudioError) as exc:
            raise describe_error(exc, "speaker", self.device) from exc
        self.name = str(info["name"])
        try:
            sd.check_output_settings(device=self.device, samplerate=voice_rate, channels=1, dtype="float32")
            self.rate = voice_rate
        except sd.PortAudioError:
            self.rate = int(info["default_samplerate"])
        self._block = self.rate * self.BLOCK_MS // 1000
        self._queue = queue.Queue(maxsize=int(120_000 / self.BLOCK_MS))  # two minutes of speech
        try:
            self._stream = sd.OutputStream(device=self.device, samplerate=self.rate, channels=1, dtype="float32",
                                           blocksize=self._block, latency=self.latency_s, callback=self._callback)
        except sd.PortAudioError as exc:
            raise describe_error(exc, "speaker", self.device) from exc
        return self

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        # The audio thread: copy one queued block out, or silence. Nothing else.
        try:
            block = self._queue.get_nowait()
        except queue.Empty:
            outdata.fill(0)
            return
        outdata[:len(block), 0] = block
        outdata[len(block):, 0] = 0

    # -- AudioSink ---------------------------------------------------------------------------

    def begin_reply(self) -> None:
        self.reply = ReplyPlayback()

    def mark_sentence(self, text: str) -> None:
        """The clips played from now on speak this sentence (for cutting the stored text)."""
        at = self.reply.queued_frames
        if self.reply.sentences:
            prev = self.reply.sentences[-1]
            self.reply.sentences[-1] = (prev[0], prev[1], at)
        self.reply.sentences.append((text, at, at))

    def play(self, audio: Audio) -> None:
        """Queue one clip and return at once (waiting only while the queue is full)."""
        if self.reply.stopped or self._check_stop():
            return
        while not self._running and self.hold():  # never start over the person's words
            if self._check_stop():
                return
            time.sleep(self.BLOCK_MS / 1000)
        samples = resample(audio.samples, audio.rate, self.rate)
        pad = (-len(samples)) % self._block
        samples = np.concatenate([samples, np.zeros(pad, np.float32)]) if pad else samples
        for i in range(0, len(samples), self._block):
            while not self._offer(samples[i:i + self._block]):
                if self._check_stop():
                    return
            self.reply.queued_frames += self._block
            if self.reply.sentences:
                text, start, _ = self.reply.sentences[-1]
                self.reply.sentences[-1] = (text, start, self.reply.queued_frames)
            self._start()

    def end_reply(self) -> Path | None:
        """Wait until the reply has been heard (or stopped), watching `tick` all the while."""
        while self._running and not self.reply.stopped:
            if self._queue.empty():
                self._finish()
                break
            if self._check_stop():
                break
            time.sleep(self.BLOCK_MS / 1000)
        return None

    # -- control -------------------------------------------------------------------------------

    def stop(self) -> None:
        """Silence the reply now and note how much of it was heard."""
        if self.reply.stopped:
            return
        left = self._discard()
        self.reply.stopped = True
        if self._running:
            latency = int(self._stream.latency * self.rate) if self._stream is not None else 0
            self.reply.played_frames = max(0, self.reply.queued_frames - left * self._block - latency)
            self._halt(abort=True)

    def _check_stop(self) -> bool:
        if self.tick():
            self.stop()
            return True
        return False

    def _offer(self, block: np.ndarray) -> bool:
        try:
            self._queue.put(block, timeout=self.BLOCK_MS / 1000)
            return True
        except queue.Full:
            return False

    def _discard(self) -> int:
        count = 0
        while True:
            try:
                self._queue.get_nowait()
                count += 1
            except queue.Empty:
                return count

    def _start(self) -> None:
        if self._running or self._stream is None:
            return
        try:
            self._stream.start()
        except self._sd.PortAudioError as exc:
            raise DeviceLost(f"The speaker {self.name!r} could not play ({exc}); plug it back in or pick "
                             "another with `--output-device`.") from exc
        self._running = True
        self._started_at = time.perf_counter()
        self.reply.first_sample_at = self._started_at + float(self._stream.latency)

    def _finish(self) -> None:
        # The last block has been handed to the device; let it drain through the device latency.
        time.sleep(float(self._stream.latency) + self.BLOCK_MS / 1000)
        self.reply.played_frames = self.reply.queued_frames
        self._halt(abort=False)

    def _halt(self, abort: bool) -> None:
        if self._stream is None or not self._running:
            return
        try:
            self._stream.abort() if abort else self._stream.stop()
        except self._sd.PortAudioError as exc:
            log.debug("stopping the output stream: %s", exc)
        self._running = False

    @property
    def playing(self) -> bool:
        return self._running

    def close(self) -> None:
        stream, self._stream = self._stream, None
        close_stream(stream, "output")
        self._running = False

