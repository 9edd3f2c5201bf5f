"""Transcribing while the person speaks gives the same words, and leaves only the tail for the end."""

from __future__ import annotations

import pytest

from voicejournal.eager import EagerTranscriber
from voicejournal.metrics import word_error_rate
from voicejournal.settings import VadSettings
from voicejournal.types import SAMPLE_RATE
from voicejournal.vad import make_segmenter

pytestmark = pytest.mark.slow

THOUGHT = ["This morning I took the early train to the city.", "The carriage was quiet and I read my book.",
           "Then I met my aunt for coffee near the station."]


def test_pieces_at_pauses_join_to_the_whole_transcript(speak, engines) -> None:  # type: ignore[no-untyped-def]
    audio = speak(THOUGHT, pause_s=0.5)  # pauses shorter than the end-of-turn silence: one turn
    seg = make_segmenter(VadSettings())
    eager = EagerTranscriber(engines.transcriber)
    utts = []
    seen: list[str] = []
    block = SAMPLE_RATE // 10
    for i in range(0, len(audio.samples), block):
        utts += seg.feed(audio.samples[i:i + block])
        eager.update(seg)
        for piece in eager._pieces:  # wait as real time would allow: the stream is slower than Whisper
            piece.result()
        if seg.in_speech and (heard := eager.heard()) and heard not in seen:
            seen.append(heard)  # what the live loop lets the LLM read ahead
    utts += seg.flush()
    assert len(utts) == 1
    assert len(eager._pieces) >= 2, "the pauses inside the thought should have been transcribed early"
    transcript = eager.finish(utts[0])
    assert word_error_rate(" ".join(THOUGHT), transcript.text) <= 0.1, transcript.text
    assert seen and all(transcript.text.startswith(h) for h in seen), (seen, transcript.text)
    assert seen == sorted(seen, key=len)  # each read-ahead extends the last
    whole = engines.transcriber.transcribe(utts[0].audio)
    assert transcript.duration_ms < whole.duration_ms  # only the tail was left at the end
    eager.close()


def test_finish_without_pieces_transcribes_everything(speak, engines) -> None:  # type: ignore[no-untyped-def]
    audio = speak(["We had soup and bread for dinner."], pause_s=1.5)
    seg = make_segmenter(VadSettings())
    eager = EagerTranscriber(engines.transcriber)
    (utt,) = [*seg.feed(audio.samples), *seg.flush()]
    # Piper's voice varies a little between renders; one slip in seven words is allowed.
    assert word_error_rate("We had soup and bread for dinner.", eager.finish(utt).text) <= 0.15
    eager.close()
