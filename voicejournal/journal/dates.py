"""Timestamps and the dates people type ("today", "2024-05-01"), turned into UTC bounds."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from voicejournal.errors import UserError


def now_iso() -> str:
    """The current moment as ISO-8601 UTC with milliseconds; sorts as text."""
    return to_iso(datetime.now(timezone.utc))


def to_iso(moment: datetime) -> str:
    """A datetime as ISO-8601 UTC with milliseconds and a trailing Z."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """An ISO-8601 timestamp we stored (Z or offset) as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def local_day(stamp: str) -> date:
    """The local calendar day a stored UTC timestamp falls on."""
    return parse_iso(stamp).astimezone().date()


def parse_day(text: str, today: date | None = None) -> date:
    """YYYY-MM-DD, 'today' or 'yesterday' as a date; anything else is a UserError."""
    today = today or date.today()
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise UserError(f"{text!r} is not a date; use YYYY-MM-DD, 'today' or 'yesterday'.") from None


def day_start(day: date) -> str:
    """Local midnight at the start of a day, as a UTC ISO string."""
    return to_iso(datetime.combine(day, time.min).astimezone())


def since_bound(text: str | None) -> str | None:
    """Inclusive lower bound: a date means that day's local midnight; a timestamp is kept."""
    if text is None:
        return None
    if "T" in text:
        return _timestamp(text)
    return day_start(parse_day(text))


def until_bound(text: str | None) -> str | None:
    """Exclusive upper bound: a date includes that whole local day; a timestamp is kept."""
    if text is None:
        return None
    if "T" in text:
        return _timestamp(text)
    return day_start(parse_day(text) + timedelta(days=1))


def _timestamp(text: str) -> str:
    try:
        return to_iso(parse_iso(text))
    except ValueError:
        raise UserError(f"{text!r} is not a timestamp; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ.") from None
