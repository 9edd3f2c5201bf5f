"""Turning encryption on and off for a whole journal, so that a crash at any moment loses nothing.

Order (each step survives a kill; rerunning the command finishes the job):
encrypt: header written (state `encrypting`) → database copied with `sqlcipher_export`, checked,
fsynced, then renamed over the old one → each recording sealed to a temporary file, fsynced,
renamed over the old one → header state `encrypted`.
decrypt: header state `decrypting` → each recording opened the same way → database copied out,
checked, renamed → header removed.
A plain database therefore never sits beside encrypted recordings, and every recording is
readable (plain or sealed, told apart by its first bytes) at every step. Plain bytes replaced by
`encrypt` are overwritten with zeros first (best effort: SSDs and copy-on-write file systems may
keep old blocks).
"""

from __future__ import annotations

import logging
import os
import re
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from voicejournal.errors import UserError
from voicejournal.journal import crypto
from voicejournal.journal.crypto import Vault
from voicejournal.journal.files import write_private
from voicejournal.journal.store import BUSY_TIMEOUT_MS, Journal, _alive, _corrupt, _translate, quiet_cipher
from voicejournal.settings import Settings

log = logging.getLogger(__name__)

Ask = Callable[[bool], str]
"""Asks for the passphrase; True means a new one (confirm it)."""


@dataclass(frozen=True)
class Converted:
    """What a conversion did: whether the database changed, and how many recordings."""

    database: bool
    recordings: int
    already: bool
    """Nothing was left to do: the journal was already in the asked-for state."""


def encrypt_journal(settings: Settings, ask: Ask) -> Converted:
    """Encrypt the database and every recording under settings.audio_dir with one passphrase."""
    db, data_dir = settings.db_path, settings.data_dir
    state = crypto.db_state(db)
    header = crypto.read_header(data_dir)
    if state == "encrypted":
        if header is None:
            raise UserError(f"{db} is not a plain journal and {crypto.header_path(data_dir)} is missing; "
                            "restore the data folder from a backup.")
        vault = crypto.unlock(header, ask(False), data_dir)
        sealed = _convert_recordings(settings.audio_dir, vault, seal=True)
        if header.state != "encrypted":
            crypto.write_header(data_dir, header.with_state("encrypted"))
        return Converted(False, sealed, already=header.state == "encrypted" and not sealed)
    header, vault = _header_for_encrypting(settings, header, ask)
    from voicejournal.private import private_dir

    private_dir(data_dir)
    crypto.write_header(data_dir, header.with_state("encrypting"))  # before any data can need it
    try:
        if state == "plain":
            with _alone(db, None) as src:
                _export(src, db, vault, encrypt=True)
        else:
            Journal.open(db, vault).close()  # a new, empty journal, encrypted from its first page
    except UserError:
        if crypto.db_state(db) != "encrypted" and not _any_sealed(settings.audio_dir):
            crypto.remove_header(data_dir)  # refused before anything was encrypted: leave no trace
        raise
    sealed = _convert_recordings(settings.audio_dir, vault, seal=True)
    crypto.write_header(data_dir, header.with_state("encrypted"))
    return Converted(True, sealed, already=False)


def decrypt_journal(settings: Settings, ask: Ask) -> Converted:
    """Write the database and every recording back in the clear and remove the encryption header."""
    if settings.encrypt:
        raise UserError("Settings say encrypt = true (config.toml or VOICEJOURNAL_ENCRYPT); remove that first, "
                        "then run `voicejournal decrypt` (nothing was changed).")
    db, data_dir = settings.db_path, settings.data_dir
    state = crypto.db_state(db)
    header = crypto.read_header(data_dir)
    if header is None:
        if state == "encrypted":
            raise UserError(f"{db} is not a plain journal and {crypto.header_path(data_dir)} is missing; "
                            "restore the data folder from a backup.")
        return Converted(False, 0, already=True)
    vault = crypto.unlock(header, ask(False), data_dir)
    with _alone(db, vault) if state == "encrypted" else nullcontext() as src:  # busy: fail before any change
        crypto.write_header(data_dir, header.with_state("decrypting"))
        opened = _convert_recordings(settings.audio_dir, vault, seal=False)
        if src is not None:
            _export(src, db, vault, encrypt=False)
    crypto.remove_header(data_dir)
    return Converted(state == "encrypted", opened, already=state != "encrypted" and not opened)


