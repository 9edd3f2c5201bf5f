"""Read-side queries for browsing: session summaries, and which sessions a user's words point at."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import timedelta

from voicejournal.errors import UserError
from voicejournal.journal.dates import day_start, parse_day, since_bound, until_bound


@dataclass(frozen=True)
class SessionLine:
    """One session as a line in `entries`."""

    id: int
    started_at: str
    mode: str
    status: str
    turns: int
    mood: float | None
    first_words: str


def session_lines(conn: sqlite3.Connection, since: str | None = None, until: str | None = None,
                  limit: int | None = None) -> list[SessionLine]:
    """Sessions newest first, with turn count, mean mood and the first thing said."""
    clauses, args = ["1"], []
    for op, bound in ((">=", since_bound(since)), ("<", until_bound(until))):
        if bound:
            clauses.append(f"s.started_at {op} ?")
            args.append(bound)
    sql = (
        "SELECT s.id, s.started_at, s.mode, s.status,"
        " (SELECT count(*) FROM turns WHERE session_id = s.id),"
        " (SELECT avg(score) FROM moods WHERE session_id = s.id),"
        " coalesce((SELECT substr(user_text, 1, 200) FROM turns WHERE session_id = s.id ORDER BY idx LIMIT 1),"
        "          (SELECT note FROM moods WHERE session_id = s.id ORDER BY id LIMIT 1), '')"
        f" FROM sessions s WHERE {' AND '.join(clauses)} ORDER BY s.started_at DESC, s.id DESC"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [SessionLine(*row) for row in conn.execute(sql, args).fetchall()]


def resolve_sessions(conn: sqlite3.Connection, ref: str) -> list[int]:
    """'last', a session id, or a date (YYYY-MM-DD, today, yesterday) -> session ids, oldest first."""
    word = ref.strip().lower()
    if word == "last":
        row = conn.execute("SELECT id FROM sessions ORDER BY started_at DESC, id DESC LIMIT 1").fetchone()
        if not row:
            raise UserError("The journal is empty; start one with `voicejournal talk`.")
        return [row[0]]
    if word.isdigit():
        if not conn.execute("SELECT 1 FROM sessions WHERE id = ?", (int(word),)).fetchone():
            raise UserError(f"No session {word}; list them with `voicejournal entries`.")
        return [int(word)]
    day = parse_day(word)
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM sessions WHERE started_at >= ? AND started_at < ? ORDER BY started_at, id",
        (day_start(day), day_start(day + timedelta(days=1))))]
    if not ids:
        raise UserError(f"No sessions on {day.isoformat()}; list them with `voicejournal entries`.")
    return ids
