"""`voicejournal screen` and `voicejournal crisis`: no LLM, ASR or TTS is ever imported here."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import IO, Iterator

import click

from voicejournal.crisis.resources import format_resources, resources_for
from voicejournal.crisis.screen import CrisisScreen
from voicejournal.settings import Settings
from voicejournal.types import Level

LEVELS = tuple(level.value for level in Level)


def _lines(stream: IO[bytes] | IO[str]) -> Iterator[str]:
    """UTF-8 lines from stdin; bad bytes become U+FFFD so every input line gets an answer."""
    for raw in stream:
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", errors="replace")
        yield raw.rstrip("\r\n")


def _utterance_json(screen: CrisisScreen, text: str) -> str:
    """One output line for one utterance."""
    r = screen.screen(text)
    return json.dumps({"level": r.level.value, "category": r.category, "reasons": list(r.reasons),
                       "support_other": r.support_other}, ensure_ascii=False)


def _reply_json(screen: CrisisScreen, text: str) -> str:
    """One output line for one companion reply."""
    v = screen.screen_reply(text)
    return json.dumps({"verdict": v.verdict, "reason": v.reason}, ensure_ascii=False)


@click.command("screen")
@click.option("--replies", is_flag=True, help="Screen companion replies instead of user utterances.")
def screen_command(replies: bool) -> None:
    """Screen text from stdin, one line in, one JSON line out (no model is loaded).

    \b
    Examples:
      echo "i want to disappear" | voicejournal screen
      # {"level": "concern", "category": "suicide", "reasons": [...]}
      echo "Your secret is safe with me." | voicejournal screen --replies
      # {"verdict": "unsafe", "reason": "promises_secrecy"}
    """
    screen = CrisisScreen()
    render = _reply_json if replies else _utterance_json
    out = sys.stdout
    stdin = getattr(sys.stdin, "buffer", sys.stdin)
    for text in _lines(stdin):
        try:
            line = render(screen, text)
        except Exception:  # noqa: BLE001 - one bad line must not cost the answers for the rest
            line = json.dumps({"verdict": "unsafe", "reason": "screen_error"} if replies
                              else {"level": "risk", "category": "none", "reasons": ["screen_error"]})
        out.write(line + "\n")
        out.flush()


COUNT_SQL = "SELECT kind, level, COUNT(*) FROM crisis_events GROUP BY kind, level"


def referral_counts(db_path: Path) -> dict[str, dict[str, int]]:
    """Anonymised counts of crisis events by kind and level; zeros when there is no journal yet."""
    counts = {kind: {level: 0 for level in LEVELS} for kind in ("utterance", "reply")}
    if not db_path.is_file():
        return counts
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            rows = conn.execute(COUNT_SQL).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return counts
    return _tally(counts, rows)


def _encrypted_counts(settings: Settings) -> dict[str, dict[str, int]]:
    """The same counts from an encrypted journal, opened with its passphrase."""
    from voicejournal.journal.unlock import open_journal

    with open_journal(settings) as journal:
        return _tally({kind: {level: 0 for level in LEVELS} for kind in ("utterance", "reply")},
                      journal.conn.execute(COUNT_SQL).fetchall())


def _tally(counts: dict[str, dict[str, int]], rows: list[tuple]) -> dict[str, dict[str, int]]:
    for kind, level, n in rows:
        counts.setdefault(str(kind), {lv: 0 for lv in LEVELS})[str(level)] = int(n)
    return counts


@click.command("crisis")
@click.option("--locale", default=None, help="Country code (US, CA, UK, IE, AU, NZ); others get international help.")
@click.option("--stats", is_flag=True, help="Show anonymised counts of crisis referrals by level.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def crisis_command(ctx: click.Context, locale: str | None, stats: bool, as_json: bool) -> None:
    """Show crisis lines and emergency numbers, at any time, with no model loaded.

    \b
    Examples:
      voicejournal crisis               # resources for your configured locale
      voicejournal crisis --locale UK
      voicejournal crisis --stats       # how often the screen referred, by level
    """
    from voicejournal.clicontext import settings_of

    settings = settings_of(ctx)
    if stats:
        from voicejournal.journal.crypto import db_state

        encrypted = db_state(settings.db_path) == "encrypted"
        counts = _encrypted_counts(settings) if encrypted else referral_counts(settings.db_path)
        if as_json:
            click.echo(json.dumps(counts))
            return
        for kind, by_level in counts.items():
            click.echo(f"{kind}: " + ", ".join(f"{lv} {n}" for lv, n in by_level.items()))
        return
    res = resources_for(locale or settings.locale)
    if as_json:
        click.echo(json.dumps({"locale": res.locale, "name": res.name, "emergency": res.emergency,
                               "crisis_line": res.crisis_line, "reviewed": res.reviewed,
                               "lines": [list(x) for x in res.lines]}))
        return
    click.echo("If you are in danger right now, call " + res.emergency + ".")
    click.echo(format_resources(res))