def _header_for_encrypting(settings: Settings, header: crypto.Header | None,
                           ask: Ask) -> tuple[crypto.Header, Vault]:
    """A fresh header, or the one an interrupted `encrypt` left (its passphrase must then match)."""
    if header is not None and _any_sealed(settings.audio_dir):
        return header, crypto.unlock(header, ask(False), settings.data_dir)
    return crypto.new_header(ask(True))  # a leftover header guards nothing yet: start again


# -- the database -------------------------------------------------------------------------------

@contextmanager
def _alone(db: Path, vault: Vault | None) -> Iterator[Any]:
    """The journal opened (with its key, if given) by this process alone, or 'Another voicejournal...'."""
    from sqlcipher3 import dbapi2

    src = dbapi2.connect(str(db), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        quiet_cipher(src)
        if vault is not None:
            src.execute(f'PRAGMA key = "{vault.sqlcipher_key}"')
        _hold_alone(src, db, scrub_wal=vault is None)
        yield src
    except dbapi2.OperationalError as exc:
        raise _busy(db) if "locked" in str(exc).lower() or "busy" in str(exc).lower() else _translate(exc, db) from None
    except dbapi2.DatabaseError as exc:
        raise _corrupt(db, exc, vault) from None
    finally:
        src.close()


def _export(src: Any, db: Path, vault: Vault, encrypt: bool) -> None:
    """Copy the held database through `sqlcipher_export` into a new file, check it, rename it over the old."""
    tmp = db.with_name(db.name + ".converting")
    _remove_partial(tmp)
    old = os.open(db, os.O_RDWR) if encrypt else None
    try:
        src.execute("ATTACH DATABASE ? AS converted KEY ?", (str(tmp), vault.sqlcipher_key if encrypt else ""))
        src.execute("PRAGMA converted.synchronous = FULL")
        src.execute("SELECT sqlcipher_export('converted')")
        src.execute("DETACH DATABASE converted")
        crypto.sync_path(tmp)
        tmp.chmod(0o600)
        _check_copy(src, tmp, vault if encrypt else None)
        os.replace(tmp, db)  # the old file is still locked by src: nobody wrote to it meanwhile
        crypto.sync_path(db.parent)
        if old is not None:
            _scrub(old)
        _drop_old_journal(db, scrub=encrypt)
    finally:
        if old is not None:
            os.close(old)
        _remove_partial(tmp)


def _hold_alone(conn: Any, db: Path, scrub_wal: bool) -> None:
    """Take the journal for this process alone, with everything checkpointed out of the WAL.

    Another process with the journal open (talk, serve) makes this fail after the busy timeout.
    With scrub_wal the plain WAL's pages are overwritten once SQLite has let go of the file.
    """
    wal = Path(str(db) + "-wal")
    fd = os.open(wal, os.O_RDWR) if scrub_wal and wal.exists() else None
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if str(mode).lower() != "delete":
            raise _busy(db)
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")  # in exclusive locking mode the lock stays until the connection closes
        if wal.exists():
            raise _busy(db)
        if fd is not None:
            _scrub(fd)  # checkpointed into the database and unlinked: nobody reads these bytes again
    finally:
        if fd is not None:
            os.close(fd)


def _remove(path: Path, scrub: bool) -> None:
    """Delete a file, overwriting it with zeros first when it may hold plain text."""
    if scrub:
        fd = os.open(path, os.O_RDWR)
        try:
            _scrub(fd)
        finally:
            os.close(fd)
    path.unlink(missing_ok=True)


def _drop_old_journal(db: Path, scrub: bool) -> None:
    """The replaced file's rollback journal and WAL index (left by the switch out of WAL) must not meet the new file."""
    Path(str(db) + "-shm").unlink(missing_ok=True)  # page numbers and checksums only; no one else has it open
    leftover = Path(str(db) + "-journal")
    if not leftover.exists():
        return
    _remove(leftover, scrub)


def _check_copy(src: Any, tmp: Path, vault: Vault | None) -> None:
    """The copy opens with its key, passes integrity checks and holds as many rows as the original."""
    from sqlcipher3 import dbapi2

    copy = dbapi2.connect(str(tmp), isolation_level=None)
    try:
        quiet_cipher(copy)
        if vault is not None:
            copy.execute(f'PRAGMA key = "{vault.sqlcipher_key}"')
        ok = copy.execute("PRAGMA integrity_check").fetchone()[0]
        tables = [r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                            " AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'")]
        lost = [t for t in tables if _count(src, t) != _count(copy, t)]
        if ok != "ok" or lost:
            raise UserError(f"The converted copy of the journal did not check out ({ok}; differs in {lost or '-'}); "
                            "the journal was left as it was. Run `voicejournal doctor` and try again.")
    finally:
        copy.close()


