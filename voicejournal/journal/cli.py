"""Journal commands: mood, search, entries, show, export, moods, summary, delete."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterator

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from voicejournal.clicontext import settings_of
from voicejournal.errors import UserError
from voicejournal.journal import charts, contract, deletion, export, queries, search
from voicejournal.journal.dates import local_day, parse_day, parse_iso
from voicejournal.journal.mood_log import log_mood, normalize_tags
from voicejournal.journal.mood_parse import MoodReading, parse_mood
from voicejournal.journal.store import Journal
from voicejournal.journal.summary import week_summary

since_option = click.option("--since", metavar="DATE", help="From this day on (YYYY-MM-DD, today, yesterday).")
until_option = click.option("--until", metavar="DATE", help="Up to and including this day.")
json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")


@contextmanager
def open_journal(ctx: click.Context) -> Iterator[Journal]:
    """The journal at settings.db_path (unlocked when encrypted), with the optional retention period applied."""
    from voicejournal.journal.unlock import open_journal as open_unlocked

    settings = settings_of(ctx)
    journal = open_unlocked(settings)
    try:
        deletion.enforce_retention(journal, settings.retention_days, settings.audio_dir)
        yield journal
    finally:
        journal.close()


def _out() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.command("mood")
@click.argument("score", required=False)
@click.option("--tags", help="Comma-separated feelings, e.g. tired,calm (anxious, sad, hopeful, grateful, …).")
@click.option("--note", help="A few words about the day.")
@click.option("--input", "input_path", type=click.Path(path_type=Path),
              help="Check in from a recording (WAV, FLAC, OGG, MP3, M4A): your answer, then any correction.")
@click.option("--input-device", metavar="DEVICE", help="Microphone for the spoken check-in (see `voicejournal devices`).")
@click.option("--output-device", metavar="DEVICE", help="Speaker for the spoken check-in.")
@click.option("--no-voice", is_flag=True, help="Spoken check-in: show the questions instead of saying them.")
@click.pass_context
def mood_command(ctx: click.Context, score: str | None, tags: str | None, note: str | None, input_path: Path | None,
                 input_device: str | None, output_device: str | None, no_voice: bool) -> None:
    """Log a mood from 0 (worst) to 10 (best): typed, or said aloud when no SCORE is given.

    Without a SCORE it asks how you feel, listens, reads back what it understood
    and lets you correct it ("no, a five") before logging.

    \b
    Examples:
      voicejournal mood                       # spoken check-in through the microphone
      voicejournal mood 6
      voicejournal mood 7.5 --tags tired,calm --note "long day, good walk"
      voicejournal mood "pretty bad, maybe a three"
      voicejournal mood --input checkin.wav   # "about a six ... no, make that a four"
    """
    if score is None:
        if tags or note:
            raise UserError("--tags and --note go with a typed SCORE; in a spoken check-in just say them.")
        from voicejournal import checkin

        console = _out()
        if input_path is not None:
            result = checkin.checkin_from_file(settings_of(ctx), input_path, console)
        else:
            result = checkin.checkin_live(settings_of(ctx), console, input_device, output_device, not no_voice)
        click.echo(checkin.describe_result(result))
        return
    if input_path is not None:
        raise UserError("Give a SCORE or --input FILE, not both; e.g. `voicejournal mood --input checkin.wav`.")
    reading = _typed_reading(score, normalize_tags(tags), note)
    with open_journal(ctx) as journal:
        sid = journal.start_session("mood", {"input": "text"})
        log_mood(journal, sid, reading, "text")
        journal.end_session(sid)
    shown = f"{reading.score:g}/10" if reading.score is not None else "no score"
    click.echo(f"Logged mood {shown}" + (f" ({', '.join(reading.tags)})" if reading.tags else "") + ".")


def _typed_reading(score: str, tags: tuple[str, ...], note: str | None) -> MoodReading:
    try:
        value: float | None = float(score)
    except ValueError:
        parsed = parse_mood(score)
        if parsed is None:
            raise UserError(f"{score!r} is not a mood; give a number from 0 to 10, e.g. `voicejournal mood 6`.")
        merged = tuple(dict.fromkeys(parsed.tags + tags))
        return MoodReading(parsed.score, merged, note or parsed.note)
    if not 0 <= value <= 10:
        raise UserError(f"Mood {score} is outside 0-10; give a number from 0 (worst) to 10 (best).")
    return MoodReading(value, tags, note)


@click.command("search")
@click.argument("query")
@since_option
@until_option
@click.option("--limit", default=20, show_default=True, help="At most this many turns.")
@json_option
@click.pass_context
def search_command(ctx: click.Context, query: str, since: str | None, until: str | None, limit: int,
                   as_json: bool) -> None:
    """Find what you said or heard, by word (walking also finds walked).

    \b
    Examples:
      voicejournal search "sleep"
      voicejournal search "mum birthday" --since 2024-05-01
      voicejournal search work --until yesterday --json
    """
    with open_journal(ctx) as journal:
        hits = search.search(journal.conn, query, since, until, limit)
    if as_json:
        _echo_json([asdict(h) for h in hits])
        return
    console = _out()
    if not hits:
        console.print(f"Nothing found for {escape(query)!s}.")
        return
    for hit in hits:
        console.print(f"[bold]{_when(hit.started_at)}[/] session {hit.session_id}")
        for who, snippet in (("You", hit.user_snippet), ("Companion", hit.reply_snippet)):
            if search.MARK_OPEN in snippet:
                console.print(f"  {who}: {_highlight(snippet)}")


def _highlight(snippet: str) -> str:
    text = escape(snippet)
    return re.sub(f"{search.MARK_OPEN}(.*?){search.MARK_CLOSE}", r"[bold yellow]\1[/]", text)


def _when(stamp: str) -> str:
    return parse_iso(stamp).astimezone().strftime("%Y-%m-%d %H:%M")


@click.command("entries")
@since_option
@until_option
@click.option("--limit", type=int, help="Only the newest N sessions.")
@json_option
@click.pass_context
def entries_command(ctx: click.Context, since: str | None, until: str | None, limit: int | None,
                    as_json: bool) -> None:
    """List sessions, newest first: date, mode, turns, mood, first words.

    \b
    Examples:
      voicejournal entries
      voicejournal entries --since yesterday
      voicejournal entries --since 2024-05-01 --json
    """
    with open_journal(ctx) as journal:
        lines = queries.session_lines(journal.conn, since, until, limit)
    if as_json:
        _echo_json([asdict(line) for line in lines])
        return
    console = _out()
    if not lines:
        console.print("No entries yet. Start one with `voicejournal talk`, or log a mood with `voicejournal mood 6`.")
        return
    for line in lines:
        mood = f"{line.mood:4.1f}" if line.mood is not None else "   -"
        first = " ".join(line.first_words.split())
        first = first[:60] + "…" if len(first) > 60 else first
        flag = "" if line.status == "complete" else f" [dim]({line.status})[/]"
        console.print(f"{line.id:>5}  {_when(line.started_at)}  {line.mode:<7} {line.turns:>3} turns  "
                      f"mood {mood}  {escape(first)}{flag}")


@click.command("show")
@click.argument("ref", metavar="SESSION|DATE|last")
@json_option
@click.pass_context
def show_command(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Show a whole session (or every session of a day): transcript, moods, flagged moments.

    \b
    Examples:
      voicejournal show last
      voicejournal show 42
      voicejournal show yesterday --json
    """
    with open_journal(ctx) as journal:
        data = contract.export(journal.conn, session_ids=queries.resolve_sessions(journal.conn, ref))
    if as_json:
        _echo_json(data)
        return
    console = _out()
    for session in data["sessions"]:
        console.print(f"[bold]Session {session['id']}[/] · {_when(session['started_at'])} · {session['mode']}"
                      f" · {session['status']}")
        if session.get("summary"):
            console.print(f"[italic]{escape(session['summary'])}[/]")
        for turn in session["turns"]:
            flag = " [red]⚠[/]" if turn["screen"]["level"] in export.FLAGGED else ""
            console.print(f"[cyan]You{flag}:[/] {escape(turn['user_text'])}")
            if turn["reply_text"]:
                console.print(f"[green]Companion:[/] {escape(turn['reply_text'])}")
        for mood in session["moods"]:
            console.print(f"[magenta]Mood:[/] {escape(export._mood_text(mood))}")
        for event in session["crisis_events"]:
            console.print(f"[red]⚠ {event['level']} ({event['category']}, {event['kind']}):[/] "
                          f"{escape(event['response'])}")
        console.print()


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(export.FORMATS), default="md", show_default=True,
              help="md: readable, for a therapist; json: everything; csv: moods.")
