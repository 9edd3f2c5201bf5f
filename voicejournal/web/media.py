"""Audio: the person's own recordings (only from the audio folder) and the replies, spoken on request."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, send_file
from werkzeug.wrappers import Response

from voicejournal.journal import contract, crypto
from voicejournal.web.state import journal, state

media = Blueprint("media", __name__)

MIMETYPES = {".flac": "audio/flac", ".wav": "audio/wav", ".ogg": "audio/ogg", ".opus": "audio/ogg",
             ".mp3": "audio/mpeg"}


@media.get("/session/<int:sid>/turn/<int:tid>/voice")
def voice(sid: int, tid: int) -> Response:
    """The recording of what the person said; anything outside settings.audio_dir is refused."""
    path = safe_audio_path(_turn(sid, tid)["audio_path"], state().settings.audio_dir)
    mimetype = MIMETYPES.get(path.suffix.lower())
    if mimetype is None:
        abort(404, "This recording is in a format browsers cannot play.")
    source = crypto.recording(path, state().vault)  # decrypted in memory when the journal is encrypted
    return send_file(source, mimetype=mimetype, conditional=True, max_age=0, download_name=path.name)


@media.get("/session/<int:sid>/turn/<int:tid>/reply.wav")
def reply(sid: int, tid: int) -> Response:
    """The companion's reply in the Piper voice; 404 (text only on the page) when no voice can load."""
    text = _turn(sid, tid)["reply_text"] or ""
    data = state().voice.wav(text)
    if data is None:
        abort(404, "No voice is available to speak this reply; its text is on the page.")
    return send_file(io.BytesIO(data), mimetype="audio/wav", conditional=True, max_age=0,
                     download_name=f"reply-{tid}.wav")


def safe_audio_path(stored: str | None, audio_dir: Path) -> Path:
    """The stored path, resolved, if it is an existing file inside audio_dir; otherwise 404."""
    if not stored:
        abort(404, "This turn has no recording.")
    root = Path(audio_dir).expanduser().resolve()
    path = Path(stored).expanduser().resolve()
    if not path.is_relative_to(root) or not path.is_file():
        abort(404, "This recording is not in the journal's audio folder.")
    return path


def _turn(sid: int, tid: int) -> dict[str, Any]:
    data = contract.export(journal().conn, session_ids=[sid])
    for session in data["sessions"]:
        for turn in session["turns"]:
            if turn["id"] == tid:
                return turn
    abort(404, f"There is no turn {tid} in session {sid}.")
