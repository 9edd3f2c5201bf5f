"""Full-text search over what was said and answered (FTS5, porter stemming), safe for any query."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from voicejournal.errors import UserError
from voicejournal.journal.dates import since_bound, until_bound

MARK_OPEN, MARK_CLOSE = "«", "»"
"""Around matched words in snippets; rare in speech transcripts, so easy to highlight later."""


@dataclass(frozen=True)
class Hit:
    """One turn that matched, with snippets of the matching side(s)."""

    session_id: int
    turn_id: int
    started_at: str
    user_snippet: str
    reply_snippet: str
    rank: float


def fts_query(text: str) -> str:
    """Each word as a quoted FTS5 string (AND-ed), so quotes, colons, NEAR or '-' never break the query.

    A trailing '*' on a word keeps its prefix meaning ("walk*").
    """
    terms = []
    for word in text.split():
        prefix = word.endswith("*")
        word = word.rstrip("*").replace('"', "")
        if re.search(r"\w", word):
            terms.append('"' + word + '"' + ("*" if prefix else ""))
    if not terms:
        raise UserError(f"Search for {text!r} has no words in it; try e.g. voicejournal search \"walk\".")
    return " ".join(terms)


def search(conn: sqlite3.Connection, query: str, since: str | None = None, until: str | None = None,
           limit: int = 50) -> list[Hit]:
    """Best matches first, within [since, until] (dates inclusive, local days)."""
    clauses, args = ["turns_fts MATCH ?"], [fts_query(query)]
    lo, hi = since_bound(since), until_bound(until)
    if lo:
        clauses.append("t.started_at >= ?")
        args.append(lo)
    if hi:
        clauses.append("t.started_at < ?")
        args.append(hi)
    sql = (
        "SELECT t.session_id, t.id, t.started_at,"
        f" snippet(turns_fts, 0, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 12),"
        f" snippet(turns_fts, 1, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 12), bm25(turns_fts)"
        " FROM turns_fts JOIN turns t ON t.id = turns_fts.rowid"
        f" WHERE {' AND '.join(clauses)} ORDER BY bm25(turns_fts), t.started_at DESC LIMIT ?"
    )
    rows = conn.execute(sql, (*args, limit)).fetchall()
    return [Hit(r[0], r[1], r[2], r[3] or "", r[4] or "", float(r[5])) for r in rows]
