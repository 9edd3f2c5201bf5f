"""Turn segmentation on real synthesized speech and real noise, with the real VADs."""

from __future__ import annotations

import numpy as np
import pytest

from voicejournal.settings import VadSettings
from voicejournal.types import SAMPLE_RATE
from voicejournal.vad import SileroVerifier, make_segmenter, segment


def blocks(samples: np.ndarray, size: int = 4800):  # type: ignore[no-untyped-def]
    for i in range(0, len(samples), size):
        yield samples[i:i + size]


@pytest.mark.slow
def test_three_utterances_with_pauses_give_three_turns(speak) -> None:  # type: ignore[no-untyped-def]
    audio = speak(["I went for a run this morning.", "Then work was busy all day.", "Now I am tired but happy."])
    utts = list(segment(blocks(audio.samples), make_segmenter(VadSettings())))
    assert len(utts) == 3
    assert all(0.8 < u.audio.duration_s < 5 for u in utts)
    assert utts[0].start_s < utts[1].start_s < utts[2].start_s


@pytest.mark.slow
def test_short_thinking_pause_does_not_split_a_thought(speak) -> None:  # type: ignore[no-untyped-def]
    audio = speak(["I keep thinking about the meeting.", "And what she said after it."], pause_s=0.7)
    utts = list(segment(blocks(audio.samples), make_segmenter(VadSettings())))
    assert len(utts) == 1


@pytest.mark.slow
def test_pre_roll_keeps_the_first_syllable(speak) -> None:  # type: ignore[no-untyped-def]
    audio = speak(["Hello there."], noise=0.0)
    onset = int(np.argmax(np.abs(audio.samples) > 0.01)) / SAMPLE_RATE
    (utt,) = segment(blocks(audio.samples), make_segmenter(VadSettings()))
    assert utt.start_s <= onset - 0.1


def test_noise_only_yields_no_turns() -> None:
    rng = np.random.default_rng(3)
    noise = rng.normal(0, 0.1, SAMPLE_RATE * 8).astype(np.float32)  # loud broadband noise (a fan)
    clicks = np.zeros(SAMPLE_RATE * 4, np.float32)
    for start in range(0, len(clicks), SAMPLE_RATE):  # door knocks: short, loud bursts
        clicks[start:start + 800] = rng.normal(0, 0.5, 800)
    utts = list(segment(blocks(np.concatenate([noise, clicks])), make_segmenter(VadSettings())))
    assert utts == []


def test_silence_only_yields_no_turns() -> None:
    silence = np.zeros(SAMPLE_RATE * 5, np.float32)
    assert list(segment(blocks(silence), make_segmenter(VadSettings()))) == []


@pytest.mark.slow
def test_max_length_cuts_a_monologue(speak) -> None:  # type: ignore[no-untyped-def]
    audio = speak(["This is one long sentence that goes on and on about my day without a pause at all."],
                  pause_s=0.3)
    utts = list(segment(blocks(audio.samples), make_segmenter(VadSettings(max_utterance_s=2.0))))
    assert len(utts) >= 2
    assert all(u.audio.duration_s <= 2.05 for u in utts)


@pytest.mark.slow
def test_silero_hears_speech_not_noise(speak) -> None:  # type: ignore[no-untyped-def]
    verifier = SileroVerifier(0.5)
    speech = speak(["Good evening, I had a quiet day."], pause_s=0.2)
    noise = np.random.default_rng(0).normal(0, 0.1, SAMPLE_RATE * 2).astype(np.float32)
    assert verifier.speech_seconds(speech.samples) > 0.8
    assert verifier.speech_seconds(noise) < 0.1
