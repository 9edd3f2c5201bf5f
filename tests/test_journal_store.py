"""The journal store against real SQLite files: schema, privacy, durability, export contract."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from voicejournal.errors import UserError
from voicejournal.journal import Journal, store
from voicejournal.journal.migrations import MIGRATIONS
from voicejournal.types import Level, ScreenResult

CALM = ScreenResult(Level.NONE)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "journal.db"


@pytest.fixture
def journal(db_path: Path):
    j = Journal.open(db_path)
    yield j
    j.close()


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}


def test_schema_v1_and_migrations_recorded_once(db_path: Path) -> None:
    Journal.open(db_path).close()
    Journal.open(db_path).close()
    assert {"sessions", "turns", "moods", "crisis_events", "audio", "turns_fts", "migrations"} <= _tables(db_path)
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT id, name FROM migrations").fetchall()
        cols = {r[1] for r in conn.execute("PRAGMA table_info(turns)")}
    assert [r[0] for r in rows] == [n for n, _, _ in MIGRATIONS]
    assert {"session_id", "idx", "screen_reasons", "latency_ms", "models", "audio_path", "reply_model"} <= cols


def test_pragmas(journal: Journal) -> None:
    conn = journal.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1


def test_private_permissions(journal: Journal, db_path: Path) -> None:
    journal.start_session("talk")
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    for suffix in ("", "-wal", "-shm"):
        f = Path(str(db_path) + suffix)
        assert f.exists(), suffix
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, suffix


def test_umask_restored(db_path: Path) -> None:
    before = os.umask(0o022)
    try:
        Journal.open(db_path).close()
        assert os.umask(0o022) == 0o022
    finally:
        os.umask(before)


def test_user_turn_is_committed_before_the_reply(journal: Journal, db_path: Path) -> None:
    sid = journal.start_session("talk")
    tid = journal.add_user_turn(sid, "I could not sleep again", CALM, {"asr": 120.5}, {"asr": "base"})
    other = sqlite3.connect(db_path)
    try:
        row = other.execute("SELECT user_text, reply_text FROM turns WHERE id = ?", (tid,)).fetchone()
        assert row == ("I could not sleep again", None)
        journal.complete_turn(tid, "That sounds tiring.", "llm", {"llm": 800.0}, model="qwen")
        row = other.execute("SELECT reply_text, reply_source, latency_ms, reply_model FROM turns").fetchone()
    finally:
        other.close()
    assert row[:2] == ("That sounds tiring.", "llm")
    assert json.loads(row[2]) == {"asr": 120.5, "llm": 800.0}
    assert row[3] == "qwen"


def test_turn_indexes_count_per_session(journal: Journal) -> None:
    a, b = journal.start_session("talk"), journal.start_session("free")
    ids = [journal.add_user_turn(s, f"t{i}", CALM, {}, {}) for i, s in enumerate([a, a, b, a])]
    idx = [journal.conn.execute("SELECT idx FROM turns WHERE id = ?", (t,)).fetchone()[0] for t in ids]
    assert idx == [1, 2, 1, 3]


def test_close_interrupted(db_path: Path) -> None:
    first = Journal.open(db_path)
    crashed = first.start_session("talk")
    first.add_user_turn(crashed, "hello", CALM, {}, {}, started_at="2030-01-01T10:00:00.000Z")
    empty = first.start_session("free")
    done = first.start_session("mood")
    first.end_session(done, summary="fine")
    first.close()  # the process "crashed" without ending two sessions

    second = Journal.open(db_path)
    live = second.start_session("talk")
    assert sorted(second.close_interrupted()) == [crashed, empty]
    rows = dict((r[0], r[1:]) for r in second.conn.execute("SELECT id, status, ended_at, started_at FROM sessions"))
    assert rows[crashed][:2] == ("interrupted", "2030-01-01T10:00:00.000Z")
    assert rows[empty][0] == "interrupted" and rows[empty][1] == rows[empty][2]
    assert rows[done][0] == "complete"
    assert rows[live][:2] == ("open", None)
    assert second.close_interrupted() == []
    second.close()


def test_export_contract_round_trip(journal: Journal, tmp_path: Path) -> None:
    wav = tmp_path / "t1.wav"
    wav.write_bytes(b"RIFF0000WAVE")
    sid = journal.start_session("reflect", {"prompt": "evening"})
    screen = ScreenResult(Level.CONCERN, "self_harm", ("phrase: hurt myself",))
    tid = journal.add_user_turn(sid, "I want to hurt myself", screen, {"asr": 10}, {"asr": "base"}, str(wav))
    journal.complete_turn(tid, "I'm here with you.", "crisis", {"tts": 5})
    journal.add_crisis_event(sid, tid, "concern", "self_harm", "utterance", "hurt myself", "resources shown")
    journal.add_mood(sid, 3.5, ["sad", "tired"], "long day", "conversation", turn_id=tid)
    journal.end_session(sid, summary="hard evening")
    loose = journal.add_mood(None, 7, [], None, "text")

    data = json.loads(json.dumps(journal.export()))
    (s,) = data["sessions"]
    assert {k: s[k] for k in ("id", "mode", "status", "summary")} == {
        "id": sid, "mode": "reflect", "status": "complete", "summary": "hard evening"}
    assert s["started_at"].endswith("Z") and s["ended_at"] >= s["started_at"]
    (t,) = s["turns"]
    assert t["user_text"] == "I want to hurt myself" and t["reply_source"] == "crisis"
    assert t["screen"]["level"] == "concern" and t["screen"]["category"] == "self_harm"
    assert t["latency_ms"] == {"asr": 10, "tts": 5} and t["audio_path"] == str(wav)
    (m,) = s["moods"]
    assert (m["score"], m["tags"], m["note"], m["source"], m["turn_id"]) == (3.5, ["sad", "tired"], "long day",
                                                                         "conversation", tid)
    (e,) = s["crisis_events"]
    assert {k: e[k] for k in ("level", "category", "kind", "trigger", "response", "turn_id")} == {
        "level": "concern", "category": "self_harm", "kind": "utterance", "trigger": "hurt myself",
        "response": "resources shown", "turn_id": tid}
    assert [m["id"] for m in data["moods"]] == [loose]
    audio = journal.conn.execute("SELECT path, format, bytes FROM audio WHERE turn_id = ?", (tid,)).fetchone()
    assert audio == (str(wav), "wav", 12)


def test_export_respects_dates(journal: Journal) -> None:
    sid = journal.start_session("talk")
    journal.conn.execute("UPDATE sessions SET started_at = '2024-03-05T12:00:00.000Z' WHERE id = ?", (sid,))
    assert [s["id"] for s in journal.export(since="2024-03-01", until="2024-03-31")["sessions"]] == [sid]
    assert journal.export(since="2024-04-01")["sessions"] == []
    assert journal.export(until="2024-02-28")["sessions"] == []


def test_set_turn_audio_replaces_row(journal: Journal) -> None:
    sid = journal.start_session("talk")
    tid = journal.add_user_turn(sid, "hi", CALM, {}, {})
    journal.set_turn_audio(tid, "/nowhere/a.flac")
    journal.set_turn_audio(tid, "/nowhere/b.wav")
    rows = journal.conn.execute("SELECT path, format FROM audio WHERE turn_id = ?", (tid,)).fetchall()
    assert rows == [("/nowhere/b.wav", "wav")]


def test_bad_values_rejected(journal: Journal) -> None:
    sid = journal.start_session("talk")
    with pytest.raises(ValueError):
        journal.start_session("chat")
    with pytest.raises(UserError):
        journal.add_mood(sid, 11, [], None, "text")
    with pytest.raises(UserError):
        journal.end_session(9999)


def test_corrupt_file_is_a_user_error(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(UserError, match="Move it aside"):
        Journal.open(db_path)


def test_newer_schema_is_a_user_error(db_path: Path) -> None:
    Journal.open(db_path).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO migrations VALUES (999, 'future', 'x')")
    with pytest.raises(UserError, match="newer voicejournal"):
        Journal.open(db_path)


def test_locked_database_waits_then_explains(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 200)
    journal = Journal.open(db_path)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(UserError, match="Another voicejournal holds"):
            journal.start_session("talk")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert journal.start_session("talk") > 0
    journal.close()
