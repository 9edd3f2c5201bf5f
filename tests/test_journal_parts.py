"""The journal's small pure parts and retention, each on its own."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from voicejournal.errors import UserError
from voicejournal.journal import Journal
from voicejournal.journal.charts import DailyMood, daily, rolling_mean, sparkline
from voicejournal.journal.dates import local_day, parse_day, since_bound, to_iso, until_bound
from voicejournal.journal.deletion import enforce_retention
from voicejournal.journal.search import fts_query
from voicejournal.journal.summary import what_helped
from voicejournal.journal.themes import themes
from voicejournal.types import Level, ScreenResult


def test_dates() -> None:
    today = date(2024, 5, 10)
    assert parse_day("today", today) == today and parse_day("Yesterday", today) == date(2024, 5, 9)
    assert parse_day("2024-02-29") == date(2024, 2, 29)
    with pytest.raises(UserError):
        parse_day("next week")
    lo, hi = since_bound("2024-05-01"), until_bound("2024-05-01")
    assert lo < hi and local_day(lo) == date(2024, 5, 1) and local_day(hi) == date(2024, 5, 2)
    assert since_bound("2024-05-01T10:00:00Z") == "2024-05-01T10:00:00.000Z"
    with pytest.raises(UserError):
        until_bound("garbageTx")


@pytest.mark.parametrize(("text", "query"), [
    ("walking", '"walking"'), ('say "hi"', '"say" "hi"'), ("NEAR(a b)", '"NEAR(a" "b)"'), ("walk*", '"walk"*'),
    ("-x a:b", '"-x" "a:b"'),
])
def test_fts_query_quotes_every_word(text: str, query: str) -> None:
    assert fts_query(text) == query


def test_fts_query_without_words() -> None:
    with pytest.raises(UserError):
        fts_query('"" * ')


def test_what_helped_and_themes() -> None:
    texts = ["The walk really helped, honestly.", "Calling my sister helped a lot", "nothing helped",
             "Work is heavy. Work again tomorrow", "work and sleep", "I slept badly, no sleep"]
    assert what_helped(texts) == ["the walk", "calling my sister"]
    assert themes(texts)[0] == ("work", 2)


def test_daily_rolling_and_sparkline() -> None:
    def at(day: int, score: float | None, tags: list[str]) -> dict:
        moment = datetime.combine(date(2024, 5, day), time(12)).astimezone()
        return {"created_at": to_iso(moment), "score": score, "tags": tags}

    points = daily([at(1, 2, ["sad"]), at(1, 4, ["tired"]), at(3, None, ["calm"]), at(9, 10, [])])
    assert points == [DailyMood(date(2024, 5, 1), 3.0, 2, ("sad", "tired")),
                      DailyMood(date(2024, 5, 3), None, 0, ("calm",)), DailyMood(date(2024, 5, 9), 10.0, 1, ())]
    assert rolling_mean(points) == [3.0, 3.0, 10.0]
    assert sparkline([0, None, 10, 5]) == "▁ █▅"


def test_retention_deletes_old_sessions_and_only_our_audio(tmp_path: Path) -> None:
    audio_dir = tmp_path / "audio"
    audio_dir.mkdir()
    ours, theirs = audio_dir / "old.flac", tmp_path / "my-recording.wav"
    ours.write_bytes(b"x")
    theirs.write_bytes(b"y")
    with Journal.open(tmp_path / "journal.db") as j:
        old, new = j.start_session("talk"), j.start_session("talk")
        long_ago = to_iso(datetime.now().astimezone() - timedelta(days=40))
        j.conn.execute("UPDATE sessions SET started_at = ? WHERE id = ?", (long_ago, old))
        j.add_user_turn(old, "old words", ScreenResult(Level.NONE), {}, {}, audio_path=str(ours))
        j.add_user_turn(old, "more old words", ScreenResult(Level.NONE), {}, {}, audio_path=str(theirs))
        j.add_user_turn(new, "new words", ScreenResult(Level.NONE), {}, {})
        assert enforce_retention(j, None, audio_dir).sessions == 0
        done = enforce_retention(j, 30, audio_dir)
        remaining = [r[0] for r in j.conn.execute("SELECT id FROM sessions")]
    assert (done.sessions, done.turns, done.audio_files, done.kept_files) == (1, 2, 1, (str(theirs),))
    assert remaining == [new] and not ours.exists() and theirs.exists()
