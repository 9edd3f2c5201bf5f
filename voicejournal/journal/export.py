"""Exports from the contract dict: Markdown for a therapist, JSON with everything, CSV of moods."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import date
from typing import Any, Iterable

from voicejournal.journal.dates import local_day, parse_iso
from voicejournal.journal.themes import themes

FORMATS = ("md", "json", "csv")
CSV_FIELDS = ("id", "created_at", "date", "score", "tags", "note", "source", "session_id", "turn_id")
FLAGGED = ("concern", "risk", "imminent")


def render(data: dict[str, Any], fmt: str) -> str:
    """The export in one of FORMATS."""
    return {"md": to_markdown, "json": to_json, "csv": to_csv}[fmt](data)


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def all_moods(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every mood in an export, with its session id, oldest first."""
    moods = [{**m, "session_id": s["id"]} for s in data["sessions"] for m in s["moods"]]
    moods += [{**m, "session_id": None} for m in data.get("moods", [])]
    return sorted(moods, key=lambda m: (m["created_at"], m["id"]))


def to_csv(data: dict[str, Any]) -> str:
    """One row per mood; tags joined with ';'."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for mood in all_moods(data):
        writer.writerow({
            **{k: mood.get(k) for k in CSV_FIELDS}, "date": local_day(mood["created_at"]).isoformat(),
            "tags": ";".join(mood["tags"]), "score": "" if mood["score"] is None else mood["score"],
        })
    return out.getvalue()


def to_markdown(data: dict[str, Any]) -> str:
    """Per day: moods, recurring themes, crisis events flagged first, then the transcript."""
    by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for session in data["sessions"]:
        by_day[local_day(session["started_at"])].append(session)
    loose: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for mood in data.get("moods", []):
        loose[local_day(mood["created_at"])].append(mood)
    lines = ["# Voice journal", ""]
    if not by_day and not loose:
        lines.append("_No entries in this period._")
    for day in sorted(set(by_day) | set(loose)):
        lines += _day(day, by_day.get(day, []), loose.get(day, []))
    return "\n".join(lines).rstrip() + "\n"


def _day(day: date, sessions: list[dict[str, Any]], loose: list[dict[str, Any]]) -> list[str]:
    lines = [f"## {day.isoformat()} ({day.strftime('%A')})", ""]
    events = [e for s in sessions for e in s["crisis_events"] if e["level"] in FLAGGED]
    for event in events:
        lines.append(f"> **⚠ Crisis screen: {event['level']} ({event['category']})** at {_clock(event['created_at'])}"
                     f" — said: “{_one_line(event['trigger'])}”; response: {_one_line(event['response'])}")
    if events:
        lines.append("")
    moods = [m for s in sessions for m in s["moods"]] + loose
    if moods:
        lines.append("**Moods**")
        lines += [f"- {_clock(m['created_at'])} {_mood_text(m)}" for m in sorted(moods, key=lambda m: m["created_at"])]
        lines.append("")
    found = themes(t["user_text"] for s in sessions for t in s["turns"])
    if found:
        lines += [f"**Themes:** {', '.join(w for w, _ in found)}", ""]
    for session in sessions:
        lines += _session(session)
    return lines


def _session(session: dict[str, Any]) -> list[str]:
    turns = session["turns"]
    if not turns and not session.get("summary"):
        return []  # a bare mood check-in: its mood is listed above
    lines = [f"### {_clock(session['started_at'])} · {session['mode']} · {len(turns)} turn{'s' * (len(turns) != 1)}"
             + (f" · {session['status']}" if session["status"] not in ("complete",) else ""), ""]
    if session.get("summary"):
        lines += [f"_{session['summary']}_", ""]
    for turn in turns:
        flag = " ⚠" if turn["screen"]["level"] in FLAGGED else ""
        lines.append(f"**You{flag}:** {_one_line(turn['user_text'])}  ")
        if turn.get("reply_text"):
            lines.append(f"**Companion:** {_one_line(turn['reply_text'])}")
        lines.append("")
    return lines


def _mood_text(mood: dict[str, Any]) -> str:
    parts = [f"{mood['score']:g}/10" if mood["score"] is not None else "no score"]
    if mood["tags"]:
        parts.append(", ".join(mood["tags"]))
    if mood.get("note"):
        parts.append(f"“{_one_line(mood['note'])}”")
    if mood["source"] == "conversation":
        parts.append("(said in conversation)")
    return " — ".join(parts)


def _clock(stamp: str) -> str:
    return parse_iso(stamp).astimezone().strftime("%H:%M")


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def iter_turns(data: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for session in data["sessions"]:
        yield from session["turns"]
