"""Deleting for good: rows, search index entries, audio files, and the freed pages themselves."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from voicejournal.journal.dates import day_start
from voicejournal.journal.store import Journal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deleted:
    """What a deletion removed, and audio it left alone because the journal does not own it."""

    sessions: int = 0
    turns: int = 0
    moods: int = 0
    audio_files: int = 0
    kept_files: tuple[str, ...] = field(default=())


def sessions_before(journal: Journal, day: date) -> list[int]:
    """Sessions started before local midnight at the start of day."""
    rows = journal.conn.execute("SELECT id FROM sessions WHERE started_at < ? ORDER BY id", (day_start(day),))
    return [r[0] for r in rows]


def delete_sessions(journal: Journal, ids: list[int], audio_dir: Path, loose_moods_before: date | None = None) -> Deleted:
    """Remove sessions with everything in them; audio files under audio_dir are deleted too."""
    conn, key = journal.conn, json.dumps(ids)
    inside = "(SELECT value FROM json_each(?))"
    paths = {r[0] for r in conn.execute(
        f"SELECT path FROM audio WHERE turn_id IN (SELECT id FROM turns WHERE session_id IN {inside})"
        f" UNION SELECT audio_path FROM turns WHERE audio_path IS NOT NULL AND session_id IN {inside}", (key, key))}
    turns = conn.execute(f"SELECT count(*) FROM turns WHERE session_id IN {inside}", (key,)).fetchone()[0]
    with journal.transaction():
        moods = conn.execute(f"DELETE FROM moods WHERE session_id IN {inside}", (key,)).rowcount
        if loose_moods_before:
            moods += conn.execute("DELETE FROM moods WHERE session_id IS NULL AND created_at < ?",
                                  (day_start(loose_moods_before),)).rowcount
        # children first, so the delete trigger removes each turn from the search index
        conn.execute(f"DELETE FROM crisis_events WHERE session_id IN {inside}", (key,))
        conn.execute(f"DELETE FROM audio WHERE turn_id IN (SELECT id FROM turns WHERE session_id IN {inside})", (key,))
        conn.execute(f"DELETE FROM turns WHERE session_id IN {inside}", (key,))
        sessions = conn.execute(f"DELETE FROM sessions WHERE id IN {inside}", (key,)).rowcount
    _scrub(journal)
    removed, kept = _remove_files(paths, audio_dir)
    return Deleted(sessions, turns, moods, removed, tuple(sorted(kept)))


def enforce_retention(journal: Journal, days: int | None, audio_dir: Path, today: date | None = None) -> Deleted:
    """Delete everything older than `days` days (the optional retention setting); None or 0 keeps all."""
    if not days or days <= 0:
        return Deleted()
    cutoff = (today or date.today()) - timedelta(days=days)
    return delete_sessions(journal, sessions_before(journal, cutoff), audio_dir, loose_moods_before=cutoff)


def _scrub(journal: Journal) -> None:
    """Merge the FTS index so deleted words leave its segments, then move everything out of the WAL."""
    with journal.transaction() as conn:
        conn.execute("INSERT INTO turns_fts(turns_fts) VALUES ('optimize')")
    journal.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _remove_files(paths: set[str], audio_dir: Path) -> tuple[int, list[str]]:
    root = Path(audio_dir).expanduser().resolve()
    removed, kept = 0, []
    for raw in paths:
        path = Path(raw).expanduser().resolve()
        if not path.is_relative_to(root):
            kept.append(raw)  # e.g. the person's own recording passed with --input: not ours to delete
            continue
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("could not delete %s: %s", path, exc)
            kept.append(raw)
    return removed, kept
