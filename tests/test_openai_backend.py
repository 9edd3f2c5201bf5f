"""The OpenAI-compatible backend against llama-cpp-python's real server, serving the shipped GGUF."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from voicejournal import models
from voicejournal.companion import Companion
from voicejournal.companion.backends import FallbackBackend, OpenAIBackend, make_backend
from voicejournal.companion.fallbacks import SWITCH_NOTICE
from voicejournal.errors import BackendUnavailable
from voicejournal.settings import LlmSettings

pytestmark = pytest.mark.slow
pytest.importorskip("uvicorn", reason="llama-cpp-python's server needs uvicorn, fastapi, sse-starlette, "
                                      "starlette-context, pydantic-settings")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(model: Path, port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "2048", "--n_threads", "2", "--model_alias", "qwen-0.5b"],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})


@dataclass
class Server:
    """A running llama_cpp.server: its /v1 URL and process."""

    base: str
    proc: subprocess.Popen


@pytest.fixture(scope="module")
def server(model_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """llama-cpp-python's OpenAI-compatible server on a free loopback port (the shipped 0.5B model)."""
    model = models.resolve("llm", None, model_cache)
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    proc = _start(model, port, log)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("llama_cpp.server did not come up in 120 s")
        yield Server(base, proc)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_streams_a_guarded_reply_from_the_real_server(server: Server) -> None:
    backend = make_backend(LlmSettings(backend="openai:qwen-0.5b", openai_base_url=server.base, timeout_s=120),
                           lambda p: None)  # type: ignore[arg-type,return-value]
    assert backend.name == "openai:qwen-0.5b"
    pieces = list(backend.stream([{"role": "user", "content": "Say hello in three words."}], 12))
    assert len(pieces) > 1 and "".join(pieces).strip()  # streamed, not one block
    companion = Companion(backend, max_tokens=60)
    companion.warm_up()
    sentences = list(companion.reply_sentences("I went for a long walk by the sea today and it felt good."))
    assert sentences and companion.stats.error == ""
    assert 0 < companion.stats.first_token_ms < companion.stats.total_ms
    assert len(" ".join(sentences)) <= 240 and sum(s.endswith("?") for s in sentences) <= 1


def test_unreachable_server_says_what_to_do() -> None:
    backend = OpenAIBackend("local", LlmSettings(openai_base_url=f"http://127.0.0.1:{_free_port()}/v1", timeout_s=2))
    with pytest.raises(BackendUnavailable, match="llama_cpp.server.*--llm embedded"):
        list(backend.stream([{"role": "user", "content": "hi"}], 5))


def test_server_going_away_falls_back_to_embedded_with_a_notice(server: Server, engines) -> None:  # type: ignore[no-untyped-def]
    backend = FallbackBackend(OpenAIBackend("qwen-0.5b", LlmSettings(openai_base_url=server.base, timeout_s=120)),
                              lambda: engines.backend)
    companion = Companion(backend, max_tokens=60, reply_timeout_s=120)
    companion.warm_up()
    first = list(companion.reply_sentences("Work was long but I cooked a nice dinner."))
    assert first and SWITCH_NOTICE not in first and backend.name == "openai:qwen-0.5b"
    server.proc.terminate()  # the server goes away mid-session
    server.proc.wait(timeout=30)
    second = list(companion.reply_sentences("Then I called my sister and we laughed a lot."))
    assert second[0] == SWITCH_NOTICE and len(second) >= 2  # said why, then still answered
    assert backend.switched and backend.name.startswith("embedded:")
    assert companion.stats.error == ""
    third = list(companion.reply_sentences("Now I'm off to bed."))
    assert third and SWITCH_NOTICE not in third  # said once, not on every turn
