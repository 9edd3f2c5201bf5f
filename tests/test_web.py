"""The web view through Flask's test client: pages, the one-time link, audio safety, export, delete."""

from __future__ import annotations

import io
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock
from html import unescape
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner
from flask.testing import FlaskClient

from voicejournal.audio import write_audio
from voicejournal.cli import main
from voicejournal.errors import ModelError, UserError
from voicejournal.journal import Journal
from voicejournal.journal.dates import to_iso
from voicejournal.settings import Settings
from voicejournal.types import Audio, Level, ScreenResult
from voicejournal.web.app import check_host, create_app, is_loopback
from voicejournal.web.auth import Gate
from voicejournal.web.cli import serve_command
from voicejournal.web.paging import PAGE_SIZE
from voicejournal.web.voices import ReplyVoice

if "serve" not in main.commands:
    main.add_command(serve_command)

CALM = ScreenResult(Level.NONE)
WORRY = ScreenResult(Level.CONCERN, "suicide", ("hopeless",))


def noon(days_ago: int) -> str:
    """Noon local time some days ago, as stored UTC."""
    return to_iso(datetime.combine(date.today() - timedelta(days=days_ago), clock(12)).astimezone())


def tone(seconds: float = 1.5, hz: float = 330.0, rate: int = 16_000) -> Audio:
    """A soft sine tone standing in for a recorded voice."""
    t = np.arange(int(seconds * rate)) / rate
    return Audio((0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32), rate)


def _at(journal: Journal, table: str, row_id: int, stamp: str) -> None:
    column = {"sessions": "started_at", "moods": "created_at", "crisis_events": "created_at"}[table]
    journal.conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (stamp, row_id))


def build_journal(settings: Settings, outside: Path) -> dict[str, int]:
    """Three sessions on three days with FLAC turns, replies, moods and one flagged moment; returns ids."""
    settings.audio_dir.mkdir(parents=True, mode=0o700)
    ids: dict[str, int] = {}
    with Journal.open(settings.db_path) as j:
        sid = j.start_session("reflect")
        _at(j, "sessions", sid, noon(10))
        for n, (said, reply) in enumerate([
            ("I went for a long walk by the river and felt calmer", "That sounds restorative. What helped most?"),
            ("Mostly the quiet, and sleeping well afterwards", "Quiet can do a lot."),
        ]):
            path = write_audio(settings.audio_dir / f"s{sid}-t{n}.flac", tone(1.5, 300 + 60 * n))
            tid = j.add_user_turn(sid, said, CALM, {}, {}, audio_path=str(path), started_at=noon(10))
            j.complete_turn(tid, reply, "llm", {})
            ids.setdefault("walk_turn", tid)
        _at(j, "moods", j.add_mood(sid, 7, ["calm"], None, "conversation"), noon(10))
        j.end_session(sid)
        ids["walk"] = sid

        sid = j.start_session("talk")
        _at(j, "sessions", sid, noon(5))
        tid = j.add_user_turn(sid, "Work was heavy and I feel hopeless about sleep", WORRY, {}, {},
                              audio_path=str(write_audio(outside, tone(0.5))), started_at=noon(5))
        j.complete_turn(tid, "I'm glad you told me. You deserve support right now.", "crisis", {})
        _at(j, "crisis_events", j.add_crisis_event(sid, tid, "concern", "suicide", "utterance", "hopeless",
                                                   "offered support"), noon(5))
        _at(j, "moods", j.add_mood(sid, 3, ["anxious", "tired"], None, "conversation"), noon(5))
        j.end_session(sid)
        ids.update(hard=sid, hard_turn=tid)

        sid = j.start_session("mood")
        j.add_mood(sid, 6, ["hopeful"], "better today", "text")
        j.end_session(sid)
        ids["today"] = sid
    return ids


class FakeVoice:
    """A synthesizer that hums instead of speaking, so reply audio needs no model."""

    name, rate = "fake", 22_050

    def synthesize(self, text: str) -> Iterator[Audio]:
        yield tone(0.4, 440, self.rate)


@pytest.fixture
def world(tmp_path: Path) -> tuple[Settings, dict[str, int]]:
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    return settings, build_journal(settings, tmp_path / "outside.flac")


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
def client(world: tuple[Settings, dict[str, int]], gate: Gate) -> FlaskClient:
    """A client that has redeemed the one-time link (so it holds the cookie)."""
    app = create_app(world[0], gate, ReplyVoice(FakeVoice))
    app.testing = True
    client = app.test_client()
    assert client.get(f"/?token={gate.token}").status_code == 303
    return client



