"""What every request needs: the settings, the reply voice, and a journal connection for this request."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g

from voicejournal.journal.crypto import Vault
from voicejournal.journal.store import Journal
from voicejournal.journal.unlock import open_journal
from voicejournal.settings import Settings
from voicejournal.web.voices import ReplyVoice


@dataclass(frozen=True)
class WebState:
    """Handed to the app once, at creation; views read it, never a global."""

    settings: Settings
    voice: ReplyVoice
    vault: Vault | None = None
    """The keys of an encrypted journal, unlocked once when the server starts."""


def state() -> WebState:
    return current_app.extensions["voicejournal"]


def journal() -> Journal:
    """The journal, opened once per request (SQLite connections are cheap and not shared across threads)."""
    if "journal" not in g:
        g.journal = open_journal(state().settings, state().vault)
    return g.journal


def close_journal(_exc: BaseException | None = None) -> None:
    found = g.pop("journal", None)
    if found is not None:
        found.close()


def blank(value: str | None) -> str | None:
    """Form fields arrive as '' when left empty; the journal queries want None."""
    return value.strip() or None if value else None
