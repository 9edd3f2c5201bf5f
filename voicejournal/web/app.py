"""The web app and its server: Flask pages served by waitress on loopback, behind a one-time link."""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Callable

from flask import Flask, render_template
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from voicejournal.errors import UserError
from voicejournal.journal.crypto import Vault
from voicejournal.journal.dates import parse_iso
from voicejournal.journal.search import MARK_CLOSE, MARK_OPEN
from voicejournal.settings import Settings
from voicejournal.web import auth
from voicejournal.web.actions import actions
from voicejournal.web.media import media
from voicejournal.web.state import WebState, close_journal
from voicejournal.web.views import pages
from voicejournal.web.voices import ReplyVoice, piper_loader

log = logging.getLogger(__name__)

THREADS = 4
"""Enough for a page and its audio requests at once; one person uses this."""


def create_app(settings: Settings, gate: auth.Gate, voice: ReplyVoice | None = None,
               vault: Vault | None = None) -> Flask:
    """The app for one journal; nothing heavy happens here (the voice loads on first use)."""
    app = Flask(__name__)
    app.extensions["voicejournal"] = WebState(settings, voice or ReplyVoice(piper_loader(settings)), vault)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    auth.install(app, gate)
    for blueprint in (pages, media, actions):
        app.register_blueprint(blueprint)
    app.teardown_appcontext(close_journal)
    app.add_template_filter(when, "when")
    app.add_template_filter(highlight, "highlight")
    app.register_error_handler(UserError, _user_error)
    app.register_error_handler(HTTPException, _http_error)
    return app


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or 'localhost': reachable from this machine only."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, allow_remote: bool) -> None:
    """Refuse anything but loopback unless the person explicitly asked for it."""
    if not is_loopback(host) and not allow_remote:
        raise UserError(
            f"Refusing to serve your journal on {host}: other machines could reach it. Use the default "
            "127.0.0.1, or pass --allow-remote if you really mean it (the private link is still required)."
        )


def serve(settings: Settings, host: str, port: int, allow_remote: bool,
          on_ready: Callable[[str], None], voice: ReplyVoice | None = None, vault: Vault | None = None) -> None:
    """Bind, hand the one-time link to on_ready, then serve until interrupted."""
    check_host(host, allow_remote)
    from waitress.server import create_server

    gate = auth.Gate()
    app = create_app(settings, gate, voice, vault)
    try:
        server = create_server(app, host=host, port=port, threads=THREADS, ident="voicejournal")
    except OSError as exc:
        raise UserError(f"Cannot listen on {host}:{port} ({exc.strerror or exc}); "
                        "pick another with --port, or stop what uses it.") from None
    bound = int(server.effective_port)  # type: ignore[union-attr]
    shown = f"[{host}]" if ":" in host else host
    if is_loopback(host):
        gate.allowed_hosts = auth.loopback_hosts(bound) | {f"{shown.lower()}:{bound}"}
    on_ready(f"http://{shown}:{bound}/?token={gate.token}")
    try:
        server.run()
    finally:
        server.close()


def when(stamp: str, fmt: str = "%a %-d %b %Y, %H:%M") -> str:
    """A stored UTC timestamp in the person's local time."""
    return parse_iso(stamp).astimezone().strftime(fmt)


def highlight(snippet: str) -> Markup:
    """A search snippet, escaped, with the matched words in <mark>."""
    text = str(escape(snippet))
    return Markup(re.sub(f"{MARK_OPEN}(.*?){MARK_CLOSE}", r"<mark>\1</mark>", text))


def _user_error(exc: UserError) -> tuple[str, int]:
    return render_template("error.html", title="Something needs fixing", message=str(exc)), 400


def _http_error(exc: HTTPException) -> tuple[str, int]:
    titles = {404: "Not found", 400: "Something needs fixing", 405: "Not allowed"}
    return render_template("error.html", title=titles.get(exc.code or 500, exc.name),
                           message=exc.description), exc.code or 500


