"""Who may see the journal: the holder of the one-time link, then of the cookie it was swapped for."""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Flask, Response, abort, redirect, request
from werkzeug.wrappers import Response as BaseResponse

CSP = ("default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; base-uri 'none';"
       " form-action 'self'; frame-ancestors 'none'")
"""Nothing but this server: no external fonts, scripts, styles or requests of any kind."""

REFUSED = ("This journal page needs the private link that `voicejournal serve` printed when it started.\n"
           "The link works once; restart `voicejournal serve` to get a new one.\n")


@dataclass
class Gate:
    """Secrets of one server start: the one-time URL token, the cookie it becomes, the CSRF token."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    cookie_value: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    cookie_name: str = field(default_factory=lambda: "vj_" + secrets.token_hex(4))
    """Random per start: cookies ignore ports, so two servers on one machine must not share a name."""
    spent: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    allowed_hosts: frozenset[str] | None = None
    """Host headers accepted (None: any); guards against DNS rebinding onto the loopback server."""

    def has_cookie(self) -> bool:
        return _same(request.cookies.get(self.cookie_name), self.cookie_value)

    def redeem(self, offered: str | None) -> bool:
        """True once, for the first request carrying the right token; the link is spent after that."""
        with self._lock:
            if self.spent or not _same(offered, self.token):
                return False
            self.spent = True
            return True

    def csrf_ok(self) -> bool:
        return _same(request.form.get("csrf"), self.csrf)


def install(app: Flask, gate: Gate) -> None:
    """Refuse every request without the link or its cookie; add privacy headers to every answer."""

    @app.before_request
    def _guard() -> BaseResponse | None:
        if gate.allowed_hosts is not None and request.host.lower() not in gate.allowed_hosts:
            return Response("Unknown host name; open the link `voicejournal serve` printed.\n", 403,
                            mimetype="text/plain")
        offered = request.args.get("token")
        if gate.has_cookie():
            return _clean_redirect() if offered is not None else None
        if offered is not None and gate.redeem(offered):
            response = _clean_redirect()
            response.set_cookie(gate.cookie_name, gate.cookie_value, httponly=True, samesite="Strict", path="/")
            return response
        return Response(REFUSED, 403, mimetype="text/plain")

    @app.before_request
    def _csrf() -> None:
        if request.method not in ("GET", "HEAD", "OPTIONS") and not gate.csrf_ok():
            abort(400, "This form is out of date; reload the page and try again.")

    @app.after_request
    def _headers(response: BaseResponse) -> BaseResponse:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cache-Control"] = "no-store"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        return response

    @app.context_processor
    def _csrf_token() -> dict[str, str]:
        return {"csrf_token": gate.csrf}


def loopback_hosts(port: int) -> frozenset[str]:
    """Host headers a browser sends for this server on loopback."""
    return frozenset(f"{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]"))


def _clean_redirect() -> BaseResponse:
    """The same page without the token, so it leaves no trace in history or the address bar."""
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != "token"]
    return redirect(request.path + ("?" + urlencode(rest) if rest else ""), code=303)


def _same(offered: str | None, expected: str) -> bool:
    return offered is not None and hmac.compare_digest(offered.encode(), expected.encode())