SERVE = ("import sys; from voicejournal.cli import main, run; from voicejournal.web.cli import serve_command;"
         " 'serve' in main.commands or main.add_command(serve_command); run()")


@contextmanager
def running_server(data_dir: Path, *extra: str) -> Iterator[tuple[str, float]]:
    """`voicejournal serve` in its own process; yields the printed link and the seconds it took to print."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-c", SERVE, "--data-dir", str(data_dir), "serve", "--port", "0", "--no-browser", *extra]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout or []], daemon=True).start()
    try:
        try:
            first = lines.get(timeout=30)
        except queue.Empty:
            raise AssertionError("serve printed no link within 30 s") from None
        found = re.search(r"http://\S+", first)
        assert found, (first, proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        yield found.group(0), time.monotonic() - started
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def fetch(url: str, cookie: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET without following redirects; returns status, headers and body."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


# -- the one-time link ---------------------------------------------------------------------------


def test_every_request_without_the_secret_is_refused(world: tuple[Settings, dict[str, int]], gate: Gate) -> None:
    settings, ids = world
    client = create_app(settings, gate, ReplyVoice(FakeVoice)).test_client()
    urls = ["/", f"/session/{ids['walk']}", "/moods", "/search?q=walk", "/export", "/help", "/static/style.css",
            f"/session/{ids['walk']}/turn/{ids['walk_turn']}/voice", "/nowhere", "/?token=wrong"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"walk" not in response.data and b"voicejournal serve" in response.data
    assert client.post("/export", data={"fmt": "json", "csrf": gate.csrf}).status_code == 403
    assert client.post(f"/session/{ids['walk']}/delete", data={"csrf": gate.csrf, "confirm": "yes"}).status_code == 403
    client.set_cookie(gate.cookie_name, "guess")
    assert client.get("/").status_code == 403


def test_link_works_once_and_becomes_a_strict_httponly_cookie(world: tuple[Settings, dict[str, int]],
                                                               gate: Gate) -> None:
    app = create_app(world[0], gate, ReplyVoice(FakeVoice))
    first = app.test_client()
    response = first.get(f"/moods?token={gate.token}&since=2020-01-01")
    assert response.status_code == 303
    assert response.headers["Location"] == "/moods?since=2020-01-01"
    cookie = response.headers["Set-Cookie"]
    assert gate.cookie_value in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert gate.token not in cookie
    assert first.get("/").status_code == 200
    assert first.get(f"/?token={gate.token}").status_code == 303  # already in: just tidies the address
    assert app.test_client().get(f"/?token={gate.token}").status_code == 403  # spent for everyone else


def test_privacy_headers_on_every_answer(client: FlaskClient) -> None:
    for url in ["/", "/static/style.css", "/nowhere"]:
        headers = client.get(url).headers
        assert headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store"
        assert headers["X-Frame-Options"] == "DENY"


def test_foreign_host_header_refused(client: FlaskClient, gate: Gate) -> None:
    """A DNS-rebinding page reaches loopback under its own name; it gets nothing."""
    gate.allowed_hosts = frozenset({"localhost:8765"})
    assert client.get("/", base_url="http://localhost:8765").status_code == 200
    client.set_cookie(gate.cookie_name, gate.cookie_value, domain="evil.example")
    assert client.get("/", base_url="http://evil.example:8765").status_code == 403


def test_pages_load_nothing_from_outside(client: FlaskClient, world: tuple[Settings, dict[str, int]]) -> None:
    ids = world[1]
    for url in ["/", f"/session/{ids['walk']}", f"/session/{ids['hard']}", "/moods", "/search?q=walk", "/export",
                "/help", f"/session/{ids['walk']}/delete"]:
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"""(src|href|action)=["']?(https?:)?//""", html), url
        assert "style=" not in html, url  # inline styles would be blocked by the CSP anyway
        assert re.search(r'href="/help"', html), url  # crisis resources one click away
    css = client.get("/static/style.css").get_data(as_text=True)
    assert "url(" not in css and "@import" not in css and "@font-face" not in css


# -- pages ---------------------------------------------------------------------------------------


