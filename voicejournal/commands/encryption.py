"""`voicejournal encrypt` and `voicejournal decrypt`: encryption at rest turned on and off."""

from __future__ import annotations

import click

from voicejournal.clicontext import settings_of
from voicejournal.journal.convert import Converted, decrypt_journal, encrypt_journal
from voicejournal.settings import Settings

LOSS_WARNING = ("Keep the passphrase somewhere safe: without it nobody can read this journal, including you "
                "(there is no recovery).")


def _asker(settings: Settings):  # type: ignore[no-untyped-def]
    from voicejournal.journal.unlock import passphrase

    return lambda new: passphrase(settings, new=new)


@click.command("encrypt")
@click.pass_context
def encrypt_command(ctx: click.Context) -> None:
    """Encrypt the journal and every kept recording with a passphrase.

    The database becomes SQLCipher and each recording AES-256-GCM; from then on every command asks
    for the passphrase (or reads VOICEJOURNAL_PASSPHRASE or --passphrase-file). Safe to interrupt:
    run it again to finish.

    \b
    Examples:
      voicejournal encrypt                                  # asks for a new passphrase twice
      voicejournal --passphrase-file ~/.vj-pass encrypt
    """
    settings = settings_of(ctx)
    done = encrypt_journal(settings, _asker(settings))
    if done.already:
        click.echo(f"The journal in {settings.data_dir} is already encrypted; nothing to do.")
        return
    click.echo(f"Encrypted {_what(done)} in {settings.data_dir}.")
    click.echo(LOSS_WARNING)


@click.command("decrypt")
@click.pass_context
def decrypt_command(ctx: click.Context) -> None:
    """Turn encryption off: write the journal and its recordings back as plain files (still 0600).

    \b
    Examples:
      voicejournal decrypt
      VOICEJOURNAL_PASSPHRASE=... voicejournal decrypt
    """
    settings = settings_of(ctx)
    done = decrypt_journal(settings, _asker(settings))
    if done.already:
        click.echo(f"The journal in {settings.data_dir} is not encrypted; nothing to do.")
        return
    click.echo(f"Decrypted {_what(done)} in {settings.data_dir}; it no longer needs a passphrase.")


def _what(done: Converted) -> str:
    parts = ["the journal"] if done.database else []
    if done.recordings or not parts:
        parts.append(f"{done.recordings} recording{'s' if done.recordings != 1 else ''}")
    return " and ".join(parts)
