"""Timeline pages by keyset: each page starts after a (started_at, id) key, so new sessions never shift it.

A cursor in a link is "<started_at>_<id>" of the last session shown (older) or the first (newer). The
page's keys come from one indexed query; its lines from `queries.session_lines` over the page's time
window (ties on started_at included, then kept to the page's ids), so a line is defined in one place;
stored timestamps are all `dates.to_iso` text, so that window is exact.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import timedelta

from voicejournal.errors import UserError
from voicejournal.journal import queries
from voicejournal.journal.dates import parse_iso, since_bound, to_iso, until_bound

PAGE_SIZE = 50
"""Sessions per timeline page."""

Key = tuple[str, int]
"""(started_at, id): the order of the timeline, unique per session."""


@dataclass(frozen=True)
class Page:
    """One timeline page, newest first, with cursors for the pages either side (None at either end)."""

    lines: list[queries.SessionLine]
    older: str | None = None
    newer: str | None = None


def timeline_page(conn: sqlite3.Connection, since: str | None = None, until: str | None = None,
                  before: str | None = None, after: str | None = None, size: int = PAGE_SIZE) -> Page:
    """The page just older than `before`, just newer than `after`, or else the newest page."""
    where, args = _range(since, until)
    if after is not None:
        keys = _keys(conn, where, args, ">", parse_cursor(after), size + 1)[::-1]
        newer, keys = len(keys) > size, keys[-size:]
        if not newer and len(keys) < size:
            return timeline_page(conn, since, until, size=size)  # reached the newest: show a full first page
        older = _exists(conn, where, args, "<", keys[-1])
    else:
        start = parse_cursor(before) if before is not None else None
        keys = _keys(conn, where, args, "<", start, size + 1)
        older, keys = len(keys) > size, keys[:size]
        newer = bool(keys) and _exists(conn, where, args, ">", keys[0])
    return Page(_lines(conn, keys), cursor(keys[-1]) if older else None, cursor(keys[0]) if newer else None)


def cursor(key: Key) -> str:
    return f"{key[0]}_{key[1]}"


def parse_cursor(text: str) -> Key:
    """A cursor from a link; a UserError (a 400 page) when it was edited into nonsense."""
    stamp, _, sid = text.rpartition("_")
    try:
        parse_iso(stamp)
        return stamp, int(sid)
    except ValueError:
        raise UserError(f"{text!r} is not a timeline position; go back to the timeline and page from there.") \
            from None


def _range(since: str | None, until: str | None) -> tuple[list[str], list[str]]:
    """The date filter, exactly as `queries.session_lines` applies it."""
    where, args = ["1"], []
    for op, bound in ((">=", since_bound(since)), ("<", until_bound(until))):
        if bound:
            where.append(f"started_at {op} ?")
            args.append(bound)
    return where, args


def _keys(conn: sqlite3.Connection, where: list[str], args: list[str], op: str, start: Key | None,
          limit: int) -> list[Key]:
    """Up to `limit` keys beyond `start` in direction `op` ('<' older, '>' newer), nearest first."""
    clauses, values = list(where), list(args)
    if start is not None:
        clauses.append(f"(started_at, id) {op} (?, ?)")
        values += list(start)
    order = "DESC" if op == "<" else "ASC"
    rows = conn.execute(f"SELECT started_at, id FROM sessions WHERE {' AND '.join(clauses)}"
                        f" ORDER BY started_at {order}, id {order} LIMIT ?", (*values, limit))
    return [(stamp, sid) for stamp, sid in rows]


def _exists(conn: sqlite3.Connection, where: list[str], args: list[str], op: str, key: Key) -> bool:
    return bool(_keys(conn, where, args, op, key, 1))


def _lines(conn: sqlite3.Connection, keys: list[Key]) -> list[queries.SessionLine]:
    """The lines for these keys (newest first), read by `session_lines` over their time window."""
    if not keys:
        return []
    end = to_iso(parse_iso(keys[0][0]) + timedelta(milliseconds=1))
    found = {line.id: line for line in queries.session_lines(conn, keys[-1][0], end)}
    return [found[sid] for _, sid in keys if sid in found]