@since_option
@until_option
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write here (mode 0600), not stdout.")
@click.pass_context
def export_command(ctx: click.Context, fmt: str, since: str | None, until: str | None, out: Path | None) -> None:
    """Export the journal as Markdown, JSON or CSV.

    \b
    Examples:
      voicejournal export --format md --since 2024-05-01 --out for-therapist.md
      voicejournal export --format json --out journal.json
      voicejournal export --format csv > moods.csv
    """
    err = Console(stderr=True)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("Reading the journal", total=3)
        with open_journal(ctx) as journal:
            data = journal.export(since, until)
        progress.update(task, advance=1, description=f"Writing {fmt}")
        text = export.render(data, fmt)
        progress.advance(task)
        if out:
            from voicejournal.journal.files import write_private

            write_private(out, text)
        progress.advance(task)
    if out:
        err.print(f"Wrote {len(data['sessions'])} sessions to {out} (readable only by you).")
    else:
        click.echo(text, nl=False)


@click.command("moods")
@since_option
@until_option
@click.option("--chart", type=click.Path(path_type=Path, dir_okay=False), help="Also draw a PNG chart here.")
@json_option
@click.pass_context
def moods_command(ctx: click.Context, since: str | None, until: str | None, chart: Path | None,
                  as_json: bool) -> None:
    """Mood over time: a table with a sparkline, and optionally a PNG chart.

    \b
    Examples:
      voicejournal moods
      voicejournal moods --since 2024-05-01 --chart moods.png
    """
    since = since or (date.today() - timedelta(days=29)).isoformat()
    with open_journal(ctx) as journal:
        moods = export.all_moods(journal.export(since, until))
    points = charts.daily(moods)
    if as_json:
        _echo_json([{**asdict(p), "day": p.day.isoformat()} for p in points])
    else:
        _print_moods(points)
    if chart:
        drawn = charts.write_chart(points, chart)
        Console(stderr=True).print(f"Chart of {drawn} days written to {chart}.")


