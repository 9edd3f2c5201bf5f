"""The journal commands end to end through the root group, against a real journal in tmp_path."""

from __future__ import annotations

import csv
import io
import json
import stat
import struct
import zlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from voicejournal.cli import main
from voicejournal.errors import UserError
from voicejournal.journal import Journal
from voicejournal.journal.cli import COMMANDS
from voicejournal.types import Level, ScreenResult

for _cmd in COMMANDS:
    if _cmd.name not in main.commands:
        main.add_command(_cmd)

CALM = ScreenResult(Level.NONE)


def run(data_dir: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], input=input)


def ok(data_dir: Path, *args: str, input: str | None = None) -> str:
    result = run(data_dir, *args, input=input)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def fails(data_dir: Path, *args: str) -> str:
    result = run(data_dir, *args)
    assert result.exit_code != 0
    assert isinstance(result.exception, UserError), result.exception
    return str(result.exception)


def _at(journal: Journal, table: str, row_id: int, stamp: str) -> None:
    column = {"sessions": "started_at", "turns": "started_at", "moods": "created_at"}[table]
    journal.conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (stamp, row_id))


def _day(offset: int) -> str:
    """Noon local time `offset` days ago, as stored UTC."""
    from datetime import datetime, time

    from voicejournal.journal.dates import to_iso

    return to_iso(datetime.combine(date.today() - timedelta(days=offset), time(12)).astimezone())


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """A journal with three conversations on three days, moods and a flagged moment."""
    (tmp_path / "audio").mkdir(mode=0o700)
    with Journal.open(tmp_path / "journal.db") as j:
        texts = [
            ("I walked the dog by the river and it helped a lot", "Walks seem to steady you."),
            ("Work was stressful, the deadline keeps moving", "That sounds draining."),
            ("I could not sleep, I keep thinking about work", "Sleep matters; what kept you up?"),
        ]
        for offset, (said, reply) in zip((9, 3, 0), texts):
            sid = j.start_session("talk")
            _at(j, "sessions", sid, _day(offset))
            audio = tmp_path / "audio" / f"turn{sid}.wav"
            audio.write_bytes(b"RIFF....WAVE")
            tid = j.add_user_turn(sid, said, CALM, {"asr": 1.0}, {}, audio_path=str(audio), started_at=_day(offset))
            j.complete_turn(tid, reply, "llm", {"llm": 2.0})
            mid = j.add_mood(sid, 4.0 + offset / 3, ["tired"] if offset else ["anxious"], None, "conversation", tid)
            _at(j, "moods", mid, _day(offset))
            j.end_session(sid)
        j.add_crisis_event(sid, tid, "concern", "none", "utterance", "could not sleep", "offered grounding")
    return tmp_path


def test_every_command_has_help_with_examples(tmp_path: Path) -> None:
    for cmd in COMMANDS:
        text = ok(tmp_path, cmd.name, "--help")
        assert "Examples:" in text and "voicejournal " + cmd.name in text, cmd.name


def test_mood_by_text(tmp_path: Path) -> None:
    assert "6/10 (tired, calm)" in ok(tmp_path, "mood", "6", "--tags", "tired,Calm", "--note", "long day")
    assert "3/10" in ok(tmp_path, "mood", "pretty bad, maybe a three")
    moods = [m for s in json.loads(ok(tmp_path, "export", "--format", "json"))["sessions"] for m in s["moods"]]
    assert [(m["score"], m["tags"], m["note"], m["source"]) for m in moods] == [
        (6.0, ["tired", "calm"], "long day", "text"), (3.0, [], None, "text")]
    assert "outside 0-10" in fails(tmp_path, "mood", "11")
    assert "Unknown mood tag" in fails(tmp_path, "mood", "5", "--tags", "purple")
    assert "not a mood" in fails(tmp_path, "mood", "banana")


def test_search_stems_snippets_and_dates(filled: Path) -> None:
    hits = json.loads(ok(filled, "search", "walking", "--json"))
    assert len(hits) == 1 and "«walked»" in hits[0]["user_snippet"]
    assert len(json.loads(ok(filled, "search", "work", "--json"))) == 2
    recent = json.loads(ok(filled, "search", "work", "--since", "today", "--json"))
    assert [h["user_snippet"] for h in recent] == ["I could not sleep, I keep thinking about «work»"]
    assert json.loads(ok(filled, "search", "work", "--until", (date.today() - timedelta(days=4)).isoformat(),
                         "--json")) == []
    assert "walked" in ok(filled, "search", "walk")


