"""What the companion remembers between sessions (bounded), and forgetting on request."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from voicejournal.companion.modes import REFLECT_STEPS
from voicejournal.journal import Journal
from voicejournal.journal.dates import local_day

RECENT_SESSIONS = 3
MAX_MEMORY_CHARS = 600
"""About 150 tokens: enough for a few threads, small enough to keep the first token fast."""
MAX_ITEM_CHARS = 160
THREAD_STEPS = {"intention": "meant to", "hard": "found hard"}
"""Guided answers carried forward as open threads, with how to say them."""

_FORGET = re.compile(
    r"^\s*(?:(?:oh|no|wait|actually|ok(?:ay)?|hmm|um|please|sorry|never ?mind)[\s,.!]*)*"
    r"(?:please\s+)?(?:forget|delete|erase|remove|scratch|don'?t (?:save|keep|remember))\s+"
    r"(?:(?:that|the) last (?:thing|part|bit)(?: i said)?|that|this|it|what i (?:just )?said)"
    r"(?:\s+please)?[\s.!]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Recollection:
    """One earlier session as the companion may recall it."""

    day: date
    summary: str | None
    mood: float | None
    tags: tuple[str, ...]
    threads: tuple[str, ...]


def is_forget_request(text: str) -> bool:
    """True for a short spoken command like "forget that" or "please delete what I just said"."""
    return bool(_FORGET.match(text))


def recall(conn: sqlite3.Connection, before_session: int | None = None, limit: int = RECENT_SESSIONS) -> list[Recollection]:
    """The most recent finished sessions (newest first) with their summary, mood and open threads."""
    rows = conn.execute(
        "SELECT id, started_at, summary FROM sessions WHERE ended_at IS NOT NULL AND id != coalesce(?, -1)"
        " ORDER BY started_at DESC, id DESC LIMIT ?", (before_session, limit)).fetchall()
    return [Recollection(local_day(started), summary, *_mood(conn, sid), _threads(conn, sid))
            for sid, started, summary in rows]


def _mood(conn: sqlite3.Connection, sid: int) -> tuple[float | None, tuple[str, ...]]:
    score, tags = conn.execute(
        "SELECT avg(score), (SELECT group_concat(j.value) FROM moods m2, json_each(m2.tags) j"
        " WHERE m2.session_id = ?) FROM moods WHERE session_id = ?", (sid, sid)).fetchone()
    unique = tuple(dict.fromkeys(t for t in (tags or "").split(",") if t))
    return (round(score, 1) if score is not None else None), unique[:3]


def _threads(conn: sqlite3.Connection, sid: int) -> tuple[str, ...]:
    """The person's answers to the guided prompts worth carrying forward (never from a crisis turn)."""
    turns = conn.execute("SELECT user_text, reply_text, screen_level FROM turns WHERE session_id = ? ORDER BY idx",
                         (sid,)).fetchall()
    answers = [(u, level) for u, _, level in turns if not is_forget_request(u)]
    replies = [r or "" for u, r, _ in turns if not is_forget_request(u)]
    found = []
    for step in REFLECT_STEPS:
        if step.key not in THREAD_STEPS:
            continue
        asked = [i for i, reply in enumerate(replies[:-1]) if step.prompt in reply]
        if asked and answers[asked[-1] + 1][1] == "none":
            found.append(f"they {THREAD_STEPS[step.key]}: \"{_clip(answers[asked[-1] + 1][0])}\"")
    return tuple(found)


def _clip(text: str, limit: int = MAX_ITEM_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _when(day: date, today: date) -> str:
    gap = (today - day).days
    if gap <= 0:
        return "Earlier today"
    if gap == 1:
        return "Yesterday"
    if gap < 7:
        return f"On {day.strftime('%A')}"
    return f"On {day.isoformat()}"


def memory_text(recollections: list[Recollection], today: date | None = None,
                max_chars: int = MAX_MEMORY_CHARS) -> str:
    """Recollections as a few plain sentences, newest first, never longer than max_chars."""
    today = today or date.today()
    out = ""
    for r in recollections:
        bits = [f"{_when(r.day, today)}:"]
        if r.summary:
            bits.append(f"summary \"{_clip(r.summary)}\".")
        if r.mood is not None or r.tags:
            score = f"{r.mood:g}/10" if r.mood is not None else ""
            bits.append(f"mood {score}{' ' if score and r.tags else ''}{', '.join(r.tags)}.")
        bits += [f"Open thread: {t}." for t in r.threads]
        if len(bits) == 1:
            continue
        item = " ".join(bits)
        if len(out) + len(item) + 1 > max_chars:
            break
        out = f"{out} {item}".strip()
    return out


def build_memory(journal: Journal, session_id: int | None = None, today: date | None = None) -> str:
    """The memory for a new session, read from the journal (read-only)."""
    return memory_text(recall(journal.conn, session_id), today)


def forget_turn(journal: Journal, turn_id: int, audio_dir: Path) -> None:
    """Delete one turn for good: its row (and with it moods, events and the search entry) and its audio."""
    conn = journal.conn
    paths = {r[0] for r in conn.execute(
        "SELECT path FROM audio WHERE turn_id = ? UNION SELECT audio_path FROM turns WHERE id = ? AND"
        " audio_path IS NOT NULL", (turn_id, turn_id))}
    row = conn.execute("SELECT session_id, idx FROM turns WHERE id = ?", (turn_id,)).fetchone()
    if row is None:
        return
    sid, idx = row
    with journal.transaction() as tx:
        tx.execute("DELETE FROM turns WHERE id = ?", (turn_id,))
        # The journal numbers a new turn count + 1, so close the gap (in two steps: idx is UNIQUE).
        tx.execute("UPDATE turns SET idx = -idx WHERE session_id = ? AND idx > ?", (sid, idx))
        tx.execute("UPDATE turns SET idx = -idx - 1 WHERE session_id = ? AND idx < 0", (sid,))
        tx.execute("INSERT INTO turns_fts(turns_fts) VALUES ('optimize')")
    root = audio_dir.expanduser().resolve()
    for raw in paths:
        path = Path(raw).expanduser().resolve()
        if path.is_relative_to(root):
            path.unlink(missing_ok=True)
