"""The JSON export contract: sessions with their turns, moods and crisis events, as plain dicts."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from voicejournal.journal.dates import since_bound, until_bound

SCHEMA = "voicejournal.export/1"


def export(conn: sqlite3.Connection, since: str | None = None, until: str | None = None,
           session_ids: list[int] | None = None) -> dict[str, Any]:
    """Sessions started within [since, until] (dates inclusive), or the given ids, with everything in them."""
    sessions = [_session(row) for row in _rows(conn, *_session_query(since, until, session_ids))]
    by_id = {s["id"]: s for s in sessions}
    for table, convert in (("turns", _turn), ("moods", _mood), ("crisis_events", _event)):
        key = "session_id"
        for row in _rows(conn, f"SELECT * FROM {table} WHERE {key} IN (SELECT value FROM json_each(?)) ORDER BY id",
                         (json.dumps(list(by_id)),)):
            by_id[row[key]][table].append(convert(row))
    loose = _loose_moods(conn, since, until) if session_ids is None else []
    return {"schema": SCHEMA, "sessions": sessions, "moods": loose}


def _session_query(since: str | None, until: str | None, ids: list[int] | None) -> tuple[str, tuple]:
    if ids is not None:
        return "SELECT * FROM sessions WHERE id IN (SELECT value FROM json_each(?)) ORDER BY started_at, id", (
            json.dumps(ids),)
    where, args = _range("started_at", since, until)
    return f"SELECT * FROM sessions WHERE {where} ORDER BY started_at, id", args


def _range(column: str, since: str | None, until: str | None) -> tuple[str, tuple]:
    lo, hi = since_bound(since), until_bound(until)
    clauses, args = ["1"], []
    if lo:
        clauses.append(f"{column} >= ?")
        args.append(lo)
    if hi:
        clauses.append(f"{column} < ?")
        args.append(hi)
    return " AND ".join(clauses), tuple(args)


def _loose_moods(conn: sqlite3.Connection, since: str | None, until: str | None) -> list[dict[str, Any]]:
    """Moods logged outside any session (the contract nests the rest inside their session)."""
    where, args = _range("created_at", since, until)
    return [_mood(r) for r in _rows(conn, f"SELECT * FROM moods WHERE session_id IS NULL AND {where} ORDER BY id", args)]


def _rows(conn: sqlite3.Connection, sql: str, args: tuple = ()) -> list[dict[str, Any]]:
    cur = conn.execute(sql, args)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _session(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"], "started_at": row["started_at"], "ended_at": row["ended_at"], "mode": row["mode"],
        "status": row["status"], "summary": row["summary"], "meta": json.loads(row["meta"] or "{}"),
        "turns": [], "moods": [], "crisis_events": [],
    }


def _turn(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"], "idx": row["idx"], "started_at": row["started_at"], "user_text": row["user_text"],
        "reply_text": row["reply_text"], "reply_source": row["reply_source"],
        "screen": {"level": row["screen_level"], "category": row["screen_category"],
                   "reasons": json.loads(row["screen_reasons"] or "[]")},
        "latency_ms": json.loads(row["latency_ms"] or "{}"), "models": json.loads(row["models"] or "{}"),
        "reply_model": row["reply_model"], "audio_path": row["audio_path"],
    }


def _mood(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"], "created_at": row["created_at"], "score": row["score"],
        "tags": json.loads(row["tags"] or "[]"), "note": row["note"], "source": row["source"],
        "turn_id": row["turn_id"],
    }


def _event(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"], "created_at": row["created_at"], "level": row["level"], "category": row["category"],
        "kind": row["kind"], "trigger": row["trigger"], "response": row["response"], "turn_id": row["turn_id"],
    }
