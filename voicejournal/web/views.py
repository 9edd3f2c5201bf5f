"""The pages: timeline, one session, moods, search and the crisis resources."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from flask import Blueprint, abort, render_template, request

from voicejournal.crisis.resources import resources_for
from voicejournal.journal import charts, contract, export, search
from voicejournal.journal.dates import local_day, since_bound, until_bound
from voicejournal.web.moodsvg import mood_svg
from voicejournal.web.paging import timeline_page
from voicejournal.web.state import blank, journal, state

pages = Blueprint("pages", __name__)

MOOD_DAYS = 30


@pages.get("/")
def timeline() -> str:
    """Sessions newest first: date, mode, mood and the first words, a page at a time."""
    since, until = blank(request.args.get("since")), blank(request.args.get("until"))
    before, after = blank(request.args.get("before")), blank(request.args.get("after"))
    page = timeline_page(journal().conn, since, until, before, after)
    return render_template("timeline.html", page=page, lines=page.lines, since=since or "", until=until or "",
                           paged=bool(before or after), deleted=request.args.get("deleted"))


@pages.get("/session/<int:sid>")
def session(sid: int) -> str:
    """The transcript, with the person's own voice and the companion's replies per turn."""
    data = contract.export(journal().conn, session_ids=[sid])
    if not data["sessions"]:
        abort(404, f"There is no session {sid}; it may have been deleted.")
    found = data["sessions"][0]
    audio_root = state().settings.audio_dir.expanduser().resolve()
    voiced = {t["id"] for t in found["turns"] if t["audio_path"] and _inside(t["audio_path"], audio_root)}
    flagged = {e["turn_id"] for e in found["crisis_events"] if e["level"] in export.FLAGGED}
    flagged |= {t["id"] for t in found["turns"] if t["screen"]["level"] in export.FLAGGED}
    return render_template("session.html", s=found, voiced=voiced, flagged=flagged,
                           speak_replies=not state().voice.unavailable)


@pages.get("/moods")
def moods() -> str:
    """Daily mood, its 7-day average and tags over a date range, hard moments marked quietly."""
    today = date.today()
    since = blank(request.args.get("since")) or (today - timedelta(days=MOOD_DAYS - 1)).isoformat()
    until = blank(request.args.get("until")) or today.isoformat()
    data = journal().export(since, until)
    points = charts.daily(export.all_moods(data))
    averages = charts.rolling_mean(points)
    marked = {local_day(e["created_at"]) for s in data["sessions"] for e in s["crisis_events"]
              if e["level"] in export.FLAGGED}
    tags = Counter(t for p in points for t in p.tags).most_common(12)
    start = local_day(since_bound(since) or "")
    end = local_day(until_bound(until) or "") - timedelta(days=1)
    return render_template("moods.html", since=since, until=until, rows=list(zip(points, averages)),
                           chart=mood_svg(points, averages, marked, start, end), tags=tags, marked=sorted(marked))


@pages.get("/search")
def find() -> str:
    """What was said or heard, by word, with the matching words highlighted."""
    query = (request.args.get("q") or "").strip()
    since, until = blank(request.args.get("since")), blank(request.args.get("until"))
    hits = search.search(journal().conn, query, since, until) if query else []
    return render_template("search.html", q=query, since=since or "", until=until or "", hits=hits,
                           searched=bool(query))


@pages.get("/help")
def help_now() -> str:
    """Crisis lines for the person's locale, one click from every page."""
    return render_template("help.html", res=resources_for(state().settings.locale))


def _inside(path: str, root: Path) -> bool:
    return Path(path).expanduser().resolve().is_relative_to(root)
