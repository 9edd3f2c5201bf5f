"""Reading, resampling and writing audio; the pipeline runs on 16 kHz mono float32."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import BinaryIO, Iterator

import numpy as np

from voicejournal.errors import AudioError
from voicejournal.types import SAMPLE_RATE, Audio

BLOCK_S = 0.5
"""Decoded audio is handed on in blocks of this length, so memory stays bounded on long files."""


def _open_container(path: Path | BinaryIO):  # type: ignore[no-untyped-def]
    import av

    if not isinstance(path, Path):  # a recording decrypted in memory
        return _decode_open(av, path, getattr(path, "name", "recording"))
    if not path.exists():
        raise AudioError(f"{path} does not exist; check the path.")
    if path.is_dir():
        raise AudioError(f"{path} is a folder; give an audio file (WAV, FLAC, OGG, MP3, M4A).")
    if path.stat().st_size == 0:
        raise AudioError(f"{path} is empty; record again or pick another file.")
    return _decode_open(av, str(path), path)


def _decode_open(av, source: str | BinaryIO, name: object):  # type: ignore[no-untyped-def]
    try:
        container = av.open(source)
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise AudioError(
            f"{name} is not a readable audio file ({exc.__class__.__name__}); "
            "convert it to WAV, FLAC, OGG, MP3 or M4A and try again."
        ) from exc
    if not container.streams.audio:
        container.close()
        raise AudioError(f"{name} has no audio stream; give an audio recording.")
    return container


def _mono(planes: np.ndarray) -> np.ndarray:
    return planes.mean(axis=0).astype(np.float32) if planes.ndim == 2 else planes.astype(np.float32)


def stream_file(path: Path | BinaryIO, rate: int = SAMPLE_RATE, block_s: float = BLOCK_S) -> Iterator[np.ndarray]:
    """Decode any common audio file (or one already in memory) to mono float32 at `rate`, block by block."""
    import av

    container = _open_container(path if hasattr(path, "read") else Path(path))  # type: ignore[arg-type]
    # Keep the source layout and average channels ourselves: ffmpeg's downmix adds +3 dB and clips.
    resampler = av.AudioResampler(format="fltp", rate=rate)
    block = int(rate * block_s)
    pending: list[np.ndarray] = []
    held = 0
    got_any = False
    try:
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                pcm = _mono(out.to_ndarray())
                pending.append(pcm)
                held += len(pcm)
                got_any = True
                while held >= block:
                    joined = np.concatenate(pending)
                    yield joined[:block]
                    rest = joined[block:]
                    pending, held = ([rest] if len(rest) else []), len(rest)
        for out in resampler.resample(None):
            pending.append(_mono(out.to_ndarray()))
    except av.error.FFmpegError as exc:
        if not got_any:
            raise AudioError(
                f"{path} could not be decoded ({exc.__class__.__name__}); the file may be corrupt. "
                "Re-export it as WAV or FLAC and try again."
            ) from exc
        # A truncated tail: keep everything decoded so far, lose nothing that was readable.
    finally:
        container.close()
    if pending:
        tail = np.concatenate(pending)
        if len(tail):
            yield tail
    if not got_any:
        raise AudioError(f"{path} contains no decodable audio; record again or pick another file.")


def read_file(path: Path | BinaryIO, rate: int = SAMPLE_RATE) -> Audio:
    """Decode a whole file (for short clips and tests)."""
    blocks = list(stream_file(path, rate))
    return Audio(np.concatenate(blocks) if blocks else np.zeros(0, np.float32), rate)


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Band-limited-enough linear-phase resampling for speech (windowed-sinc via numpy)."""
    if src_rate == dst_rate or len(samples) == 0:
        return samples.astype(np.float32, copy=False)
    n_out = int(round(len(samples) * dst_rate / src_rate))
    if dst_rate < src_rate:
        # Low-pass before decimating to avoid aliasing.
        cutoff = dst_rate / src_rate / 2 * 0.9
        taps = 63
        t = np.arange(taps) - (taps - 1) / 2
        kernel = 2 * cutoff * np.sinc(2 * cutoff * t) * np.hamming(taps)
        kernel /= kernel.sum()
        samples = np.convolve(samples, kernel, mode="same")
    x_old = np.arange(len(samples)) / src_rate
    x_new = np.arange(n_out) / dst_rate
    return np.interp(x_new, x_old, samples).astype(np.float32)


def to_int16(samples: np.ndarray) -> np.ndarray:
    return (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)


def wav_bytes(audio: Audio) -> bytes:
    return encode_audio(audio, "WAV")


def encode_audio(audio: Audio, fmt: str = "WAV") -> bytes:
    """The file a `write_audio` would write, in memory (for recordings sealed before they touch the disk)."""
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, *_encodable(audio, fmt), format=fmt, subtype=_SUBTYPES.get(fmt, "PCM_16"))
    return buf.getvalue()


_SUBTYPES = {"WAV": "PCM_16", "FLAC": "PCM_16", "OGG": "VORBIS"}


def _encodable(audio: Audio, fmt: str) -> tuple[np.ndarray, int]:
    return (audio.samples if fmt == "OGG" else to_int16(audio.samples)), audio.rate


def write_audio(path: Path, audio: Audio, fmt: str | None = None) -> Path:
    """Write audio atomically as WAV (or FLAC/OGG by suffix), private to the user."""
    import soundfile as sf

    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".").upper() or "WAV"
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    old = os.umask(0o077)
    try:
        sf.write(str(tmp), *_encodable(audio, fmt), format=fmt, subtype=_SUBTYPES.get(fmt, "PCM_16"))
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise AudioError(f"Could not write {path} ({exc.strerror or exc}); check the folder and free disk space.") from exc
    finally:
        os.umask(old)
    return path


def rms_dbfs(samples: np.ndarray) -> float:
    """Loudness of a block in dBFS, for meters and silence checks."""
    if len(samples) == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return 20 * np.log10(max(rms, 1e-6))
