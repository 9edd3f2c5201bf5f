"""Nothing leaves the machine and nothing is written outside the data and cache dirs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ollama_standin import StandIn

ROOT = Path(__file__).resolve().parents[1]
AUDITED = ROOT / "tests" / "tools" / "audited.py"
pytestmark = pytest.mark.slow


def audited_run(tmp_path: Path, allowed: str, *args: str, stdin: str = "",
                extra_env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[str], list[dict]]:
    log = tmp_path / "audit.jsonl"
    env = {**os.environ, **(extra_env or {}), "VOICEJOURNAL_HOME": str(tmp_path / "data"), "TMPDIR": str(tmp_path / "tmp"),
           "MPLCONFIGDIR": str(tmp_path / "data" / ".mpl")}
    (tmp_path / "tmp").mkdir()
    proc = subprocess.run([sys.executable, str(AUDITED), str(log), allowed, "--", *args], input=stdin,
                          capture_output=True, text=True, timeout=300, env=env)
    events = [json.loads(l) for l in log.read_text().splitlines()] if log.exists() else []
    return proc, events


def outside(events: list[dict], *allowed_dirs: Path) -> list[str]:
    roots = [str(d.resolve()) for d in allowed_dirs] + ["/dev/"]
    return [e["path"] for e in events if e["event"] == "write" and not any(e["path"].startswith(r) for r in roots)]


def test_demo_makes_no_connection_and_writes_only_its_dirs(tmp_path: Path) -> None:
    from voicejournal.settings import Settings

    proc, events = audited_run(tmp_path, "-", "demo")
    assert proc.returncode == 0, proc.stderr
    assert "3 turns saved" in proc.stdout
    assert [e for e in events if e["event"] == "connect"] == []
    written = outside(events, tmp_path / "data", Settings().cache_dir, tmp_path / "tmp")
    assert written == []
    data = tmp_path / "data"
    for path in [data, *data.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"


def test_ollama_session_connects_only_to_the_configured_host(tmp_path: Path) -> None:
    standin = StandIn().start()
    try:
        port = standin.server.server_address[1]  # type: ignore[union-attr]
        proc, events = audited_run(tmp_path, f"127.0.0.1:{port}", "talk", "--text", "--no-voice",
                                   "--llm", "ollama:llama3.2", stdin="I cooked dinner for friends tonight.\n",
                                   extra_env={"OLLAMA_HOST": f"127.0.0.1:{port}"})
    finally:
        standin.stop()
    assert proc.returncode == 0, proc.stderr
    connects = [e for e in events if e["event"] == "connect"]
    assert connects and all(e["allowed"] for e in connects), connects
    assert "full day" in proc.stdout
