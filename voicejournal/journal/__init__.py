"""The journal: sessions, turns, moods and crisis events in one private SQLite file."""

from voicejournal.journal.store import Journal

__all__ = ["Journal"]
