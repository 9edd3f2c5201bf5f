"""The command line: one click group; library errors become one clean line at the edge."""

from __future__ import annotations

import errno
import logging
import sys
from pathlib import Path

import click
from click_default_group import DefaultGroup

from voicejournal import __version__
from voicejournal.errors import UserError
from voicejournal.clicontext import settings_of  # noqa: F401 - re-exported for commands
from voicejournal.settings import load_settings


@click.group(cls=DefaultGroup, default="talk", default_if_no_args=True)
@click.version_option(__version__, prog_name="voicejournal")
@click.option("--data-dir", type=click.Path(path_type=Path), envvar="VOICEJOURNAL_HOME",
              help="Where the journal lives (default: the platform's user data dir).")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option("--passphrase-file", type=click.Path(path_type=Path), metavar="PATH",
              help="Read an encrypted journal's passphrase from this file's first line "
                   "(else VOICEJOURNAL_PASSPHRASE, else a hidden prompt).")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, debug: bool, passphrase_file: Path | None) -> None:
    """A private, fully local voice journal that listens and answers.

    \b
    Examples:
      voicejournal demo                 # hear a bundled evening reflection
      voicejournal talk --input day.wav # talk over a recording
      voicejournal export --format json
      voicejournal encrypt              # a passphrase for the journal and its recordings
    """
    ctx.obj = load_settings({"data_dir": data_dir, "debug": debug or None, "passphrase_file": passphrase_file})


def run() -> None:
    """Console entry point: one exit point that turns known errors into a message."""
    debug = "--debug" in sys.argv
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        rc = main.main(standalone_mode=False)
        if isinstance(rc, int) and rc:  # click returns (not raises) Exit's code in this mode
            sys.exit(rc)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except UserError as exc:
        if debug:
            raise
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        if debug:
            raise
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            click.echo(f"Error: the disk is full ({exc.filename or exc.strerror}); free some space and try "
                       "again. Everything saved before this point is intact.", err=True)
        else:
            click.echo(f"Error: {exc.strerror or exc} ({exc.filename or type(exc).__name__}); "
                       "run with --debug for details.", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last line of defence at the edge
        if debug:
            raise
        click.echo(f"Error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        sys.exit(1)


def _register() -> None:
    """Attach every command; imports stay light (heavy backends load inside commands)."""
    from voicejournal.commands.encryption import decrypt_command, encrypt_command
    from voicejournal.commands.system import devices_command, doctor_command, models_command
    from voicejournal.commands.importer import import_command
    from voicejournal.commands.replay import replay_command
    from voicejournal.commands.talk import demo_command, talk_command

    for cmd in (talk_command, demo_command, import_command, replay_command, models_command, doctor_command, devices_command,
                encrypt_command, decrypt_command):
        main.add_command(cmd)
    from voicejournal.crisis.cli import crisis_command, screen_command
    from voicejournal.journal.cli import COMMANDS as journal_commands
    from voicejournal.web.cli import serve_command

    for cmd in (screen_command, crisis_command, *journal_commands, serve_command):
        main.add_command(cmd)


_register()
