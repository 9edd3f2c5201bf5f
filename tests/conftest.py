"""Shared fixtures: real models loaded once per test session, real files in tmp dirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicejournal.settings import Settings


@pytest.fixture(scope="session")
def model_cache() -> Path:
    """The user's model cache: models are assembled there once by `make install`."""
    return Settings().cache_dir


@pytest.fixture
def settings(tmp_path: Path, model_cache: Path) -> Settings:
    """Settings with a private, empty data dir for this test."""
    return Settings(data_dir=tmp_path / "data", cache_dir=model_cache)


@pytest.fixture(scope="session")
def engines(model_cache: Path):  # type: ignore[no-untyped-def]
    """The real shipped Whisper, Piper and GGUF models, loaded once for the whole run."""
    from voicejournal.app import load_engines

    return load_engines(Settings(cache_dir=model_cache))


@pytest.fixture(scope="session")
def voice(model_cache: Path):  # type: ignore[no-untyped-def]
    """The shipped Piper voice alone (for making test speech)."""
    from voicejournal import models
    from voicejournal.settings import TtsSettings
    from voicejournal.tts import PiperSynthesizer

    return PiperSynthesizer(models.resolve("tts", "joe", model_cache), TtsSettings())


def _renderer(voice):  # type: ignore[no-untyped-def]
    """Render sentences with `voice` into 16 kHz audio with pauses between them."""
    from voicejournal.tts import render_with_pauses

    def render(texts: list[str], pause_s: float = 2.0, noise: float = 0.002, seed: int = 0):  # type: ignore[no-untyped-def]
        return render_with_pauses(voice, texts, pause_s, noise=noise, seed=seed)

    return render


@pytest.fixture(scope="session")
def speak(voice):  # type: ignore[no-untyped-def]
    """Render sentences with the shipped Piper voice into 16 kHz audio with pauses between them."""
    return _renderer(voice)


@pytest.fixture(scope="session")
def steady_speak(voice):  # type: ignore[no-untyped-def]
    """Like `speak`, but Piper without its sampling noise: the same waveform on every run.

    Piper samples durations and timbre at random inside its ONNX graph (not seedable from Python),
    so tests that bound Whisper's word errors on a fixed text use this voice: the bound is then
    checked on one known rendering instead of a fresh draw each run. The loaded voice is shared.
    """
    import copy

    from piper import SynthesisConfig

    steady = copy.copy(voice)
    steady.syn_config = SynthesisConfig(length_scale=1.0, noise_scale=0.0, noise_w_scale=0.0)
    return _renderer(steady)
