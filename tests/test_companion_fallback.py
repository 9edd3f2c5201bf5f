"""Ollama going away: the session carries on with the built-in model and says so, once."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from tests.ollama_standin import StandIn
from voicejournal.cli import main
from voicejournal.companion.backends import FallbackBackend, OllamaBackend
from voicejournal.companion.fallbacks import SWITCH_NOTICE
from voicejournal.settings import LlmSettings

pytestmark = pytest.mark.slow


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_ollama_at_start_falls_back_to_embedded(tmp_path: Path) -> None:
    result = CliRunner(env={"OLLAMA_HOST": f"127.0.0.1:{_dead_port()}"}).invoke(
        main, ["--data-dir", str(tmp_path / "data"), "talk", "--text", "--no-voice", "--mode", "free",
               "--llm", "ollama:llama3.2"],
        input="I baked bread this afternoon and the kitchen smelled amazing.\n", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert flat.count(SWITCH_NOTICE) == 1
    db = sqlite_utils.Database(tmp_path / "data" / "journal.db")
    (turn,) = db.query("select reply_text, reply_model from turns")
    assert turn["reply_text"].startswith(SWITCH_NOTICE)
    assert turn["reply_model"].startswith("embedded:") or turn["reply_model"] == "curated-text"


def test_ollama_going_away_mid_session(tmp_path: Path, engines, settings) -> None:  # type: ignore[no-untyped-def]
    from voicejournal.app import Engines, open_journal, start_conversation
    from voicejournal.conversation import QuietReporter
    from voicejournal.sinks import NullSink
    from voicejournal.types import Transcript

    settings = settings.replace(**{"llm.reply_timeout_s": 120})  # a loaded test machine is slow
    standin = StandIn().start()
    backend = FallbackBackend(OllamaBackend("llama3.2", LlmSettings(ollama_host=standin.host, timeout_s=5)),
                              lambda: engines.backend)
    try:
        with open_journal(settings) as journal:
            convo = start_conversation(settings, Engines(engines.transcriber, backend, None), journal, NullSink(),
                                       "text", QuietReporter())
            convo.open()  # the model reads the session's prompt in the background from here
            convo.p.companion.settle()
            assert standin.requests and standin.requests[0]["keep_alive"] == "30m"  # warmed up at session start
            first = convo.answer(Transcript("Work was long today."), {})
            standin.die_after_pieces = 0  # the server dies: open connections drop, new ones are refused
            standin.stop()
            second = convo.answer(Transcript("Then I made pasta and watched a film."), {})
            third = convo.answer(Transcript("Now I'm tired."), {})
            journal.end_session(convo.session_id)
    finally:
        standin.stop()
    assert "full day" in first.reply.text and first.reply.model == "ollama:llama3.2"
    assert second.reply.text.startswith(SWITCH_NOTICE) and second.reply.text != SWITCH_NOTICE
    assert SWITCH_NOTICE not in third.reply.text
    assert backend.switched