def _count(conn: Any, table: str) -> int:
    return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def _busy(db: Path) -> UserError:
    return UserError(f"Another voicejournal has {db} open; close it (talk, serve, a second terminal) and run "
                     "this again. Nothing was changed.")


# -- recordings ---------------------------------------------------------------------------------

def _convert_recordings(audio_dir: Path, vault: Vault, seal: bool) -> int:
    """Seal (or open) every recording under audio_dir that is not so yet; returns how many changed."""
    if not audio_dir.exists():
        return 0
    changed = 0
    for path in sorted(audio_dir.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        if path.name.startswith("."):
            _drop_leftover(path, scrub=seal)
            continue
        if crypto.is_sealed(path) == seal:
            continue
        data = path.read_bytes()
        if seal:
            old = os.open(path, os.O_RDWR)
            try:
                crypto.write_sealed(path, data, vault)  # temp file, fsync, rename: the old one until then
                _scrub(old)
            finally:
                os.close(old)
        else:
            write_private(path, vault.unseal(data, path.name))
        changed += 1
    for folder in {p.parent for p in audio_dir.rglob("*") if p.is_file()} | {audio_dir}:
        crypto.sync_path(folder)
    return changed


def _drop_leftover(path: Path, scrub: bool) -> None:
    """A half-written temp file whose writer is gone (`.turn_000007.flac.tmp4242`) would stay plain: remove it."""
    found = re.fullmatch(r"\..+\.tmp(\d+)", path.name)
    if found is None or _alive(int(found.group(1))):
        return
    _remove(path, scrub)


def _any_sealed(audio_dir: Path) -> bool:
    return audio_dir.exists() and any(crypto.is_sealed(p) for p in audio_dir.rglob("*") if p.is_file())


# -- files --------------------------------------------------------------------------------------

def _scrub(fd: int) -> None:
    """Overwrite a replaced file's old bytes with zeros through a descriptor kept open across the rename."""
    size = os.fstat(fd).st_size
    zeros = bytes(min(size, 1 << 20))
    os.lseek(fd, 0, os.SEEK_SET)
    done = 0
    while done < size:
        done += os.write(fd, zeros[: min(len(zeros), size - done)])
    os.fsync(fd)


def _remove_partial(tmp: Path) -> None:
    """A copy an interrupted run left behind is incomplete by definition."""
    for leftover in (tmp, Path(str(tmp) + "-journal"), Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm")):
        leftover.unlink(missing_ok=True)
