"""`voicejournal serve`: the journal in your browser, on this computer only."""

from __future__ import annotations

import webbrowser

import click

from voicejournal.clicontext import settings_of
from voicejournal.journal import deletion
from voicejournal.journal.unlock import open_journal, vault_for

DEFAULT_PORT = 8765


@click.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port to listen on (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback needs --allow-remote.")
@click.option("--allow-remote", is_flag=True,
              help="Allow a non-loopback --host (other machines could reach the page; the link is still needed).")
@click.option("--no-browser", is_flag=True, help="Print the private link instead of opening a browser.")
@click.pass_context
def serve_command(ctx: click.Context, port: int, host: str, allow_remote: bool, no_browser: bool) -> None:
    """Browse, replay, search and export your journal in a private local web page.

    The page is served to this computer only and opens with a one-time link; nothing on it
    loads from the internet. Stop it with Ctrl+C.

    \b
    Examples:
      voicejournal serve                 # opens your browser
      voicejournal serve --port 9000 --no-browser
    """
    from voicejournal.web.app import check_host, serve

    settings = settings_of(ctx)
    check_host(host, allow_remote)
    vault = vault_for(settings)  # asked once, here, never by a request
    with open_journal(settings, vault) as journal:
        deletion.enforce_retention(journal, settings.retention_days, settings.audio_dir)

    def ready(url: str) -> None:
        click.echo(f"Your journal is at {url}")
        click.echo("The link works once, in one browser; stop with Ctrl+C.")
        if not no_browser:
            webbrowser.open(url)

    serve(settings, host, port, allow_remote, ready, vault=vault)
