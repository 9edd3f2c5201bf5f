"""What changes or leaves the journal: exports and deletion, both behind POST forms with a CSRF token."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from voicejournal.journal import contract, deletion, export
from voicejournal.web.state import blank, journal, state

actions = Blueprint("actions", __name__)

MIMETYPES = {"md": "text/markdown", "json": "application/json", "csv": "text/csv"}


@actions.get("/export")
def export_form() -> str:
    return render_template("export.html")


@actions.post("/export")
def download() -> Response:
    """The export as a file download, never shown inline."""
    fmt = request.form.get("fmt", "")
    if fmt not in export.FORMATS:
        abort(400, f"Unknown export format {fmt!r}; choose one of {', '.join(export.FORMATS)}.")
    since, until = blank(request.form.get("since")), blank(request.form.get("until"))
    text = export.render(journal().export(since, until), fmt)
    name = f"voicejournal-{date.today().isoformat()}.{fmt}"
    return Response(text.encode("utf-8"), mimetype=MIMETYPES[fmt] + "; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@actions.get("/session/<int:sid>/delete")
def confirm_delete(sid: int) -> str:
    data = contract.export(journal().conn, session_ids=[sid])
    if not data["sessions"]:
        abort(404, f"There is no session {sid}; it may already have been deleted.")
    return render_template("delete.html", s=data["sessions"][0])


@actions.post("/session/<int:sid>/delete")
def delete(sid: int) -> Response:
    """Delete for good: text, moods, search index entries and recorded audio."""
    if request.form.get("confirm") != "yes":
        return redirect(url_for("pages.session", sid=sid), code=303)
    done = deletion.delete_sessions(journal(), [sid], state().settings.audio_dir)
    if not done.sessions:
        abort(404, f"There is no session {sid}; it may already have been deleted.")
    return redirect(url_for("pages.timeline", deleted=sid), code=303)
