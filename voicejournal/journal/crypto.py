"""Encryption at rest: one passphrase, stretched once with scrypt, unlocks the database and every recording.

`encryption.json` in the data dir holds the scrypt salt and cost and a check value that tells a
wrong passphrase from a damaged journal; it holds no key. The database is SQLCipher 4 with a raw
256-bit key; each recording is AES-256-GCM with a fresh random nonce. `cryptography` and
`sqlcipher3` are imported only when a journal is encrypted.
"""

from __future__ import annotations

import base64
import hmac
import io
import json
import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from voicejournal.errors import UserError
from voicejournal.journal.files import write_private

HEADER_NAME = "encryption.json"
HEADER_FORMAT = "voicejournal-encryption"
SQLITE_MAGIC = b"SQLite format 3\x00"
SEAL_MAGIC = b"VJSEAL1\x00"
"""The first bytes of an encrypted recording; then a 12-byte nonce, the ciphertext and its 16-byte tag."""
NONCE_BYTES = 12
SALT_BYTES = 16
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
"""OWASP's scrypt setting: 128 MiB and about half a second per unlock, once per process."""
MIN_PASSPHRASE = 8
STATES = ("encrypted", "encrypting", "decrypting")
"""`encrypting`/`decrypting` mark a conversion that has not finished (a rerun completes it)."""


@dataclass(frozen=True)
class Header:
    """What encryption.json holds: how to stretch the passphrase, and a value to recognise it by."""

    salt: bytes
    n: int
    r: int
    p: int
    check: bytes
    """HKDF of the stretched passphrase under its own label: reveals nothing about the keys."""
    state: str = "encrypted"

    def with_state(self, state: str) -> "Header":
        return Header(self.salt, self.n, self.r, self.p, self.check, state)


class Vault:
    """The two keys derived from the passphrase; held in memory only, never printed or stored."""

    __slots__ = ("_db_key", "_audio_key")

    def __init__(self, db_key: bytes, audio_key: bytes) -> None:
        self._db_key = db_key
        self._audio_key = audio_key

    def __repr__(self) -> str:
        return "Vault(<keys hidden>)"

    @property
    def sqlcipher_key(self) -> str:
        """The database key in SQLCipher's raw-key form (no second, slow key derivation)."""
        return f"x'{self._db_key.hex()}'"

    def seal(self, data: bytes) -> bytes:
        """Encrypt one recording: magic, random nonce, AES-256-GCM ciphertext with its tag."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(NONCE_BYTES)
        return SEAL_MAGIC + nonce + AESGCM(self._audio_key).encrypt(nonce, data, SEAL_MAGIC)

    def unseal(self, blob: bytes, name: str) -> bytes:
        """Decrypt one recording; a changed byte or another journal's key is a clear UserError."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        start = len(SEAL_MAGIC)
        nonce, body = blob[start:start + NONCE_BYTES], blob[start + NONCE_BYTES:]
        try:
            return AESGCM(self._audio_key).decrypt(nonce, body, SEAL_MAGIC)
        except (InvalidTag, ValueError):
            raise UserError(f"The recording {name} does not decrypt with this journal's key (it is damaged, or "
                            "from another journal); restore it from a backup or delete its session.") from None


# -- the header file ----------------------------------------------------------------------------

def header_path(data_dir: Path) -> Path:
    return Path(data_dir).expanduser() / HEADER_NAME


