"""The spoken mood check-in: its dialogue from text, then real Piper speech through `mood --input`
and through the PulseAudio virtual microphone, into a real SQLite journal."""

from __future__ import annotations

import io
import json
import re
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import sqlite_utils
from click.testing import CliRunner

from tests.pulse import Pulse, pulse  # noqa: F401 - the fixture
from voicejournal import app, checkin
from voicejournal.checkin import CheckinDialogue
from voicejournal.cli import main
from voicejournal.crisis import CrisisScreen
from voicejournal.types import Level, ReplySource, ScreenResult

NONE = ScreenResult(Level.NONE)


def screened(text: str) -> ScreenResult:
    return CrisisScreen().screen(text)


# -- the dialogue, from text ---------------------------------------------------------------------

@pytest.mark.parametrize("answers, score, tags", [
    (["About a six, a bit tired but calm.", "yes"], 6.0, ("tired", "calm")),
    (["six and a half", "yeah that's right"], 6.5, ()),
    (["seven out of ten", "yep"], 7.0, ()),
    (["pretty bad, maybe a three", "correct"], 3.0, ()),
    (["I'm good", "yes"], 7.0, ()),
    (["exhausted", "no, a five"], 5.0, ("tired",)),          # a correction keeps what it does not name
    (["About a six.", "No, make that a four.", "yes"], 4.0, ()),
    (["um", "about a six", "no", "a four"], 4.0, ()),          # a retry, then "no" asks what it should be
    (["a six", "six, yes"], 6.0, ()),                          # repeating the same value confirms it
])
def test_answers_and_corrections_log_the_right_mood(answers: list[str], score: float, tags: tuple) -> None:
    d = CheckinDialogue()
    steps = [d.hear(text, NONE, n) for n, text in enumerate(answers, 1)]
    final = steps[-1] if not steps[-1].listen else d.silence()
    assert d.done and final.logged is not None, [s.say for s in steps]
    assert (final.logged.score, final.logged.tags) == (score, tags)
    assert all(s.logged is None for s in steps[:-1])


def test_read_back_says_what_was_understood_and_silence_confirms_it() -> None:
    d = CheckinDialogue()
    step = d.hear("Pretty stressed, maybe a four.", NONE, 7)
    assert step.listen and "four out of ten" in step.say and "stressed" in step.say and step.logged is None
    final = d.silence()
    assert final.logged is not None and final.logged.score == 4 and final.turn_id == 7 and not final.listen


def test_no_mood_twice_lets_it_be() -> None:
    d = CheckinDialogue()
    assert d.hear("hmm let me think", NONE).say == checkin.RETRY
    last = d.hear("I don't know really", NONE)
    assert d.done and last.logged is None and last.say == checkin.GIVE_UP


def test_a_crisis_statement_gets_the_fixed_response_never_a_mood_answer() -> None:
    d = CheckinDialogue()
    d.hear("I'm about a three.", NONE, 1)
    text = "Honestly I want to kill myself."
    step = d.hear(text, screened(text), 2)
    assert step.source == ReplySource.CRISIS and d.done and not step.listen
    assert "988" in step.say and "out of ten" not in step.say
    assert step.logged is not None and step.logged.score == 3 and step.turn_id == 1  # said before, kept


# -- real speech through `voicejournal mood --input` ----------------------------------------------

