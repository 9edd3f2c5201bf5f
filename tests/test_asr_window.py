"""Whisper's shortened encoder window: cheaper per clip, and the same words as the stock 30 s."""

from __future__ import annotations

from dataclasses import replace

import pytest

from voicejournal.asr import FULL_WINDOW, WhisperTranscriber, encoder_frames
from voicejournal.metrics import word_error_rate
from voicejournal.settings import AsrSettings

SENTENCES = [
    "I walked to the station this morning, and it was raining the whole way.",
    "My brother finally called me back, and we talked for almost an hour about our dad.",
    "Honestly I am exhausted, but the presentation went well and my manager was pleased.",
]


def test_window_covers_the_speech_and_a_floor() -> None:
    assert encoder_frames(16000 * 3, 15.0) == 1500  # a short clip: the 15 s floor
    assert encoder_frames(16000 * 20, 15.0) == 2200  # longer speech: all of it plus 2 s
    assert encoder_frames(16000 * 29, 15.0) == FULL_WINDOW  # never past Whisper's 30 s
    assert encoder_frames(16000 * 90, 15.0) == FULL_WINDOW  # long files keep stock 30 s windows
    assert encoder_frames(16000 * 3, 30.0) == FULL_WINDOW  # window_s = 30 is stock Whisper
    assert encoder_frames(16001, 0.0) == 301  # a partial frame counts as one


@pytest.mark.parametrize("text", SENTENCES)
def test_short_window_hears_what_the_full_window_hears(text: str, steady_speak, engines) -> None:  # type: ignore[no-untyped-def]
    audio = steady_speak([text], pause_s=0.3)  # one known rendering: Piper samples at random otherwise
    short = engines.transcriber
    assert short.settings.window_s < 30
    stock = WhisperTranscriber.__new__(WhisperTranscriber)  # the same loaded model, stock window
    stock.__dict__.update(short.__dict__, settings=replace(short.settings, window_s=30.0))
    got_short, got_stock = short.transcribe(audio), stock.transcribe(audio)
    assert word_error_rate(text, got_short.text) <= word_error_rate(text, got_stock.text) + 0.05
    assert word_error_rate(text, got_short.text) <= 0.15


def test_default_window_is_the_measured_one() -> None:
    assert AsrSettings().window_s == 15.0
