"""The one way every command opens the journal: plain as before, or encrypted with its passphrase.

The passphrase comes from `--passphrase-file` (or `passphrase_file` in config.toml), else
VOICEJOURNAL_PASSPHRASE, else a hidden prompt when stdin is a terminal. It is never logged,
written to disk or kept in Settings; only the keys stretched from it stay in memory.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from voicejournal.errors import UserError
from voicejournal.journal import crypto
from voicejournal.journal.crypto import Vault
from voicejournal.journal.store import Journal
from voicejournal.settings import Settings

log = logging.getLogger(__name__)

PASSPHRASE_ENV = "VOICEJOURNAL_PASSPHRASE"


def open_journal(settings: Settings, vault: Vault | None = None) -> Journal:
    """Open the journal in settings.data_dir, unlocking it first when it is encrypted."""
    return Journal.open(settings.db_path, vault if vault is not None else vault_for(settings))


def vault_for(settings: Settings) -> Vault | None:
    """The journal's keys when it is (or, with `encrypt = true`, is about to be) encrypted; else None.

    A plain journal never reads encryption.json, asks for a passphrase or imports a cipher.
    """
    state = crypto.db_state(settings.db_path)
    if state == "plain":
        if settings.encrypt:
            raise UserError(f"Settings say encrypt = true, but the journal {settings.db_path} is not encrypted; "
                            "encrypt it with `voicejournal encrypt` (nothing was written).")
        return None
    if state == "missing" and not settings.encrypt:
        return None
    header = crypto.read_header(settings.data_dir)
    if state == "missing":
        return _start_encrypted(settings, header)
    if header is None:
        return None  # not ours to decrypt: Journal.open reports a damaged file and what to do
    vault = crypto.unlock(header, passphrase(settings), settings.data_dir)
    if header.state != "encrypted":
        verb = "encrypt" if header.state == "encrypting" else "decrypt"
        log.warning("An interrupted `voicejournal %s` left some recordings unconverted (all still readable); "
                    "run `voicejournal %s` again to finish.", verb, verb)
    return vault


def _start_encrypted(settings: Settings, header: crypto.Header | None) -> Vault:
    """A new journal under `encrypt = true`: its header is written before the first byte of data."""
    if header is not None:
        return crypto.unlock(header, passphrase(settings), settings.data_dir)
    from voicejournal.private import private_dir

    header, vault = crypto.new_header(passphrase(settings, new=True))
    private_dir(settings.data_dir)
    crypto.write_header(settings.data_dir, header.with_state("encrypted"))
    return vault


def passphrase(settings: Settings, new: bool = False) -> str:
    """The passphrase from the file, the environment or a hidden prompt (asked twice when new)."""
    if settings.passphrase_file is not None:
        text = _read_file(Path(settings.passphrase_file).expanduser())
    elif os.environ.get(PASSPHRASE_ENV):
        text = os.environ[PASSPHRASE_ENV]
    elif sys.stdin is not None and sys.stdin.isatty():
        import click

        what = "New passphrase for" if new else "Passphrase for"
        text = click.prompt(f"{what} the journal in {settings.data_dir}", hide_input=True,
                            confirmation_prompt="Repeat it" if new else False, err=True)
    else:
        raise UserError(f"The journal in {settings.data_dir} is encrypted: give its passphrase in "
                        f"{PASSPHRASE_ENV} or with --passphrase-file PATH (or run in a terminal to be asked).")
    if not text:
        raise UserError("The passphrase is empty; give the journal's passphrase (nothing was changed).")
    if new:
        crypto.check_new_passphrase(text)
    return text


def _read_file(path: Path) -> str:
    """The first line of a passphrase file, without its line ending (other spaces are kept)."""
    try:
        with open(path, encoding="utf-8") as f:
            line = f.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"Cannot read the passphrase file {path} ({getattr(exc, 'strerror', None) or exc}); "
                        "check the path given to --passphrase-file.") from None
    return line.rstrip("\r\n")
