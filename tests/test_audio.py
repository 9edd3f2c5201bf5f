"""Decoding real files of many formats to 16 kHz mono, and clear errors for bad ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voicejournal.audio import read_file, resample, rms_dbfs, stream_file, write_audio
from voicejournal.errors import AudioError
from voicejournal.types import Audio


def tone(rate: int, seconds: float = 1.0, freq: float = 440.0, amp: float = 0.3) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize(
    ("rate", "channels", "subtype", "fmt", "suffix"),
    [
        (48000, 2, "FLOAT", "WAV", ".wav"),
        (8000, 1, "PCM_16", "WAV", ".wav"),
        (44100, 1, "PCM_24", "WAV", ".wav"),
        (22050, 2, "PCM_16", "FLAC", ".flac"),
        (16000, 1, "VORBIS", "OGG", ".ogg"),
    ],
)
def test_formats_decode_to_16k_mono(tmp_path: Path, rate: int, channels: int, subtype: str, fmt: str, suffix: str) -> None:
    x = tone(rate)
    data = np.stack([x] * channels, 1) if channels > 1 else x
    path = tmp_path / f"clip{suffix}"
    sf.write(path, data, rate, subtype=subtype, format=fmt)
    audio = read_file(path)
    assert audio.rate == 16000
    assert abs(audio.duration_s - 1.0) < 0.05
    # Channels are averaged, not summed: the level stays where it was.
    assert abs(np.abs(audio.samples[2000:-2000]).max() - 0.3) < 0.03


def test_mp3_decodes(tmp_path: Path) -> None:
    import av

    path = tmp_path / "clip.mp3"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mp3", rate=44100)
        frame = av.AudioFrame.from_ndarray(tone(44100)[None, :], format="fltp", layout="mono")
        frame.sample_rate = 44100
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    audio = read_file(path)
    assert audio.rate == 16000 and audio.duration_s > 0.9


def test_long_file_streams_in_bounded_blocks(tmp_path: Path) -> None:
    path = tmp_path / "long.wav"
    sf.write(path, tone(16000, 20.0), 16000)
    blocks = list(stream_file(path))
    assert max(len(b) for b in blocks) <= 8000
    assert sum(len(b) for b in blocks) == 20 * 16000


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"", "empty"), (b"this is a text file, not audio", "not a readable audio file"),
     (b"RIFF\x00\x00\x00\x00WAVEfmt garbage", "not a readable audio file")],
)
def test_bad_files_give_one_line_errors(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "broken.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError, match=needle) as info:
        read_file(path)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="does not exist"):
        read_file(tmp_path / "nope.wav")


def test_truncated_wav_keeps_what_was_readable(tmp_path: Path) -> None:
    path = tmp_path / "cut.wav"
    sf.write(path, tone(16000, 2.0), 16000)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    audio = read_file(path)
    assert 0.8 < audio.duration_s <= 1.05


def test_resample_keeps_duration_and_level() -> None:
    x = tone(48000, 1.0, freq=300)
    y = resample(x, 48000, 16000)
    assert len(y) == 16000
    assert abs(np.abs(y[1000:-1000]).max() - 0.3) < 0.02


def test_write_audio_is_private(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "a.flac", Audio(tone(16000), 16000))
    assert path.stat().st_mode & 0o077 == 0
    assert rms_dbfs(read_file(path).samples) > -20
