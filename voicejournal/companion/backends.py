"""LLM backends behind one small protocol, chosen by name from a registry."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Iterator, Protocol, TypedDict

from voicejournal.errors import BackendUnavailable, ModelError, UserError
from voicejournal.settings import LlmSettings

log = logging.getLogger(__name__)


class Message(TypedDict):
    role: str
    content: str


class ChatBackend(Protocol):
    """Streams a chat completion as text pieces."""

    name: str

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]: ...


class EmbeddedBackend:
    """llama.cpp in-process with the shipped GGUF; works with no server at all."""

    def __init__(self, model_path: Path, settings: LlmSettings) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelError(
                "llama-cpp-python is not installed; run `make install` (it compiles once, ~4 min)."
            ) from exc
        self.settings = settings
        self.name = f"embedded:{model_path.stem}"
        try:
            self.llm = Llama(model_path=str(model_path), n_ctx=settings.context_tokens,
                             n_threads=settings.threads, n_batch=256, verbose=False, seed=7)
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"Could not load the GGUF model {model_path} ({exc}); run `voicejournal doctor`.") from exc

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        pieces = self.llm.create_chat_completion(
            messages=list(messages), max_tokens=max_tokens, temperature=self.settings.temperature,
            top_p=0.9, repeat_penalty=1.1, stream=True,
        )
        for piece in pieces:
            delta = piece["choices"][0].get("delta", {})
            if delta.get("content"):
                yield delta["content"]


class OllamaBackend:
    """A model served by a local Ollama; the `ollama` client streams /api/chat."""

    def __init__(self, model: str, settings: LlmSettings) -> None:
        import ollama

        self.settings = settings
        self.model = model
        self.name = f"ollama:{model}"
        self.client = ollama.Client(host=settings.ollama_host, timeout=settings.timeout_s)

    def _unavailable(self, exc: Exception) -> BackendUnavailable:
        return BackendUnavailable(
            f"Ollama is not reachable at {self.settings.ollama_host} ({exc.__class__.__name__}) — "
            "start it with `ollama serve`, or use `--llm embedded`."
        )

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        import httpx
        import ollama

        try:
            for chunk in self.client.chat(
                model=self.model, messages=list(messages), stream=True, keep_alive="30m",
                options={"num_predict": max_tokens, "temperature": self.settings.temperature},
            ):
                if chunk.message and chunk.message.content:
                    yield chunk.message.content
        except ollama.ResponseError as exc:
            if exc.status_code == 404:
                raise UserError(f"Ollama has no model {self.model!r}; run `ollama pull {self.model}`.") from exc
            raise self._unavailable(exc) from exc
        except (ConnectionError, httpx.HTTPError) as exc:
            raise self._unavailable(exc) from exc


def _embedded(spec: str, settings: LlmSettings, resolve_model: Callable[[str | None], Path]) -> ChatBackend:
    return EmbeddedBackend(resolve_model(settings.model_path), settings)


def _ollama(spec: str, settings: LlmSettings, resolve_model: Callable[[str | None], Path]) -> ChatBackend:
    model = spec.partition(":")[2] or "llama3.2"
    return OllamaBackend(model, settings)


REGISTRY: dict[str, Callable[[str, LlmSettings, Callable[[str | None], Path]], ChatBackend]] = {
    "embedded": _embedded,
    "ollama": _ollama,
}


def make_backend(settings: LlmSettings, resolve_model: Callable[[str | None], Path]) -> ChatBackend:
    """Build the backend named by settings.backend ('embedded', 'ollama:MODEL', …)."""
    kind = settings.backend.partition(":")[0]
    if kind not in REGISTRY:
        raise UserError(f"Unknown LLM backend {settings.backend!r}; use one of: embedded, ollama:MODEL.")
    return REGISTRY[kind](settings.backend, settings, resolve_model)
