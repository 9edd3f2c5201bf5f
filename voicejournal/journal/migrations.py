"""Numbered schema migrations, each applied once and recorded in the `migrations` table."""

from __future__ import annotations

import sqlite3
from typing import Callable

from voicejournal.journal.dates import now_iso

Migration = Callable[[sqlite3.Connection], None]

_V1 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    mode TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    summary TEXT,
    meta TEXT NOT NULL DEFAULT '{}',
    pid INTEGER
);
CREATE INDEX idx_sessions_started_at ON sessions(started_at);
CREATE INDEX idx_sessions_open ON sessions(ended_at) WHERE ended_at IS NULL;

CREATE TABLE turns (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    user_text TEXT NOT NULL,
    reply_text TEXT,
    reply_source TEXT,
    screen_level TEXT NOT NULL DEFAULT 'none',
    screen_category TEXT NOT NULL DEFAULT 'none',
    screen_reasons TEXT NOT NULL DEFAULT '[]',
    latency_ms TEXT NOT NULL DEFAULT '{}',
    models TEXT NOT NULL DEFAULT '{}',
    audio_path TEXT,
    reply_model TEXT,
    UNIQUE (session_id, idx)
);
CREATE INDEX idx_turns_started_at ON turns(started_at);

CREATE TABLE moods (
    id INTEGER PRIMARY KEY,
    session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
    turn_id INTEGER REFERENCES turns(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    score REAL CHECK (score IS NULL OR (score >= 0 AND score <= 10)),
    tags TEXT NOT NULL DEFAULT '[]',
    note TEXT,
    source TEXT NOT NULL
);
CREATE INDEX idx_moods_session ON moods(session_id);
CREATE INDEX idx_moods_created_at ON moods(created_at);

CREATE TABLE crisis_events (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    turn_id INTEGER REFERENCES turns(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    level TEXT NOT NULL,
    category TEXT NOT NULL,
    kind TEXT NOT NULL,
    trigger TEXT NOT NULL,
    response TEXT NOT NULL
);
CREATE INDEX idx_crisis_session ON crisis_events(session_id);

CREATE TABLE audio (
    id INTEGER PRIMARY KEY,
    turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    format TEXT,
    bytes INTEGER,
    duration_s REAL
);
CREATE INDEX idx_audio_turn ON audio(turn_id);
"""

# External-content FTS5 over what was said and answered, kept in step by triggers.
_V1_FTS = """
CREATE VIRTUAL TABLE turns_fts USING fts5(
    user_text, reply_text, tokenize='porter unicode61', content='turns', content_rowid='id'
);
CREATE TRIGGER turns_ai AFTER INSERT ON turns BEGIN
  INSERT INTO turns_fts(rowid, user_text, reply_text) VALUES (new.id, new.user_text, new.reply_text);
END;
CREATE TRIGGER turns_ad AFTER DELETE ON turns BEGIN
  INSERT INTO turns_fts(turns_fts, rowid, user_text, reply_text)
  VALUES ('delete', old.id, old.user_text, old.reply_text);
END;
CREATE TRIGGER turns_au AFTER UPDATE OF user_text, reply_text ON turns BEGIN
  INSERT INTO turns_fts(turns_fts, rowid, user_text, reply_text)
  VALUES ('delete', old.id, old.user_text, old.reply_text);
  INSERT INTO turns_fts(rowid, user_text, reply_text) VALUES (new.id, new.user_text, new.reply_text);
END;
"""


def _v1(conn: sqlite3.Connection) -> None:
    _script(conn, _V1 + _V1_FTS)


def _script(conn: sqlite3.Connection, sql: str) -> None:
    """Run statements one by one so they stay inside the caller's transaction."""
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            conn.execute(buffer)
            buffer = ""


MIGRATIONS: list[tuple[int, str, Migration]] = [
    (1, "initial schema: sessions, turns, moods, crisis_events, audio, turns_fts", _v1),
]
"""Append only; never edit or renumber an applied migration."""


def applied(conn: sqlite3.Connection) -> set[int]:
    """Numbers of the migrations already recorded in this database (none for a new file)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").fetchone():
        return set()
    return {row[0] for row in conn.execute("SELECT id FROM migrations")}


def migrate(conn: sqlite3.Connection) -> list[int]:
    """Apply pending migrations in order, each in its own transaction; return their numbers."""
    if {number for number, _, _ in MIGRATIONS} <= applied(conn):
        return []  # the common case takes no write lock
    done: list[int] = []
    for number, name, step in MIGRATIONS:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            if number not in applied(conn):
                step(conn)
                conn.execute("INSERT INTO migrations (id, name, applied_at) VALUES (?, ?, ?)", (number, name, now_iso()))
                done.append(number)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return done
