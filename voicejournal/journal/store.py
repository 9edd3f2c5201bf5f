"""The journal on disk: one SQLite file, private to its owner, that never loses what was said."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import sqlite_utils

from voicejournal.errors import UserError
from voicejournal.journal import contract, crypto
from voicejournal.journal.crypto import Vault
from voicejournal.journal.dates import now_iso
from voicejournal.journal.migrations import MIGRATIONS, migrate
from voicejournal.types import Audio, ScreenResult

log = logging.getLogger(__name__)

MODES = ("reflect", "free", "mood", "demo", "talk", "text", "import")
REPLY_SOURCES = ("llm", "crisis", "fallback")
MOOD_SOURCES = ("checkin", "conversation", "text", "import")
EVENT_KINDS = ("utterance", "reply")
LEVELS = ("none", "concern", "risk", "imminent")
BUSY_TIMEOUT_MS = 5000


class Journal:
    """Sessions, turns, moods and crisis events in one WAL-mode SQLite (or SQLCipher) file."""

    def __init__(self, conn: sqlite3.Connection, path: Path, vault: Vault | None = None) -> None:
        self.conn = conn
        self.path = path
        self.vault = vault
        """The keys of an encrypted journal (None when it is not): recordings are sealed with them."""
        self.db = sqlite_utils.Database(conn)
        self._mine: set[int] = set()
        self._busy_error = _driver(vault).OperationalError

    @classmethod
    def open(cls, path: Path, vault: Vault | None = None) -> "Journal":
        """Open (creating if needed) the journal at path, private to this user, schema up to date.

        With a vault the file is SQLCipher (created encrypted if new); without one it is plain SQLite.
        """
        path = Path(path).expanduser()
        _check_encryption(path, vault)
        driver = _driver(vault)
        old_umask = os.umask(0o077)
        try:
            if not path.parent.exists():
                path.parent.mkdir(mode=0o700, parents=True)
            conn = _connect(path, vault)
            try:
                _check_version(conn, path)
                migrate(conn)
            except BaseException:
                conn.close()
                raise
        except driver.OperationalError as exc:
            raise _translate(exc, path, vault) from None
        except driver.DatabaseError as exc:
            raise _corrupt(path, exc, vault) from None
        finally:
            os.umask(old_umask)
        _tighten(path)
        return cls(conn, path, vault)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed on success; a held lock becomes a clear UserError."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except self._busy_error as exc:
            raise _translate(exc, self.path, self.vault) from None
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except self._busy_error as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise _translate(exc, self.path, self.vault) from None
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    # -- sessions -----------------------------------------------------------------------------

    def start_session(self, mode: str, meta: dict | None = None) -> int:
        """Open a session now; it stays open (ended_at NULL) until end_session."""
        _check(mode, MODES, "mode")
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO sessions (started_at, mode, status, meta, pid) VALUES (?, ?, 'open', ?, ?)",
                (now_iso(), mode, json.dumps(meta or {}), os.getpid()),
            )
        sid = int(cur.lastrowid)
        self._mine.add(sid)
        return sid

    def has_finished(self, mode: str) -> bool:
        """True once a session of this mode has been completed (not interrupted)."""
        return self.conn.execute("SELECT 1 FROM sessions WHERE mode = ? AND status = 'complete' LIMIT 1",
                                 (mode,)).fetchone() is not None

    def add_session_meta(self, sid: int, values: dict) -> None:
        """Merge facts learned after the start (the live session's start-up times) into the session's meta."""
        with self.transaction() as conn:
            row = conn.execute("SELECT meta FROM sessions WHERE id = ?", (sid,)).fetchone()
            if row is None:
                raise KeyError(f"no session {sid}")
            conn.execute("UPDATE sessions SET meta = ? WHERE id = ?",
                         (json.dumps({**json.loads(row[0] or "{}"), **values}), sid))

    def end_session(self, sid: int, summary: str | None = None, status: str = "complete") -> None:
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE sessions SET ended_at = ?, summary = coalesce(?, summary), status = ? WHERE id = ?",
                (now_iso(), summary, status, sid),
            )
            _found(cur, "session", sid)
        self._mine.discard(sid)

    def close_interrupted(self) -> list[int]:
        """End sessions a crashed process left open, at their last turn; return their ids."""
        rows = self.conn.execute("SELECT id, pid FROM sessions WHERE ended_at IS NULL").fetchall()
        stale = [sid for sid, pid in rows if sid not in self._mine and not _alive(pid)]
        with self.transaction() as conn:
            for sid in stale:
                conn.execute(
                    "UPDATE sessions SET status = 'interrupted', ended_at = coalesce("
                    "(SELECT max(started_at) FROM turns WHERE session_id = sessions.id), started_at) WHERE id = ?",
                    (sid,),
                )
        return stale

    # -- turns --------------------------------------------------------------------------------

    def add_user_turn(
        self,
        sid: int,
        user_text: str,
        screen: ScreenResult,
        latency_ms: dict[str, float],
        models: dict[str, str],
        audio_path: str | None = None,
        started_at: str | None = None,
    ) -> int:
        """Store what the person said, committed before anything else can fail."""
        with self.transaction() as conn:
            (idx,) = conn.execute("SELECT coalesce(max(idx), 0) + 1 FROM turns WHERE session_id = ?", (sid,)).fetchone()
            cur = conn.execute(
                "INSERT INTO turns (session_id, idx, started_at, user_text, screen_level, screen_category,"
                " screen_reasons, latency_ms, models, audio_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (sid, idx, started_at or now_iso(), user_text, _value(screen.level), screen.category,
                 json.dumps(list(screen.reasons)), json.dumps(latency_ms), json.dumps(models), audio_path),
            )
            tid = int(cur.lastrowid)
            if audio_path:
                _record_audio(conn, tid, audio_path, self.vault)
        return tid

    def complete_turn(
        self, tid: int, reply_text: str, reply_source: str, latency_ms: dict[str, float], model: str | None = None
    ) -> None:
        """Add the spoken reply to a stored turn, merging its latencies into the user's."""
        _check(_value(reply_source), REPLY_SOURCES, "reply_source")
        with self.transaction() as conn:
            merged = self._merged_latency(conn, tid, latency_ms)
            conn.execute(
                "UPDATE turns SET reply_text = ?, reply_source = ?, latency_ms = ?, reply_model = ? WHERE id = ?",
                (reply_text, _value(reply_source), json.dumps(merged), model, tid),
            )

    def amend_user_turn(self, tid: int, user_text: str, screen: ScreenResult, latency_ms: dict[str, float]) -> None:
        """The person went on before hearing the reply: the stored turn now holds all they said.

        The withheld reply is cleared (a new one follows through complete_turn); search sees the
        new words at once (the full-text index follows the row through its triggers).
        """
        with self.transaction() as conn:
            merged = self._merged_latency(conn, tid, latency_ms)
            conn.execute(
                "UPDATE turns SET user_text = ?, screen_level = ?, screen_category = ?, screen_reasons = ?,"
                " latency_ms = ?, reply_text = NULL, reply_source = NULL, reply_model = NULL WHERE id = ?",
                (user_text, _value(screen.level), screen.category, json.dumps(list(screen.reasons)),
                 json.dumps(merged), tid),
            )

    def withhold_reply(self, tid: int, latency_ms: dict[str, float]) -> None:
        """The reply was never heard (the person went on talking): the turn has no reply yet."""
        with self.transaction() as conn:
            merged = self._merged_latency(conn, tid, latency_ms)
            conn.execute("UPDATE turns SET reply_text = NULL, reply_source = NULL, reply_model = NULL,"
                         " latency_ms = ? WHERE id = ?", (json.dumps(merged), tid))

    def _merged_latency(self, conn: sqlite3.Connection, tid: int, latency_ms: dict[str, float]) -> dict[str, float]:
        """The turn's stored latencies with these added (a turn's timings arrive in parts)."""
        row = conn.execute("SELECT latency_ms FROM turns WHERE id = ?", (tid,)).fetchone()
        if row is None:
            raise UserError(f"Turn {tid} does not exist in {self.path}.")
        return {**json.loads(row[0] or "{}"), **latency_ms}

    def set_turn_audio(self, tid: int, path: str) -> None:
        with self.transaction() as conn:
            _found(conn.execute("UPDATE turns SET audio_path = ? WHERE id = ?", (path, tid)), "turn", tid)
            conn.execute("DELETE FROM audio WHERE turn_id = ?", (tid,))
            _record_audio(conn, tid, path, self.vault)

    def save_turn_audio(self, tid: int, path: Path, audio: Audio) -> Path:
        """Keep the person's recording of a turn (format by suffix); sealed in memory when encrypted."""
        from voicejournal.audio import encode_audio, write_audio

        path = Path(path)
        if self.vault is None:
            write_audio(path, audio)
        else:
            crypto.write_sealed(path, encode_audio(audio, path.suffix.lstrip(".").upper() or "WAV"), self.vault)
        self.set_turn_audio(tid, str(path))
        return path

    # -- events and moods ---------------------------------------------------------------------

    def add_crisis_event(
        self, sid: int, turn_id: int | None, level: str, category: str, kind: str, trigger: str, response: str
    ) -> int:
        _check(_value(level), LEVELS, "level")
        _check(kind, EVENT_KINDS, "kind")
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO crisis_events (session_id, turn_id, created_at, level, category, kind, trigger, response)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (sid, turn_id, now_iso(), _value(level), category, kind, trigger, response),
            )
        return int(cur.lastrowid)

    def add_mood(
        self, sid: int | None, score: float | None, tags: list[str], note: str | None, source: str,
        turn_id: int | None = None,
    ) -> int:
        _check(source, MOOD_SOURCES, "source")
        if score is not None and not 0 <= score <= 10:
            raise UserError(f"Mood score {score} is outside 0-10; give a number from 0 to 10.")
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO moods (session_id, turn_id, created_at, score, tags, note, source)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sid, turn_id, now_iso(), score, json.dumps(list(tags)), note, source),
            )
        return int(cur.lastrowid)

    # -- reading ------------------------------------------------------------------------------

    def export(self, since: str | None = None, until: str | None = None) -> dict[str, Any]:
        """Everything between two dates (inclusive) as the JSON export contract."""
        return contract.export(self.conn, since, until)