def _print_moods(points: list[charts.DailyMood]) -> None:
    console = _out()
    if not points:
        console.print("No moods logged in this period. Log one with `voicejournal mood 6`.")
        return
    table = Table("day", "mood", "7-day avg", "tags", box=None)
    for point, avg in zip(points, charts.rolling_mean(points)):
        table.add_row(point.day.isoformat(), f"{point.score:.1f}" if point.score is not None else "-",
                      f"{avg:.1f}" if avg is not None else "-", ", ".join(point.tags))
    console.print(table)
    console.print(f"trend  {charts.sparkline(p.score for p in points)}")


@click.command("summary")
@click.option("--week", is_flag=True, default=True, help="The last 7 days (the default).")
@json_option
@click.pass_context
def summary_command(ctx: click.Context, week: bool, as_json: bool) -> None:
    """A short look back at the last 7 days, computed locally: mood trend, themes, what helped.

    \b
    Examples:
      voicejournal summary --week
      voicejournal summary --json
    """
    today = date.today()
    with open_journal(ctx) as journal:
        this = journal.export((today - timedelta(days=6)).isoformat(), today.isoformat())
        before = journal.export((today - timedelta(days=13)).isoformat(), (today - timedelta(days=7)).isoformat())
    result = week_summary(this, before)
    if as_json:
        _echo_json(asdict(result))
    else:
        for line in result.lines():
            click.echo(line)


@click.command("delete")
@click.argument("ref", required=False, metavar="SESSION|DATE|last")
@click.option("--before", metavar="DATE", help="Delete everything before this day.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def delete_command(ctx: click.Context, ref: str | None, before: str | None, yes: bool) -> None:
    """Delete sessions for good: text, moods, search index entries and recorded audio.

    \b
    Examples:
      voicejournal delete last
      voicejournal delete 42 --yes
      voicejournal delete --before 2024-01-01
    """
    if bool(ref) == bool(before):
        raise UserError("Say what to delete: a session (`voicejournal delete 42`), a day, or `--before DATE`.")
    settings = settings_of(ctx)
    with open_journal(ctx) as journal:
        cutoff = parse_day(before) if before else None
        ids = deletion.sessions_before(journal, cutoff) if cutoff else queries.resolve_sessions(journal.conn, ref or "")
        what = f"{len(ids)} session{'s' * (len(ids) != 1)}" + (f" before {cutoff.isoformat()}" if cutoff else "")
        if not yes:
            click.confirm(f"Delete {what} permanently (text, moods and audio)?", abort=True, err=True)
        done = deletion.delete_sessions(journal, ids, settings.audio_dir, loose_moods_before=cutoff)
    click.echo(f"Deleted {done.sessions} sessions, {done.turns} turns, {done.moods} moods, "
               f"{done.audio_files} audio files.")
    for path in done.kept_files:
        click.echo(f"Left in place (not recorded by voicejournal): {path}", err=True)


COMMANDS = (export_command, search_command, entries_command, show_command, mood_command, moods_command,
            summary_command, delete_command)
