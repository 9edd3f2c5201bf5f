"""Replaying a session: the person's own recorded voice, turn by turn, with the companion's replies spoken again.

`timeline` reads the journal into an ordered list of parts (no audio touched yet); `render`
turns parts into audio one at a time; `write_replay` joins them into a WAV file and `play_replay`
plays them on the speaker with pause/skip/quit keys.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol

import numpy as np

from voicejournal.audio import read_file, resample, write_audio
from voicejournal.errors import AudioError, UserError
from voicejournal.journal.crypto import Vault, recording
from voicejournal.tts import Synthesizer
from voicejournal.types import SAMPLE_RATE, Audio

log = logging.getLogger(__name__)

GAP_S = 0.5
"""Silence between parts in a written replay, so turns stay apart."""
PAUSE_POLL_S = 0.05


@dataclass(frozen=True)
class Part:
    """One stretch of the replay: the person's turn (recorded or spoken from its transcript) or a reply."""

    session_id: int
    turn_idx: int
    who: str
    """'you' or 'companion'."""
    text: str
    audio_path: Path | None = None
    """The person's own recording; None means speak `text` with the voice."""
    vault: Vault | None = None
    """The journal's keys when it is encrypted: the recording is decrypted in memory to play it."""


def timeline(conn: sqlite3.Connection, session_ids: Iterable[int], tts: bool = False,
             vault: Vault | None = None) -> list[Part]:
    """The parts of these sessions in order; without `tts`, every turn needs its kept recording."""
    parts: list[Part] = []
    for sid in session_ids:
        rows = conn.execute("SELECT idx, user_text, reply_text, audio_path FROM turns WHERE session_id = ?"
                            " ORDER BY idx", (sid,)).fetchall()
        kept = {idx: Path(a) for idx, _, _, a in rows if a and Path(a).is_file()}
        for idx, user_text, reply_text, audio_path in rows:
            if idx not in kept and not tts:
                raise _no_audio(sid, idx, bool(kept), audio_path)
            parts.append(Part(sid, idx, "you", user_text or "", kept.get(idx), vault))
            if reply_text:
                parts.append(Part(sid, idx, "companion", reply_text))
    if not parts:
        ids = ", ".join(str(s) for s in session_ids)
        raise UserError(f"Nothing was said in session {ids} (a typed mood has no turns); "
                        "see it with `voicejournal show`.")
    return parts


def _no_audio(sid: int, idx: int, some_kept: bool, path: str | None) -> UserError:
    if path:
        return UserError(f"The recording of session {sid}, turn {idx} is missing ({path}); "
                         "use --tts to speak the transcript instead.")
    if not some_kept:
        return UserError(f"No audio was kept for session {sid}; use --tts to hear the transcript spoken.")
    return UserError(f"No audio was kept for turn {idx} of session {sid}; use --tts to speak it instead.")


def needs_voice(parts: Iterable[Part]) -> bool:
    """True when some part must be synthesized (replies, or turns without a recording)."""
    return any(p.audio_path is None for p in parts)


def render(part: Part, synthesizer: Synthesizer | None, rate: int = SAMPLE_RATE) -> Audio:
    """One part as audio at `rate`: the stored recording, or the text spoken by the voice."""
    if part.audio_path is not None:
        try:
            return read_file(recording(part.audio_path, part.vault), rate)
        except AudioError as exc:
            raise UserError(f"Cannot read the recording of session {part.session_id}, turn {part.turn_idx} "
                            f"({exc}); use --tts to speak the transcript instead.") from exc
    if synthesizer is None:
        raise UserError("Replaying needs the voice to speak the replies; run `voicejournal doctor` to check it.")
    clips = [resample(c.samples, c.rate, rate) for c in synthesizer.synthesize(part.text)]
    gap = np.zeros(int(rate * 0.15), np.float32)
    joined = [x for c in clips for x in (c, gap)][:-1]
    return Audio(np.concatenate(joined) if joined else np.zeros(0, np.float32), rate)


Progress = Callable[[Part, int, int], None]
"""(part, done, total) — shown while a long replay is rendered."""


def write_replay(parts: list[Part], synthesizer: Synthesizer | None, out: Path,
                 progress: Progress | None = None) -> float:
    """Render every part into one 16 kHz WAV with short gaps between parts; returns its length in seconds."""
    gap = np.zeros(int(SAMPLE_RATE * GAP_S), np.float32)
    pieces: list[np.ndarray] = [gap]
    for n, part in enumerate(parts):
        if progress:
            progress(part, n, len(parts))
        pieces += [render(part, synthesizer).samples, gap]
    if progress:
        progress(parts[-1], len(parts), len(parts))
    audio = Audio(np.concatenate(pieces), SAMPLE_RATE)
    write_audio(out, audio, "WAV")
    return audio.duration_s


# -- playing on the speaker ------------------------------------------------------------------------

class Output(Protocol):
    """What playing needs from voicejournal.player.Player: a stoppable sink that says how much was heard."""

    rate: int
    tick: Callable[[], bool]
    reply: Any
    """A ReplyPlayback: `stopped`, and `played_frames` once stopped."""

    def begin_reply(self) -> None: ...

    def play(self, audio: Audio) -> None: ...

    def end_reply(self) -> Any: ...


KEY_ACTIONS = {" ": "pause", "p": "pause", "n": "next", "\x1b[C": "next", "q": "quit", "Q": "quit", "\x1b": "quit"}
KEYS_HINT = "space: pause/resume · n or →: next turn · q: quit"


class KeyReader:
    """Turns single key presses (and the → escape sequence) into actions; silent without a terminal."""

    def __init__(self, poll: Callable[[], str | None]) -> None:
        self.poll = poll

    def action(self) -> str | None:
        key = self.poll()
        if key == "\x1b":
            rest = "".join(k for k in (self.poll(), self.poll()) if k)
            key = key + rest if rest else key
        return KEY_ACTIONS.get(key) if key else None


def play_replay(parts: list[Part], synthesizer: Synthesizer | None, player: Output, keys: KeyReader,
                show: Callable[[Part], None]) -> str:
    """Play each part in turn on an open Player; returns 'done' or 'quit'."""
    for part in parts:
        show(part)
        audio = render(part, synthesizer, player.rate)
        if _play_part(player, audio, keys) == "quit":
            return "quit"
        time.sleep(GAP_S / 2)
    return "done"


def _play_part(player: Output, audio: Audio, keys: KeyReader) -> str:
    """Play one part; pause resumes where it stopped, next skips the rest, quit ends the replay."""
    offset = 0
    pressed: list[str | None] = [None]

    def tick() -> bool:
        pressed[0] = keys.action()
        return pressed[0] is not None

    player.tick = tick
    while offset < len(audio.samples):
        player.begin_reply()
        player.play(Audio(audio.samples[offset:], audio.rate))
        player.end_reply()
        if not player.reply.stopped:
            return "done"
        action = pressed[0]
        if action != "pause":
            return action or "done"
        offset += player.reply.played_frames
        action = _wait_resume(keys)
        if action != "pause":
            return action
    return "done"


def _wait_resume(keys: KeyReader) -> str:
    """Paused: wait for space (resume), n (next) or q (quit)."""
    while True:
        action = keys.action()
        if action is not None:
            return action
        time.sleep(PAUSE_POLL_S)