def _driver(vault: Vault | None) -> Any:
    """The DB-API module: the standard sqlite3, or SQLCipher's (imported only for an encrypted journal)."""
    if vault is None:
        return sqlite3
    from sqlcipher3 import dbapi2

    return dbapi2


def _connect(path: Path, vault: Vault | None = None) -> sqlite3.Connection:
    driver = _driver(vault)
    conn = driver.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    if vault is not None:
        quiet_cipher(conn)
        conn.execute(f'PRAGMA key = "{vault.sqlcipher_key}"')  # raw hex, nothing to escape
        conn.execute("PRAGMA temp_store = MEMORY")  # sorts and FTS merges never spill plain pages to /tmp
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        log.warning("journal_mode is %s, not wal, for %s", mode, path)
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def quiet_cipher(conn: Any) -> None:
    """SQLCipher prints its own lines to stderr on a bad key; our one-line error says more (--debug keeps them)."""
    conn.execute(f"PRAGMA cipher_log_level = {'WARN' if log.isEnabledFor(logging.DEBUG) else 'NONE'}")


def _check_version(conn: sqlite3.Connection, path: Path) -> None:
    known = max(number for number, _, _ in MIGRATIONS)
    has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'migrations'").fetchone()
    newest = conn.execute("SELECT max(id) FROM migrations").fetchone()[0] if has_table else None
    if newest is not None and newest > known:
        raise UserError(
            f"{path} was written by a newer voicejournal (schema {newest}, this one knows {known}); upgrade voicejournal."
        )


