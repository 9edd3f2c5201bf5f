"""The command line as a person meets it: help everywhere, README sections, clean one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from voicejournal.cli import main

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = sorted(main.commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_examples(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert main.commands[name].help, f"{name} has no help text"
    assert "Example" in result.output, f"{name} --help shows no examples"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_a_readme_section(name: str) -> None:
    assert f"### {name}\n" in (ROOT / "README.md").read_text(), f"README.md has no '### {name}' section"


def vj(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "voicejournal", *args], input=stdin, capture_output=True,
                          text=True, timeout=120)


def test_bad_recording_is_one_line_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "notes.wav"
    bad.write_text("this is a text file")
    out = vj("--data-dir", str(tmp_path / "d"), "talk", "--input", str(bad), "--speak-to", str(tmp_path / "r"))
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    lines = [l for l in out.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "not a readable audio file" in lines[0]


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    out = vj("--debug", "--data-dir", str(tmp_path / "d"), "talk", "--input", str(tmp_path / "missing.wav"))
    assert out.returncode != 0 and "Traceback" in out.stderr


def test_unknown_flag_and_bad_setting(tmp_path: Path) -> None:
    out = vj("talk", "--loudness", "11")
    assert out.returncode == 2 and "No such option" in out.stderr and "Traceback" not in out.stderr
    (tmp_path / "config.toml").write_text("[llm]\nbackend = 'gpt-9'\n")
    out = vj("--data-dir", str(tmp_path), "talk", "--text", "--no-voice", stdin="hello\n")
    assert out.returncode == 1 and "Unknown LLM backend 'gpt-9'" in out.stderr and "Traceback" not in out.stderr


def test_missing_model_path_names_the_fix(tmp_path: Path) -> None:
    out = vj("--data-dir", str(tmp_path), "talk", "--text", "--no-voice", "--llm-model", str(tmp_path / "x.gguf"),
             stdin="hi\n")
    assert out.returncode == 1 and "does not exist" in out.stderr and "Traceback" not in out.stderr


def test_models_lists_every_shipped_model() -> None:
    result = CliRunner().invoke(main, ["models", "--no-verify", "--json"])
    assert result.exit_code == 0
    assert {"whisper-base", "piper-joe", "qwen2.5-0.5b"} <= set(result.output.split('"'))


def test_doctor_names_a_fix_for_each_problem(tmp_path: Path) -> None:
    out = vj("--data-dir", str(tmp_path), "doctor")
    assert "model whisper-base: ok" in out.stdout
    for line in out.stdout.splitlines():
        if line.startswith("✗"):
            assert " — " in line and len(line.split(" — ", 1)[1]) > 10


def test_import_transcribes_memos_and_reports_bad_ones(tmp_path: Path) -> None:
    from importlib.resources import files

    demo = Path(str(files("voicejournal").joinpath("data/demo/evening.flac")))
    bad = tmp_path / "memo.mp3"
    bad.write_text("not audio")
    out = vj("--data-dir", str(tmp_path / "d"), "import", str(demo), str(bad))
    assert out.returncode == 1  # one file could not be read, and the exit status says so
    assert "real-time factor" in out.stderr and "Skipped" in out.stderr and "Traceback" not in out.stderr
    listed = vj("--data-dir", str(tmp_path / "d"), "entries", "--json")
    assert '"import"' in listed.stdout and "long day at work" in listed.stdout
