"""The microphone: a sounddevice stream whose callback only copies frames into a bounded queue.

Everything else (resampling to 16 kHz, metering, VAD) runs in the caller's thread. When the
queue is full the oldest block is dropped and counted, so a stalled consumer never blocks the
audio thread and never grows memory.
"""

from __future__ import annotations

import logging
import queue
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from voicejournal.devices import close_stream, require_portaudio
from voicejournal.errors import AudioError
from voicejournal.types import SAMPLE_RATE

log = logging.getLogger(__name__)


class DeviceLost(AudioError):
    """A sound device stopped delivering or accepting audio mid-session (unplugged, taken)."""


def device_arg(value: str | int | None) -> str | int | None:
    """A device given as an index ('3') or part of its name ('USB'), as sounddevice wants it."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value or None


def describe_error(exc: Exception, what: str, device: str | int | None) -> AudioError:
    """One line that says what went wrong with a device and how to fix it."""
    text = str(exc)
    low = text.lower()
    flag = "--input-device" if what == "microphone" else "--output-device"
    if device is None and ("-1" in text or "no default" in low or "no input" in low or "no output" in low):
        return AudioError(f"No {what} found; plug one in, or pick one with `{flag}` (see `voicejournal devices`)"
                          + (", or talk over a recording with `--input FILE`." if what == "microphone" else "."))
    if "matching" in low or "invalid device" in low or "out of range" in low:
        return AudioError(f"No {what} matches {device!r}; run `voicejournal devices` and pass its number to `{flag}`.")
    if "busy" in low or "unavailable" in low or "unanticipated host error" in low:
        return AudioError(f"The {what} is busy or unavailable ({text}); close other programs using it, "
                          f"or pick another with `{flag}`.")
    return AudioError(f"Could not open the {what} ({text}); check it in `voicejournal devices` or pick "
                      f"another with `{flag}`.")


class StreamResampler:
    """Resamples a block stream without seams: filter history and the fractional phase carry over."""

    TAPS = 63

    def __init__(self, src_rate: int, dst_rate: int) -> None:
        self.src_rate, self.dst_rate = src_rate, dst_rate
        self.step = src_rate / dst_rate
        self.kernel: np.ndarray | None = None
        if dst_rate < src_rate:
            cutoff = dst_rate / src_rate / 2 * 0.9
            t = np.arange(self.TAPS) - (self.TAPS - 1) / 2
            kernel = 2 * cutoff * np.sinc(2 * cutoff * t) * np.hamming(self.TAPS)
            self.kernel = (kernel / kernel.sum()).astype(np.float32)
        self._history = np.zeros(self.TAPS - 1, np.float32)
        self._pending = np.zeros(0, np.float32)
        self._pos = 0.0

    def process(self, block: np.ndarray) -> np.ndarray:
        """Return the output samples this block completes."""
        if self.src_rate == self.dst_rate:
            return block.astype(np.float32, copy=False)
        x = block.astype(np.float32, copy=False)
        if self.kernel is not None:
            joined = np.concatenate([self._history, x])
            self._history = joined[-(self.TAPS - 1):]
            x = np.convolve(joined, self.kernel, mode="valid").astype(np.float32)
        buf = np.concatenate([self._pending, x])
        last = len(buf) - 1
        if last < self._pos:
            self._pending = buf
            return np.zeros(0, np.float32)
        n = int(np.floor((last - self._pos) / self.step)) + 1
        where = self._pos + self.step * np.arange(n)
        out = np.interp(where, np.arange(len(buf)), buf).astype(np.float32)
        after = self._pos + self.step * n
        drop = min(int(np.floor(after)), len(buf))
        self._pending = buf[drop:]
        self._pos = after - drop
        return out


@dataclass(frozen=True)
class MicStats:
    """How the capture went: blocks dropped because the consumer fell behind, device overflows."""

    dropped_blocks: int
    overflows: int
    device_rate: int


class Microphone:
    """Capture from one input device; `read` returns 16 kHz mono float32 blocks."""

    def __init__(self, device: str | int | None = None, block_ms: int = 30, queue_s: float = 20.0,
                 rate: int | None = None, stall_s: float = 2.0) -> None:
        self.device = device_arg(device)
        self.block_ms = block_ms
        self.queue_s = queue_s
        self.forced_rate = rate
        self.stall_s = stall_s
        self.name = ""
        self.rate = SAMPLE_RATE
        self._queue: queue.Queue[np.ndarray] = queue.Queue()
        self._stream: Any = None
        self._resampler: StreamResampler | None = None
        self._dropped = 0
        self._overflows = 0
        self._last_block = 0.0

    def open(self) -> "Microphone":
        """Find the device, pick a rate it offers (16 kHz if it can), and start capturing."""
        sd = require_portaudio()
        try:
            info = sd.query_devices(self.device, kind="input")
        except (ValueError, sd.PortAudioError) as exc:
            raise describe_error(exc, "microphone", self.device) from exc
        self.name = str(info["name"])
        self.rate = self.forced_rate or self._pick_rate(sd, int(info["default_samplerate"]))
        block = max(1, self.rate * self.block_ms // 1000)
        self._queue = queue.Queue(maxsize=max(4, int(self.queue_s * 1000 / self.block_ms)))
        self._resampler = StreamResampler(self.rate, SAMPLE_RATE)
        try:
            self._stream = sd.InputStream(device=self.device, samplerate=self.rate, channels=1, dtype="float32",
                                          blocksize=block, callback=self._callback)
            self._stream.start()
        except sd.PortAudioError as exc:
            self._stream = None
            raise describe_error(exc, "microphone", self.device) from exc
        self._last_block = time.monotonic()
        log.info("microphone %s at %d Hz", self.name, self.rate)
        return self

    def _pick_rate(self, sd: Any, default_rate: int) -> int:
        try:
            sd.check_input_settings(device=self.device, samplerate=SAMPLE_RATE, channels=1, dtype="float32")
            return SAMPLE_RATE
        except sd.PortAudioError:
            return default_rate

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        # The audio thread: copy and enqueue, nothing else. Single producer, so put after get succeeds.
        if status.input_overflow:
            self._overflows += 1
        block = indata[:, 0].copy()
        try:
            self._queue.put_nowait(block)
        except queue.Full:
            try:
                self._queue.get_nowait()
                self._dropped += 1
            except queue.Empty:
                pass
            self._queue.put_nowait(block)

    def read(self, timeout: float = 0.1) -> np.ndarray | None:
        """The next block at 16 kHz, or None if none arrived within `timeout`."""
        try:
            block = self._queue.get(timeout=timeout)
        except queue.Empty:
            self._check_alive()
            return None
        self._last_block = time.monotonic()
        assert self._resampler is not None
        return self._resampler.process(block)

    def drain(self) -> np.ndarray:
        """Everything queued so far at 16 kHz (possibly empty), without waiting."""
        out: list[np.ndarray] = []
        while True:
            try:
                block = self._queue.get_nowait()
            except queue.Empty:
                break
            assert self._resampler is not None
            out.append(self._resampler.process(block))
        if out:
            self._last_block = time.monotonic()
        else:
            self._check_alive()
        return np.concatenate(out) if out else np.zeros(0, np.float32)

    def _check_alive(self) -> None:
        stream = self._stream
        if stream is None:
            return
        quiet = time.monotonic() - self._last_block
        if not stream.active or quiet > self.stall_s:
            raise DeviceLost(f"The microphone {self.name!r} stopped delivering audio (unplugged or taken by "
                             "another program); plug it back in or pick another with `--input-device`.")

    @property
    def stats(self) -> MicStats:
        return MicStats(self._dropped, self._overflows, self.rate)

    def close(self) -> None:
        stream, self._stream = self._stream, None
        close_stream(stream, "microphone")

    def __enter__(self) -> "Microphone":
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()