def read_header(data_dir: Path) -> Header | None:
    """The journal's encryption header, or None when there is none."""
    path = header_path(data_dir)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format") != HEADER_FORMAT or raw.get("version") != 1:
            raise ValueError("unknown format")
        kdf = raw["kdf"]
        if kdf["name"] != "scrypt" or raw.get("state", "encrypted") not in STATES:
            raise ValueError("unknown kdf or state")
        return Header(_unb64(kdf["salt"]), int(kdf["n"]), int(kdf["r"]), int(kdf["p"]), _unb64(raw["check"]),
                      raw.get("state", "encrypted"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UserError(f"{path} is damaged ({exc}); without it the encrypted journal cannot be opened. "
                        "Restore it from a backup of the data folder.") from None


def write_header(data_dir: Path, header: Header) -> None:
    """Replace encryption.json atomically (0600, fsynced, folder fsynced)."""
    doc = {
        "format": HEADER_FORMAT, "version": 1, "state": header.state,
        "kdf": {"name": "scrypt", "n": header.n, "r": header.r, "p": header.p, "salt": _b64(header.salt)},
        "check": _b64(header.check),
        "database": "SQLCipher 4, raw 256-bit key (HKDF-SHA256 of the scrypt output)",
        "recordings": "AES-256-GCM, 96-bit random nonce per file, magic VJSEAL1",
    }
    path = header_path(data_dir)
    write_private(path, json.dumps(doc, indent=2) + "\n")
    sync_path(path.parent)


def remove_header(data_dir: Path) -> None:
    path = header_path(data_dir)
    path.unlink(missing_ok=True)
    sync_path(path.parent)


def new_header(passphrase: str) -> tuple[Header, Vault]:
    """A fresh random salt for a journal about to be encrypted, and the keys it gives."""
    check_new_passphrase(passphrase)
    salt = os.urandom(SALT_BYTES)
    master = _stretch(_normal(passphrase), salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    header = Header(salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, _expand(master, b"voicejournal check"), "encrypting")
    return header, _vault(master)


def unlock(header: Header, passphrase: str, where: Path) -> Vault:
    """The keys for this header, or a one-line error when the passphrase is not the journal's."""
    master = _stretch(_normal(passphrase), header.salt, header.n, header.r, header.p)
    if not hmac.compare_digest(_expand(master, b"voicejournal check"), header.check):
        raise UserError(f"Wrong passphrase for the encrypted journal in {where}; check VOICEJOURNAL_PASSPHRASE "
                        "or --passphrase-file and try again. Nothing was changed.")
    return _vault(master)


def check_new_passphrase(passphrase: str) -> None:
    if len(_normal(passphrase)) < MIN_PASSPHRASE:
        raise UserError(f"Choose a passphrase of at least {MIN_PASSPHRASE} characters (a few words is best); "
                        "nothing was changed.")


# -- what is on disk ----------------------------------------------------------------------------

def db_state(path: Path) -> str:
    """'missing' (absent or empty), 'plain' (an SQLite file) or 'encrypted' (anything else)."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return "missing"
    if not head:
        return "missing"
    return "plain" if head == SQLITE_MAGIC else "encrypted"


def is_sealed(path: Path) -> bool:
    """True when the file is an encrypted recording (by its first bytes, not its name)."""
    try:
        with open(path, "rb") as f:
            return f.read(len(SEAL_MAGIC)) == SEAL_MAGIC
    except (FileNotFoundError, IsADirectoryError):
        return False


def recording(path: Path, vault: Vault | None) -> Path | BinaryIO:
    """A stored recording ready to decode: the path itself, or its decrypted bytes in memory."""
    path = Path(path)
    if not is_sealed(path):
        return path
    if vault is None:
        raise UserError(f"The recording {path.name} is encrypted but the journal was opened without its key; "
                        "run `voicejournal decrypt` again to finish decrypting it.")
    data = vault.unseal(path.read_bytes(), path.name)
    buf = io.BytesIO(data)
    buf.name = path.name  # decoders guess the format from the name
    return buf


def write_sealed(path: Path, data: bytes, vault: Vault) -> Path:
    """Encrypt in memory and write atomically (0600, fsynced): the plain bytes never reach the disk."""
    return write_private(path, vault.seal(data))


def sync_path(path: Path) -> None:
    """fsync a file's data, or a folder's entries (so a rename or removal inside it survives a power cut)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- keys ---------------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _stretch(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    """scrypt, once per process per journal (the web view opens the journal on every request)."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _expand(master: bytes, label: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(master)


def _vault(master: bytes) -> Vault:
    return Vault(_expand(master, b"voicejournal sqlcipher"), _expand(master, b"voicejournal audio"))


def _normal(passphrase: str) -> str:
    """The same passphrase typed on another system (composed or decomposed accents) gives the same key."""
    return unicodedata.normalize("NFC", passphrase)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