def _check_encryption(path: Path, vault: Vault | None) -> None:
    """An encrypted file needs its key, and a key is never applied to a plain file."""
    state = crypto.db_state(path)
    if state == "encrypted" and vault is None and crypto.header_path(path.parent).exists():
        raise UserError(f"{path} is encrypted: give its passphrase in VOICEJOURNAL_PASSPHRASE or with "
                        "--passphrase-file PATH (or run in a terminal to be asked).")
    if state == "plain" and vault is not None:
        raise UserError(f"{path} is not encrypted; encrypt it with `voicejournal encrypt`.")


def _tighten(path: Path) -> None:
    """Owner-only permissions on the database and its WAL companions."""
    for suffix in ("", "-wal", "-shm"):
        companion = Path(str(path) + suffix)
        if companion.exists():
            companion.chmod(0o600)


def _translate(exc: Exception, path: Path, vault: Vault | None = None) -> Exception:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return UserError(
            f"Another voicejournal holds {path} (waited {BUSY_TIMEOUT_MS // 1000} s); "
            "finish or close it and try again."
        )
    if "not a database" in text or "malformed" in text:
        return _corrupt(path, exc, vault)
    if "disk is full" in text or "disk i/o error" in text:
        return UserError(
            f"Could not write to {path}: the disk is full (or failing). Free some space and try again; "
            "everything saved before this point is intact."
        )
    if "unable to open" in text or "readonly" in text:
        return UserError(f"Cannot open {path} ({exc}); check that the folder exists and is writable by you.")
    return exc


def _corrupt(path: Path, exc: Exception, vault: Vault | None = None) -> UserError:
    if vault is not None:
        return UserError(
            f"{path} does not decrypt with this journal's key ({exc}): it is damaged, or "
            f"{crypto.HEADER_NAME} beside it belongs to another journal. Restore both from a backup."
        )
    return UserError(
        f"{path} is not a readable voicejournal database ({exc}). Move it aside "
        f"(e.g. `mv {path} {path}.broken`) and run again to start a new journal, or restore it from a backup."
    )


def _record_audio(conn: sqlite3.Connection, tid: int, path: str, vault: Vault | None = None) -> None:
    """Remember a recording's format, size and length (as far as they can be read), encrypted or not."""
    file = Path(path)
    size = file.stat().st_size if file.is_file() else None
    duration = None
    if size:
        try:
            import soundfile

            source = crypto.recording(file, vault)  # decrypted in memory when sealed
            if not isinstance(source, Path):
                size = source.getbuffer().nbytes  # type: ignore[attr-defined] - the recording's own size
            info = soundfile.info(str(source) if isinstance(source, Path) else source)
            duration = info.frames / info.samplerate if info.samplerate else None
        except Exception:  # noqa: BLE001 - unreadable audio still gets a row
            duration = None
    conn.execute(
        "INSERT INTO audio (turn_id, path, format, bytes, duration_s) VALUES (?, ?, ?, ?, ?)",
        (tid, path, file.suffix.lstrip(".").lower() or None, size, duration),
    )


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    if pid == os.getpid():
        return False  # our own leftover from an earlier Journal in this process is not running
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _value(item: Any) -> str:
    return str(getattr(item, "value", item))


def _check(value: str, allowed: tuple[str, ...], name: str) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


def _found(cur: sqlite3.Cursor, what: str, key: int) -> None:
    if cur.rowcount == 0:
        raise UserError(f"No {what} with id {key}; list them with `voicejournal entries`.")