def test_timeline_newest_first_with_mode_mood_and_first_words(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    today, hard, walk = (html.index(s) for s in ("better today", "Work was heavy", "I went for a long walk"))
    assert today < hard < walk
    assert "reflect" in html and "mood 7.0" in html and "mood 3.0" in html
    older = client.get(f"/?until={(date.today() - timedelta(days=7)).isoformat()}").get_data(as_text=True)
    assert "long walk" in older and "Work was heavy" not in older


def _timeline_page(client: FlaskClient, url: str) -> tuple[list[int], dict[str, str]]:
    """The session ids a timeline page lists, in order, and its paging links by rel (prev: newer, next: older)."""
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.get_data(as_text=True)
    ids = [int(sid) for sid in re.findall(r'class="entry" href="/session/(\d+)"', page)]
    links = {rel: unescape(href) for href, rel in re.findall(r'<a href="([^"]+)" rel="(prev|next)"', page)}
    assert all("token" not in link for link in links.values())
    return ids, links


def _walk_older(client: FlaskClient, url: str) -> list[list[int]]:
    """Every page from `url` on, following 'Older' links to the end."""
    pages: list[list[int]] = []
    next_url: str | None = url
    while next_url:
        ids, links = _timeline_page(client, next_url)
        pages.append(ids)
        next_url = links.get("next")
    return pages


def test_timeline_pages_through_hundreds_of_sessions_stably(client: FlaskClient,
                                                             world: tuple[Settings, dict[str, int]]) -> None:
    settings, ids = world
    base = datetime(2020, 3, 1, 9, tzinfo=timezone.utc)
    made: list[int] = []
    with Journal.open(settings.db_path) as j:
        for n in range(230):
            sid = j.start_session("talk")
            j.add_user_turn(sid, f"entry number {n}", CALM, {}, {})
            j.end_session(sid)
            tied = 176 <= n <= 187  # one started_at shared across the first page boundary
            _at(j, "sessions", sid, to_iso(base + timedelta(minutes=176 if tied else n)))
            made.append(sid)
    expected = [ids["today"], ids["hard"], ids["walk"], *reversed(made)]

    pages = _walk_older(client, "/")
    assert [len(p) for p in pages] == [PAGE_SIZE] * 4 + [len(expected) - 4 * PAGE_SIZE]
    assert [sid for page in pages for sid in page] == expected
    first, links = _timeline_page(client, "/")
    assert "prev" not in links and first == expected[:PAGE_SIZE]
    second_url = links["next"]

    with Journal.open(settings.db_path) as j:  # new sessions arrive while someone is reading page 2
        fresh = [j.start_session("mood") for _ in range(5)]
    second, links = _timeline_page(client, second_url)
    assert second == expected[PAGE_SIZE:2 * PAGE_SIZE]
    back, back_links = _timeline_page(client, links["prev"])
    assert back == expected[:PAGE_SIZE] and back_links["next"] == second_url
    newest, newest_links = _timeline_page(client, back_links["prev"])  # fewer than a page left: the first page
    assert newest == [*reversed(fresh), *expected[:PAGE_SIZE - 5]] and "prev" not in newest_links

    until = (date.today() - timedelta(days=7)).isoformat()
    filtered = _walk_older(client, f"/?until={until}")
    assert [sid for page in filtered for sid in page] == expected[2:]
    assert all(f"until={until}" in link for link in _timeline_page(client, f"/?until={until}")[1].values())


def test_timeline_paging_links_edited_or_past_the_end(client: FlaskClient) -> None:
    for cursor in ("nonsense", "2020-01-01T00:00:00.000Z_x", "_12"):
        assert client.get(f"/?before={cursor}").status_code == 400
    past = client.get("/?before=2000-01-01T00:00:00.000Z_1").get_data(as_text=True)
    assert "No older sessions here" in past and 'class="entry"' not in past
    assert 'class="pager"' not in client.get("/").get_data(as_text=True)  # three sessions: one page, no links


def test_session_page_transcript_players_and_gentle_flag(client: FlaskClient,
                                                        world: tuple[Settings, dict[str, int]]) -> None:
    ids = world[1]
    html = client.get(f"/session/{ids['walk']}").get_data(as_text=True)
    assert "long walk by the river" in html and "Quiet can do a lot." in html
    assert html.count('data-kind="voice"') == 2 and html.count('data-kind="reply"') == 2
    assert 'id="play-all"' in html and "/static/play.js" in html
    assert 'aria-label="Your recording, turn 1"' in html
    hard = client.get(f"/session/{ids['hard']}").get_data(as_text=True)
    assert "A hard moment was noted here" in hard and 'href="/help"' in hard
    assert 'data-kind="voice"' not in hard  # its recording lies outside the audio folder
    assert client.get("/session/999").status_code == 404


def test_voice_served_from_audio_dir_with_ranges(client: FlaskClient, world: tuple[Settings, dict[str, int]]) -> None:
    ids = world[1]
    url = f"/session/{ids['walk']}/turn/{ids['walk_turn']}/voice"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "audio/flac"
    samples, rate = sf.read(io.BytesIO(response.data))
    assert rate == 16_000 and len(samples) == 24_000
    partial = client.get(url, headers={"Range": "bytes=0-99"})
    assert partial.status_code == 206 and len(partial.data) == 100


def test_audio_outside_the_audio_folder_is_refused(client: FlaskClient, world: tuple[Settings, dict[str, int]],
                                                   tmp_path: Path) -> None:
    settings, ids = world
    assert client.get(f"/session/{ids['hard']}/turn/{ids['hard_turn']}/voice").status_code == 404
    secret = tmp_path / "secret.flac"
    write_audio(secret, tone(0.2))
    (settings.audio_dir / "link.flac").symlink_to(secret)
    with Journal.open(settings.db_path) as j:
        for stored in (settings.audio_dir / "link.flac", settings.audio_dir / ".." / ".." / "secret.flac"):
            j.set_turn_audio(ids["hard_turn"], str(stored))
            assert client.get(f"/session/{ids['hard']}/turn/{ids['hard_turn']}/voice").status_code == 404
    assert client.get(f"/session/{ids['walk']}/turn/{ids['hard_turn']}/voice").status_code == 404  # wrong session


def test_reply_spoken_as_wav_and_cached(world: tuple[Settings, dict[str, int]], gate: Gate) -> None:
    calls: list[int] = []

    def load() -> FakeVoice:
        calls.append(1)
        return FakeVoice()

    client = create_app(world[0], gate, ReplyVoice(load)).test_client()
    client.get(f"/?token={gate.token}")
    url = f"/session/{world[1]['walk']}/turn/{world[1]['walk_turn']}/reply.wav"
    first, second = client.get(url), client.get(url)
    assert first.status_code == 200 and first.mimetype == "audio/wav" and first.data == second.data
    samples, rate = sf.read(io.BytesIO(first.data))
    assert rate == 22_050 and len(samples) > 0.4 * rate
    assert calls == [1]  # loaded lazily, once


def test_without_a_voice_replies_stay_text(world: tuple[Settings, dict[str, int]], gate: Gate) -> None:
    def broken() -> FakeVoice:
        raise ModelError("no voice here")

    client = create_app(world[0], gate, ReplyVoice(broken)).test_client()
    client.get(f"/?token={gate.token}")
    ids = world[1]
    assert client.get(f"/session/{ids['walk']}/turn/{ids['walk_turn']}/reply.wav").status_code == 404
    html = client.get(f"/session/{ids['walk']}").get_data(as_text=True)
    assert "Quiet can do a lot." in html and 'data-kind="reply"' not in html and 'data-kind="voice"' in html


def test_moods_chart_range_tags_and_quiet_marks(client: FlaskClient) -> None:
    html = client.get("/moods").get_data(as_text=True)
    assert html.count('class="dot"') == 3 and html.count('class="event"') == 1
    assert 'class="average"' in html and "<svg" in html and 'role="img"' in html
    assert "anxious" in html and "calm" in html and "hopeful" in html
    week = (date.today() - timedelta(days=6)).isoformat()
    recent = client.get(f"/moods?since={week}").get_data(as_text=True)
    assert recent.count('class="dot"') == 2 and 'class="event"' in recent and "calm" not in recent
    older = client.get(f"/moods?since=2000-01-01&until={(date.today() - timedelta(days=7)).isoformat()}")
    html = older.get_data(as_text=True)
    assert html.count('class="dot"') == 1 and 'class="event"' not in html and "calm" in html
    bad = client.get("/moods?since=soon")
    assert bad.status_code == 400 and "not a date" in bad.get_data(as_text=True)


def test_search_highlights_and_escapes(client: FlaskClient) -> None:
    html = client.get("/search?q=walking").get_data(as_text=True)
    assert "<mark>walk</mark>" in html and 'href="/session/' in html
    empty = client.get("/search?q=%3C%3E%22")
    assert empty.status_code == 400 and "has no words" in empty.get_data(as_text=True)
    odd = client.get('/search?q=<script>NEAR(" -sleep*').get_data(as_text=True)
    assert "<script>" not in odd and "&lt;script&gt;" in odd


def test_export_downloads_each_format(client: FlaskClient, gate: Gate) -> None:
    md = client.post("/export", data={"fmt": "md", "csrf": gate.csrf})
    assert md.status_code == 200 and "attachment" in md.headers["Content-Disposition"]
    assert "# Voice journal" in md.get_data(as_text=True)
    csv_text = client.post("/export", data={"fmt": "csv", "csrf": gate.csrf}).get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("id,created_at,date,score") and len(csv_text.splitlines()) == 4
    since = (date.today() - timedelta(days=6)).isoformat()
    data = json.loads(client.post("/export", data={"fmt": "json", "csrf": gate.csrf, "since": since}).data)
    assert len(data["sessions"]) == 2
    assert client.post("/export", data={"fmt": "json"}).status_code == 400  # no CSRF token
    assert client.post("/export", data={"fmt": "exe", "csrf": gate.csrf}).status_code == 400


def test_delete_asks_first_then_removes_everything(client: FlaskClient, gate: Gate,
                                                   world: tuple[Settings, dict[str, int]]) -> None:
    settings, ids = world
    sid = ids["walk"]
    assert "Delete for good" in client.get(f"/session/{sid}/delete").get_data(as_text=True)
    assert client.post(f"/session/{sid}/delete", data={"confirm": "yes"}).status_code == 400
    assert client.post(f"/session/{sid}/delete", data={"csrf": gate.csrf}).status_code == 303  # not confirmed
    assert client.get(f"/session/{sid}").status_code == 200
    done = client.post(f"/session/{sid}/delete", data={"csrf": gate.csrf, "confirm": "yes"})
    assert done.status_code == 303 and done.headers["Location"] == f"/?deleted={sid}"
    assert client.get(f"/session/{sid}").status_code == 404
    assert not list(settings.audio_dir.glob("*.flac"))
    assert "long walk" not in client.get("/search?q=walk").get_data(as_text=True)


def test_crisis_resources_page(client: FlaskClient) -> None:
    html = client.get("/help").get_data(as_text=True)
    assert "988" in html and "911" in html and "reviewed" in html


# -- binding and the command ---------------------------------------------------------------------


def test_only_loopback_unless_told() -> None:
    for host in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"):
        assert is_loopback(host)
        check_host(host, allow_remote=False)
    for host in ("0.0.0.0", "::", "192.168.1.20", "example.org"):
        assert not is_loopback(host)
        with pytest.raises(UserError, match="--allow-remote"):
            check_host(host, allow_remote=False)
    check_host("0.0.0.0", allow_remote=True)


def test_serve_command_refuses_remote_and_has_help(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "serve", "--host", "0.0.0.0", "--no-browser"])
    assert isinstance(result.exception, UserError) and "--allow-remote" in str(result.exception)
    help_text = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "Examples:" in help_text and "--allow-remote" in help_text and "--port" in help_text


def test_real_server_starts_fast_and_guards_the_door(world: tuple[Settings, dict[str, int]]) -> None:
    with running_server(world[0].data_dir) as (url, seconds):
        assert url.startswith("http://127.0.0.1:") and "token=" in url
        base = url.split("?")[0]
        assert fetch(base)[0] == 403
        status, headers, _ = fetch(url)
        assert status == 303 and headers["Location"] == "/"
        cookie = headers["Set-Cookie"].split(";")[0]
        status, headers, body = fetch(base, cookie)
        assert status == 200 and b"long walk" in body
        assert headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert fetch(url)[0] == 403  # the link is spent
    assert seconds < 2, f"serve took {seconds:.2f} s to print its link"  # ~0.3 s here, interpreter included


def test_real_server_will_not_listen_beyond_loopback(tmp_path: Path) -> None:
    cmd = [sys.executable, "-c", SERVE, "--data-dir", str(tmp_path), "serve", "--host", "0.0.0.0", "--no-browser"]
    done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=30)
    assert done.returncode == 1 and "--allow-remote" in done.stderr and "http://" not in done.stdout
