"""Session modes end to end in text mode with the real embedded model, memory across sessions, "forget that"."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from voicejournal.cli import main
from voicejournal.companion import fallbacks
from voicejournal.companion.memory import Recollection, is_forget_request, memory_text
from voicejournal.companion.closing import extractive_summary
from voicejournal.companion.modes import MODES, REFLECT_STEPS, Flow, default_mode, mode_named
from voicejournal.crisis import CrisisScreen
from voicejournal.types import Level
from voicejournal.errors import UserError

pytestmark = pytest.mark.slow

REFLECTION = [
    "I had a long meeting at work and then walked home in the rain.",  # today (always a follow-up)
    "The meeting was about the budget, and my idea got ignored again by the team.",  # today, follow-up answer
    "Overall the day felt heavy and tiring, but the walk home calmed me down a bit.",  # feeling
    "My friend Sam sent me a funny video and I laughed out loud, I'm grateful for that.",  # good
    "It was hard to speak up in the meeting when everyone was talking over me.",  # hard (always a follow-up)
    "I felt small and a bit angry with myself for staying quiet in that meeting.",  # hard, follow-up answer
    "Tomorrow I want to call Maya about the Lisbon trip before work.",  # intention: the last step
    "This line comes after the reflection has ended.",
]


def talk(data: Path, mode: str, lines: list[str]) -> str:
    result = CliRunner().invoke(main, ["--data-dir", str(data), "talk", "--text", "--no-voice", "--mode", mode],
                                input="\n".join(lines) + "\n", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_reflect_mode_guides_the_evening_and_saves_a_spoken_summary(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = talk(data, "reflect", REFLECTION)
    flat = " ".join(out.split())
    assert flat.index(MODES["reflect"].opening) < flat.index(REFLECTION[0])
    positions = [flat.index(step.prompt) for step in REFLECT_STEPS[1:]]
    assert positions == sorted(positions)  # feeling, good, hard, intention — in that order
    assert "Here's a short summary of tonight." in flat and "Sleep well." in flat
    assert REFLECTION[-1] not in flat  # the session ended by itself after the intention
    db = sqlite_utils.Database(data / "journal.db")
    (session,) = db.query("select * from sessions")
    assert session["mode"] == "reflect" and session["status"] == "complete"
    assert session["summary"] and 20 <= len(session["summary"]) <= 320
    assert session["summary"] in flat
    turns = list(db.query("select * from turns order by idx"))
    assert [t["user_text"] for t in turns] == REFLECTION[:-1]
    for turn in turns:  # each reply: short, at most one question, only ever a reply or curated words
        assert turn["reply_text"] and len(turn["reply_text"]) <= 240 + max(len(s.prompt) for s in REFLECT_STEPS)
        assert turn["reply_text"].count("?") <= 1 and turn["reply_source"] in ("llm", "fallback")
    assert turns[0]["reply_text"].endswith("?")  # a follow-up about the day
    assert turns[1]["reply_text"].endswith(REFLECT_STEPS[1].prompt)


def test_the_summary_from_the_persons_words_quotes_only_what_screens_as_none() -> None:
    """The fallback summary quotes the person in the first person; those words are judged by the utterance screen."""
    screen = CrisisScreen()
    flow = Flow(MODES["reflect"], answers={"today": ["I don't want to wake up tomorrow.", REFLECTION[0]],
                                           "good": [REFLECTION[3]], "intention": [REFLECTION[6]]})
    summary = extractive_summary(flow, keep=lambda text: screen.screen(text).level == Level.NONE)
    assert summary is not None and summary.startswith('Tonight you talked about your day, starting with "I had a long')
    assert "wake up" not in summary and "Sam sent me" in summary and "Lisbon" in summary
    assert extractive_summary(flow, keep=lambda text: False) is None
    assert "wake up" in (extractive_summary(flow) or "")  # with no judge every answer is quoted


def test_free_mode_mostly_listens(tmp_path: Path) -> None:
    lines = ["I spent the afternoon repotting plants on the balcony.",
             "It was quiet and slow, which I needed after this week.",
             "I think I want more afternoons like that."]
    out = talk(tmp_path / "data", "free", lines)
    assert MODES["free"].opening in " ".join(out.split())
    db = sqlite_utils.Database(tmp_path / "data" / "journal.db")
    replies = [t["reply_text"] for t in db.query("select reply_text from turns order by idx")]
    assert len(replies) == 3
    assert "?" not in replies[0] and "?" not in replies[1]  # it asks only now and then
    assert all(len(r) <= 240 for r in replies)
    (session,) = db.query("select mode, summary from sessions")
    assert session["mode"] == "free" and session["summary"]


def test_mood_mode_is_a_quick_check_in(tmp_path: Path) -> None:
    out = talk(tmp_path / "data", "mood", ["I'd say about a six, and pretty tired.", "I should not be read."])
    flat = " ".join(out.split())
    assert "Thanks, I've noted a six out of ten, and tired." in flat and "should not be read" not in flat
    exported = json.loads(CliRunner().invoke(main, ["--data-dir", str(tmp_path / "data"), "export", "--format",
                                                    "json"]).output)
    (session,) = exported["sessions"]
    assert session["mode"] == "mood" and len(session["turns"]) == 1
    assert [(m["score"], m["tags"], m["source"]) for m in session["moods"]] == [(6.0, ["tired"], "checkin")]


def test_mood_mode_asks_once_more_when_it_cannot_tell(tmp_path: Path) -> None:
    out = talk(tmp_path / "data", "mood", ["Hmm, hard to say.", "Maybe a seven."])
    flat = " ".join(out.split())
    assert "I didn't quite catch that." in flat and "a seven out of ten" in flat


def test_a_fact_from_one_session_is_in_the_next_sessions_context(tmp_path: Path, engines, settings) -> None:  # type: ignore[no-untyped-def]
    from voicejournal.app import open_journal, start_conversation
    from voicejournal.conversation import QuietReporter
    from voicejournal.sinks import NullSink

    talk(settings.data_dir, "reflect", REFLECTION)
    with open_journal(settings) as journal:
        convo = start_conversation(settings, engines, journal, NullSink(), "reflect", QuietReporter())
        messages = convo.p.companion.messages_for("Hi again.")
        convo.end("complete")
    assert "Lisbon" in convo.p.companion.memory and "Lisbon" in messages[0]["content"]
    assert "they meant to" in convo.p.companion.memory


def test_memory_is_bounded_and_newest_first() -> None:
    today = date(2026, 3, 10)
    many = [Recollection(today - timedelta(days=i), f"Summary number {i} " + "word " * 30, 5.0, ("tired",),
                         (f'they meant to: "thread {i}"',)) for i in range(1, 20)]
    text = memory_text(many, today)
    assert len(text) <= 600 and text.startswith("Yesterday:") and "thread 1" in text and "thread 19" not in text


def test_forget_that_deletes_the_previous_turn_for_good(tmp_path: Path, engines, settings) -> None:  # type: ignore[no-untyped-def]
    from voicejournal.app import open_journal, start_conversation
    from voicejournal.conversation import QuietReporter
    from voicejournal.sinks import NullSink
    from voicejournal.types import Transcript

    with open_journal(settings) as journal:
        convo = start_conversation(settings, engines, journal, NullSink(), "free", QuietReporter())
        convo.answer(Transcript("I made soup for lunch."), {})
        convo.answer(Transcript("My neighbour Gregor borrowed my ladder again and broke it."), {})
        forgot = convo.answer(Transcript("Please forget that."), {})
        after = convo.answer(Transcript("Anyway, the evening was calm."), {})
        convo.end("complete")
    assert forgot.reply.text == fallbacks.FORGOT and after.reply.text
    assert all("Gregor" not in m["content"] for m in convo.p.companion.history)
    db = sqlite_utils.Database(settings.db_path)
    said = [r["user_text"] for r in db.query("select user_text from turns order by idx")]
    assert said == ["I made soup for lunch.", "Please forget that.", "Anyway, the evening was calm."]
    assert list(db.query("select rowid from turns_fts where turns_fts match 'Gregor'")) == []
    (session,) = db.query("select summary from sessions")
    assert "Gregor" not in (session["summary"] or "")


@pytest.mark.parametrize("text,expected", [
    ("forget that", True), ("Please forget what I just said.", True), ("Oh, delete that please", True),
    ("Don't save that.", True), ("I want to forget that day ever happened.", False),
    ("Forget that, anyway I went to the park with my sister.", False),
    ("Delete that last bit.", True), ("Scratch the last thing I said", True),
])
def test_forget_requests_are_short_commands(text: str, expected: bool) -> None:
    assert is_forget_request(text) is expected


def test_mode_names_and_the_evening_default() -> None:
    from datetime import datetime

    assert default_mode(datetime(2026, 3, 10, 21, 0)) == "reflect"
    assert default_mode(datetime(2026, 3, 10, 1, 0)) == "reflect"
    assert default_mode(datetime(2026, 3, 10, 10, 0)) == "free"
    assert mode_named("mood").name == "mood"
    with pytest.raises(UserError, match="reflect, free, mood"):
        mode_named("chatty")


def test_the_explanation_in_the_opening_is_for_the_first_evening_only(tmp_path: Path, engines, settings) -> None:  # type: ignore[no-untyped-def]
    from voicejournal.app import open_journal, start_conversation
    from voicejournal.conversation import QuietReporter
    from voicejournal.sinks import NullSink

    def opening() -> str | None:
        with open_journal(settings) as journal:
            convo = start_conversation(settings, engines, journal, NullSink(), "reflect", QuietReporter())
            said = convo.open()
            convo.end("interrupted")
        return said

    assert opening() == MODES["reflect"].opening
    assert opening() == MODES["reflect"].opening  # an interrupted session does not count
    talk(settings.data_dir, "reflect", REFLECTION)
    short = opening()
    assert short == MODES["reflect"].returning_opening and short.endswith(REFLECT_STEPS[0].prompt)
    assert len(short) < len(MODES["reflect"].opening) / 2
