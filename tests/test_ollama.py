"""The Ollama backend through the real `ollama` client: against a stand-in server, and live if one answers."""

from __future__ import annotations

import os

import httpx
import pytest

from tests.ollama_standin import StandIn
from voicejournal.companion import Companion
from voicejournal.companion.backends import OllamaBackend, make_backend
from voicejournal.errors import BackendUnavailable, UserError
from voicejournal.settings import LlmSettings


@pytest.fixture
def standin():  # type: ignore[no-untyped-def]
    server = StandIn().start()
    yield server
    server.stop()


def test_streams_sentences_from_ollama_standin(standin: StandIn) -> None:
    settings = LlmSettings(backend="ollama:llama3.2", ollama_host=standin.host)
    backend = make_backend(settings, lambda p: None)  # type: ignore[arg-type,return-value]
    assert backend.name == "ollama:llama3.2"
    companion = Companion(backend, max_tokens=40)
    sentences = list(companion.reply_sentences("Work was long today."))
    assert sentences == ["That sounds like a full day.", "What part of it stays with you tonight?"]
    request = standin.requests[-1]
    assert request["stream"] is True and request["options"]["num_predict"] == 40
    assert request["messages"][0]["role"] == "system"
    assert request["messages"][-1] == {"role": "user", "content": "Work was long today."}


def test_unknown_model_says_to_pull_it(standin: StandIn) -> None:
    backend = OllamaBackend("mistral", LlmSettings(ollama_host=standin.host))
    with pytest.raises(UserError, match="ollama pull mistral"):
        list(backend.stream([{"role": "user", "content": "hi"}], 10))


def test_dead_server_is_a_clear_error() -> None:
    backend = OllamaBackend("llama3.2", LlmSettings(ollama_host="http://127.0.0.1:9", timeout_s=2))
    with pytest.raises(BackendUnavailable, match="ollama serve.*--llm embedded"):
        list(backend.stream([{"role": "user", "content": "hi"}], 10))


def test_server_dying_mid_reply_leaves_no_half_sentence(standin: StandIn) -> None:
    standin.die_after_pieces = 3
    companion = Companion(OllamaBackend("llama3.2", LlmSettings(ollama_host=standin.host, timeout_s=2)))
    sentences = list(companion.reply_sentences("hello"))
    assert "not reachable" in companion.stats.error
    assert sentences == []  # "That sounds like" was never finished, so nothing half-said is spoken


def _live_host() -> str | None:
    host = os.environ.get("OLLAMA_HOST")
    if not host:
        return None
    host = host if "://" in host else f"http://{host}"
    try:
        tags = httpx.get(f"{host}/api/tags", timeout=1).json()
    except httpx.HTTPError:
        return None
    return host if tags.get("models") else None


@pytest.mark.skipif(_live_host() is None, reason="no live Ollama server at OLLAMA_HOST")
def test_live_ollama() -> None:
    host = _live_host()
    model = httpx.get(f"{host}/api/tags").json()["models"][0]["name"]
    companion = Companion(OllamaBackend(model, LlmSettings(ollama_host=host or "")))
    assert "".join(companion.reply_sentences("I had a calm evening reading a book.")).strip()
