"""The Settings a command runs with, taken from the root group (kept apart to avoid import cycles)."""

from __future__ import annotations

import click

from voicejournal.settings import Settings


def settings_of(ctx: click.Context) -> Settings:
    """The Settings built by the root group (commands receive it, never a global)."""
    return ctx.find_root().obj
