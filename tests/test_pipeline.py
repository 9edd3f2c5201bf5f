"""The whole pipeline end to end on the real shipped models, real audio files and real SQLite."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import sqlite_utils
from click.testing import CliRunner

from voicejournal.audio import read_file, rms_dbfs, write_audio
from voicejournal.cli import main
from voicejournal.metrics import word_error_rate

pytestmark = pytest.mark.slow

REFLECTION = [
    "I spent the afternoon in the garden planting tomatoes.",
    "My neighbour came over and we talked about her new puppy.",
    "In the evening I cooked pasta and watched a film with my partner.",
]
WER_BOUND = 0.15
"""Per utterance. Whisper base int8 measured 1.9 % WER on this voice (shared/MODELS.md); one
wrong word in a ten-word sentence is 10 %, so 15 % allows one slip, never a garbled turn."""


def run_cli(args: list[str], input: str | None = None):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, args, input=input, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_round_trip_transcripts_land_in_sqlite(tmp_path: Path, steady_speak) -> None:  # type: ignore[no-untyped-def]
    wav = write_audio(tmp_path / "evening.wav", steady_speak(REFLECTION))
    data, replies = tmp_path / "data", tmp_path / "replies"
    run_cli(["--data-dir", str(data), "talk", "--input", str(wav), "--speak-to", str(replies)])

    db = sqlite_utils.Database(data / "journal.db")
    turns = list(db.query("select * from turns order by id"))
    assert len(turns) == len(REFLECTION)
    for said, turn in zip(REFLECTION, turns):
        assert word_error_rate(said, turn["user_text"]) <= WER_BOUND, (said, turn["user_text"])
        assert turn["reply_text"] and turn["reply_source"] in ("llm", "fallback")
        latency = json.loads(turn["latency_ms"])
        assert {"asr", "screen", "llm_first_token", "first_audio"} <= set(latency)
    session = next(db.query("select * from sessions"))
    assert session["ended_at"] and session["mode"] == "talk"


def test_each_utterance_gets_one_spoken_reply(tmp_path: Path, speak) -> None:  # type: ignore[no-untyped-def]
    wav = write_audio(tmp_path / "in.flac", speak(REFLECTION[:2], pause_s=2.5))
    replies = tmp_path / "replies"
    run_cli(["--data-dir", str(tmp_path / "d"), "talk", "--input", str(wav), "--speak-to", str(replies)])
    files = sorted(replies.glob("reply_*.wav"))
    assert [f.name for f in files] == ["reply_001.wav", "reply_002.wav"]
    for f in files:
        audio = read_file(f)
        assert audio.duration_s > 0.8 and rms_dbfs(audio.samples) > -35


class CountingBackend:
    """Wraps the real embedded backend and counts calls (a spy, not a fake)."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.calls, self.name = inner, 0, inner.name

    def stream(self, messages, max_tokens):  # type: ignore[no-untyped-def]
        self.calls += 1
        yield from self.inner.stream(messages, max_tokens)


def test_crisis_recording_is_answered_by_the_fixed_path(tmp_path: Path, speak, engines, settings) -> None:  # type: ignore[no-untyped-def]
    from voicejournal.app import Engines, open_journal, segmenter_for, start_conversation
    from voicejournal.audio import stream_file
    from voicejournal.conversation import QuietReporter
    from voicejournal.crisis import crisis_response
    from voicejournal.sinks import WavDirSink
    from voicejournal.vad import segment

    wav = write_audio(tmp_path / "crisis.wav", speak(["I have the pills in my hand and I am going to take them all tonight."]))
    spy = CountingBackend(engines.backend)
    spied = Engines(engines.transcriber, spy, engines.synthesizer)
    with open_journal(settings) as journal:
        convo = start_conversation(settings, spied, journal, WavDirSink(tmp_path / "out"), "talk", QuietReporter())
        (turn,) = convo.run(segment(stream_file(wav), segmenter_for(settings)))
        journal.end_session(convo.session_id)
    assert spy.calls == 0
    assert turn.screen.level.value == "imminent"
    assert turn.reply.source.value == "crisis"
    assert turn.reply.text == crisis_response(turn.screen, "US")
    assert "988" in turn.reply.text and "911" in turn.reply.text
    db = sqlite_utils.Database(settings.db_path)
    (event,) = db.query("select * from crisis_events")
    assert event["level"] == "imminent" and event["kind"] == "utterance"
    assert event["trigger"] == ",".join(turn.screen.reasons)  # rule names, not the person's words
    assert read_file(tmp_path / "out" / "reply_001.wav").duration_s > 3


def test_user_words_are_stored_before_the_llm_is_called(tmp_path: Path, engines, settings) -> None:  # type: ignore[no-untyped-def]
    from voicejournal.app import Engines, open_journal, start_conversation
    from voicejournal.conversation import QuietReporter
    from voicejournal.sinks import NullSink
    from voicejournal.types import Transcript

    seen: list[list[str]] = []

    class PeekingBackend(CountingBackend):
        def stream(self, messages, max_tokens):  # type: ignore[no-untyped-def]
            other = sqlite_utils.Database(settings.db_path)  # a second connection, as after a crash
            seen.append([r["user_text"] for r in other.query("select user_text from turns")])
            yield from super().stream(messages, max_tokens)

    with open_journal(settings) as journal:
        spied = Engines(engines.transcriber, PeekingBackend(engines.backend), None)
        convo = start_conversation(settings, spied, journal, NullSink(), "text", QuietReporter())
        convo.answer(Transcript("The bus was late again and I got soaked."), {})
    assert seen == [["The bus was late again and I got soaked."]]


def test_demo_runs_end_to_end_and_exports(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = run_cli(["--data-dir", str(data), "demo"]).output
    assert "You:" in out and "Companion" in out and "3 turns saved" in out
    assert len(list((data / "demo-replies").glob("reply_*.wav"))) == 3
    exported = json.loads(run_cli(["--data-dir", str(data), "export", "--format", "json"]).output)
    (session,) = exported["sessions"]
    assert session["mode"] == "demo" and len(session["turns"]) == 3
    turn = session["turns"][1]
    assert {"id", "started_at", "user_text", "reply_text", "reply_source", "screen", "latency_ms"} <= set(turn)
    assert turn["screen"]["level"] == "none" and turn["screen"]["category"] == "none"
    assert "tired" in turn["user_text"]
    assert [m["score"] for m in session["moods"]] == [6.0]  # "I'd say my mood is about a six"
    assert session["crisis_events"] == []
    assert (data / "journal.db").stat().st_mode & 0o077 == 0
    assert data.stat().st_mode & 0o077 == 0