@pytest.fixture
def cli(monkeypatch, engines, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run the CLI on a fresh journal with the session's loaded models (no second model load)."""
    monkeypatch.setattr(app, "load_engines", lambda *a, **k: engines)
    data = tmp_path / "data"

    def run(*args: str):  # type: ignore[no-untyped-def]
        result = CliRunner().invoke(main, ["--data-dir", str(data), *args])
        return result, sqlite_utils.Database(data / "journal.db")

    return run


def recording(speak, tmp_path: Path, texts: list[str]) -> Path:  # type: ignore[no-untyped-def]
    from voicejournal.audio import write_audio

    return write_audio(tmp_path / "checkin.wav", speak(texts, pause_s=1.8))


@pytest.mark.slow
def test_spoken_checkin_from_a_recording_logs_score_and_tags(cli, steady_speak, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result, db = cli("mood", "--input", str(recording(steady_speak, tmp_path, ["I'm about a six. Tired, but calm."])))
    assert result.exit_code == 0, result.output
    assert "Logged mood 6/10 (tired, calm)." in result.output
    (mood,) = db.query("select * from moods")
    assert mood["score"] == 6 and json.loads(mood["tags"]) == ["tired", "calm"] and mood["source"] == "checkin"
    (turn,) = db.query("select * from turns")
    assert turn["id"] == mood["turn_id"] and re.search(r"\b(six|6)\b", turn["user_text"].lower())
    assert turn["audio_path"].endswith(".flac") and Path(turn["audio_path"]).is_file()  # kept for replay
    assert "I heard a six out of ten" in turn["reply_text"]
    (session,) = db.query("select * from sessions")
    assert session["mode"] == "mood" and session["status"] == "complete"


@pytest.mark.slow
def test_a_spoken_correction_logs_the_corrected_score(cli, steady_speak, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wav = recording(steady_speak, tmp_path, ["About a six.", "No, make that a four."])
    result, db = cli("mood", "--input", str(wav))
    assert result.exit_code == 0, result.output
    assert [m["score"] for m in db.query("select score from moods")] == [4]
    assert "Logged mood 4/10." in result.output


@pytest.mark.slow
def test_a_crisis_statement_in_a_checkin_takes_the_fixed_crisis_path(cli, speak, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wav = recording(speak, tmp_path, ["I think I want to end my life."])
    result, db = cli("mood", "--input", str(wav))
    assert result.exit_code == 0, result.output
    (turn,) = db.query("select * from turns")
    assert turn["reply_source"] == "crisis" and "988" in turn["reply_text"]
    assert "out of ten" not in turn["reply_text"]
    (event,) = db.query("select * from crisis_events")
    assert event["turn_id"] == turn["id"] and event["kind"] == "utterance" and event["level"] in ("risk", "imminent")
    assert list(db.query("select * from moods")) == []
    assert "No mood logged (the check-in stopped for your safety)" in result.output


def test_mood_options_that_do_not_fit_are_one_clear_line(tmp_path: Path) -> None:
    runner = CliRunner()
    both = runner.invoke(main, ["--data-dir", str(tmp_path), "mood", "6", "--input", "x.wav"])
    assert "not both" in str(both.exception)
    tags = runner.invoke(main, ["--data-dir", str(tmp_path), "mood", "--input", "x.wav", "--tags", "calm"])
    assert "go with a typed SCORE" in str(tags.exception)


# -- the spoken check-in through the virtual microphone and speaker -------------------------------

@pytest.mark.audio
@pytest.mark.slow
def test_spoken_checkin_through_the_virtual_microphone(pulse: Pulse, monkeypatch, engines, speak,  # noqa: F811
                                                       settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Asked aloud on the speaker, answered into the microphone, confirmed by voice, logged (corrections: above)."""
    from rich.console import Console

    from voicejournal.audio import write_audio

    monkeypatch.setattr(app, "load_engines", lambda *a, **k: engines)
    answers = [write_audio(tmp_path / f"a{n}.wav", speak([t], pause_s=0.2)) for n, t in
               enumerate(["About a six.", "Yes."])]
    listening = threading.Event()

    class Cued(checkin.MicListener):
        def listen(self, wait_s: float):  # type: ignore[no-untyped-def]
            listening.set()
            return super().listen(wait_s)

    monkeypatch.setattr(checkin, "MicListener", Cued)

    def person() -> None:
        for wav in answers:
            assert listening.wait(60)
            listening.clear()
            time.sleep(0.3)
            pulse.play(wav).wait(timeout=20)

    shown = io.StringIO()
    from voicejournal.vad import SileroVerifier

    engines.transcriber.transcribe(speak(["Hello."]))  # warm both up, as a full run already has
    SileroVerifier(0.5).speech_seconds(np.zeros(16000, np.float32))
    speaker = pulse.record(tmp_path / "spoken.wav")
    talker = threading.Thread(target=person, daemon=True)
    talker.start()
    t0 = time.monotonic()
    try:
        result = checkin.checkin_live(settings, Console(file=shown))
    finally:
        speaker.terminate()
        speaker.wait(timeout=5)
    elapsed = time.monotonic() - t0
    talker.join(timeout=5)
    assert result.reading is not None and result.reading.score == 6, shown.getvalue()
    db = sqlite_utils.Database(settings.db_path)
    assert [m["score"] for m in db.query("select score from moods")] == [6]
    assert [t["reply_text"][:12] for t in db.query("select reply_text from turns")] == ["I heard a si", "Thanks, I've"]
    from tests.test_live import active_spans

    assert len(active_spans(tmp_path / "spoken.wav")) >= 3  # the question, the read-back, the goodbye
    assert elapsed < 45, f"the spoken check-in took {elapsed:.1f}s"  # ~20 s of it is speech played in real time
