"""Crisis resources by locale, read from a reviewed data file shipped with the package."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources as importlib_resources
from typing import Any

FALLBACK = "INTL"


@dataclass(frozen=True)
class Resources:
    """One locale's emergency number and crisis lines, with the date they were last reviewed."""

    locale: str
    name: str
    emergency: str
    crisis_line: str
    lines: tuple[tuple[str, str, str], ...]
    """(service name, how to reach it, note)."""
    reviewed: str


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    """The shipped resources file, read once."""
    text = importlib_resources.files("voicejournal.data").joinpath("crisis_resources.json").read_text(encoding="utf-8")
    return json.loads(text)


def known_locales() -> tuple[str, ...]:
    """Locale codes with their own entry (the fallback included)."""
    return tuple(_data()["locales"])


def _code(locale: str) -> str:
    """'en-GB', 'gb', 'UK' -> 'UK'; anything unknown -> the international fallback."""
    data = _data()
    key = (locale or "").strip().upper().replace("-", "_")
    key = data["aliases"].get(key, key)
    if key not in data["locales"] and "_" in key:
        key = data["aliases"].get(key.split("_")[-1], key.split("_")[-1])
    return key if key in data["locales"] else FALLBACK


def resources_for(locale: str) -> Resources:
    """Resources for a locale; an unknown locale gets the international fallback, never nothing."""
    code = _code(locale)
    entry = _data()["locales"][code]
    lines = tuple((str(a), str(b), str(c)) for a, b, c in entry["lines"])
    return Resources(code, entry["name"], entry["emergency"], entry["crisis_line"], lines, _data()["reviewed"])


def format_resources(res: Resources) -> str:
    """Plain text for the screen: emergency number first, then each line."""
    out = [f"Crisis resources: {res.name}", f"  Emergency: {res.emergency}"]
    out += [f"  {name}: {contact} ({note})" for name, contact, note in res.lines]
    out.append(f"  (numbers reviewed {res.reviewed})")
    return "\n".join(out)