@pytest.mark.parametrize("query", ['"', "NEAR(", "sleep AND", "-work", "a:b", "(((", "*", "'; DROP TABLE turns"])
def test_search_survives_fts_syntax(filled: Path, query: str) -> None:
    result = run(filled, "search", "--json", "--", query)
    assert result.exit_code == 0 or isinstance(result.exception, UserError), result.exception


def test_search_rejects_bad_dates(filled: Path) -> None:
    assert "not a date" in fails(filled, "search", "work", "--since", "last tuesday")


def test_entries_and_show(filled: Path) -> None:
    lines = json.loads(ok(filled, "entries", "--json"))
    assert [l["first_words"][:6] for l in lines] == ["I coul", "Work w", "I walk"]
    assert all(l["turns"] == 1 for l in lines) and lines[2]["mood"] == pytest.approx(7.0)
    assert len(json.loads(ok(filled, "entries", "--since", "yesterday", "--json"))) == 1
    text = ok(filled, "entries")
    assert "talk" in text and "I could not sleep" in text
    shown = json.loads(ok(filled, "show", "last", "--json"))
    assert shown["sessions"][0]["crisis_events"][0]["trigger"] == "could not sleep"
    assert "Sleep matters" in ok(filled, "show", "today")
    assert ok(filled, "show", str(lines[1]["id"])).count("You") == 1
    assert "No session" in fails(filled, "show", "999")


def test_export_formats_round_trip(filled: Path) -> None:
    data = json.loads(ok(filled, "export", "--format", "json"))
    with Journal.open(filled / "journal.db") as j:
        assert data == json.loads(json.dumps(j.export()))
    rows = list(csv.DictReader(io.StringIO(ok(filled, "export", "--format", "csv"))))
    assert [float(r["score"]) for r in rows] == [7.0, 5.0, 4.0]
    assert [r["tags"] for r in rows] == ["tired", "tired", "anxious"]
    md = ok(filled, "export", "--format", "md", "--since", (date.today() - timedelta(days=5)).isoformat())
    assert "I walked the dog" not in md
    for turn in [t for s in data["sessions"][1:] for t in s["turns"]]:
        assert turn["user_text"] in md and turn["reply_text"] in md
    assert "⚠ Crisis screen: concern" in md and "**Moods**" in md and md.count("\n## ") == 2


def test_export_file_is_private(filled: Path) -> None:
    out = filled / "export.md"
    out.write_text("old")
    out.chmod(0o644)
    ok(filled, "export", "--format", "md", "--out", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_text().startswith("# Voice journal")


def _png_text(path: Path) -> dict[str, str]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = {}, 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        assert zlib.crc32(kind + body) == struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            chunks[key.decode()] = value.decode("latin-1")
        pos += 12 + length
    assert kind == b"IEND"
    return chunks


def test_moods_table_and_chart(filled: Path) -> None:
    chart = filled / "moods.png"
    text = ok(filled, "moods", "--chart", str(chart))
    assert "trend" in text and "7-day avg" in text
    assert _png_text(chart)["Description"].endswith("points=3")
    days = json.loads(ok(filled, "moods", "--json"))
    assert [d["score"] for d in days] == [7.0, 5.0, 4.0]


def test_summary_week(filled: Path) -> None:
    text = ok(filled, "summary", "--week")
    assert "2 sessions" in text and "Mood averaged 4.5/10" in text and "down from 7.0" in text
    assert "work" in text and "flagged" in text


def test_delete_removes_rows_index_and_audio(filled: Path) -> None:
    db = filled / "journal.db"
    audio = sorted((filled / "audio").iterdir())
    assert "Aborted" in run(filled, "delete", "--before", "yesterday", input="n\n").output
    assert len(json.loads(ok(filled, "entries", "--json"))) == 3
    out = ok(filled, "delete", "--before", "yesterday", input="y\n")
    assert "Deleted 2 sessions, 2 turns, 2 moods, 2 audio files" in out
    assert [p.exists() for p in audio] == [False, False, True]
    assert json.loads(ok(filled, "search", "walked", "--json")) == []
    with Journal.open(db) as j:
        fts = j.conn.execute("SELECT count(*) FROM turns_fts_docsize").fetchone()[0]
        j.conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, turns_fts, row)")
        terms = {r[0] for r in j.conn.execute("SELECT term FROM temp.vocab")}
        counts = [j.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("turns", "moods", "audio")]
    assert fts == 1 and counts == [1, 1, 1]
    assert "dog" not in terms and "river" not in terms and "sleep" in terms
    assert b"walked the dog" not in db.read_bytes()
    ok(filled, "delete", "last", "--yes")
    assert json.loads(ok(filled, "entries", "--json")) == []
    assert "Say what to delete" in fails(filled, "delete")
