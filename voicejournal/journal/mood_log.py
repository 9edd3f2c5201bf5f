"""Storing a mood reading: the one place that turns a MoodReading into a moods row."""

from __future__ import annotations

from voicejournal.errors import UserError
from voicejournal.journal.mood_parse import MoodReading
from voicejournal.journal.mood_vocab import EMOTIONS, SYNONYMS
from voicejournal.journal.store import Journal


def log_mood(journal: Journal, sid: int | None, reading: MoodReading, source: str,
             turn_id: int | None = None) -> int:
    """Store a reading (source: checkin|conversation|text|import); returns the mood id."""
    return journal.add_mood(sid, reading.score, list(reading.tags), reading.note, source, turn_id=turn_id)


def normalize_tags(raw: str | None) -> tuple[str, ...]:
    """'tired, Calm,worried' -> ('tired', 'calm', 'anxious'); an unknown word is a UserError listing valid ones."""
    tags: list[str] = []
    for word in (raw or "").split(","):
        word = word.strip().lower()
        if not word:
            continue
        tag = SYNONYMS.get(word)
        if tag is None:
            raise UserError(f"Unknown mood tag {word!r}; use any of: {', '.join(EMOTIONS)}.")
        if tag not in tags:
            tags.append(tag)
    return tuple(tags)
