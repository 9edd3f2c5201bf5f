"""LLM backends behind one small protocol, chosen by name from a registry."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Callable, Iterator, Protocol, TypedDict, runtime_checkable

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


@runtime_checkable
class WarmsUp(Protocol):
    """A backend that can load its model (and prime its prompt cache) before the first turn."""

    def warm_up(self, messages: list[Message]) -> None: ...


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

    def warm_up(self, messages: list[Message]) -> None:
        """Evaluate the session's fixed prompt once so the first reply starts from the cache."""
        for _ in self.stream(messages, 1):
            pass


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
                model=self.model, messages=list(messages), stream=True, keep_alive=self.settings.keep_alive,
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

    def warm_up(self, messages: list[Message]) -> None:
        """Have Ollama load the model (and keep it for keep_alive) before the person speaks."""
        for _ in self.stream(messages, 1):
            pass


class OpenAIBackend:
    """Any OpenAI-compatible server (llama.cpp's server, LM Studio, vLLM): /chat/completions over SSE."""

    def __init__(self, model: str, settings: LlmSettings) -> None:
        import httpx

        self.settings = settings
        self.model = model
        self.name = f"openai:{model}"
        self.base_url = settings.openai_base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {settings.openai_api_key}"} if settings.openai_api_key else {}
        self.client = httpx.Client(timeout=settings.timeout_s, headers=headers)

    def _unavailable(self, exc: Exception) -> BackendUnavailable:
        return BackendUnavailable(
            f"The OpenAI-compatible server at {self.base_url} is not reachable ({exc.__class__.__name__}) — "
            "start it (for example `python -m llama_cpp.server --model FILE.gguf`), or use `--llm embedded`."
        )

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        import httpx

        body = {"model": self.model, "messages": list(messages), "max_tokens": max_tokens,
                "temperature": self.settings.temperature, "stream": True}
        try:
            with self.client.stream("POST", f"{self.base_url}/chat/completions", json=body) as response:
                if response.status_code == 404:
                    raise UserError(f"The server at {self.base_url} has no model {self.model!r} "
                                    "(or no /chat/completions); check `llm.openai_base_url` and the model name.")
                if response.status_code >= 400:
                    response.read()
                    raise BackendUnavailable(f"The server at {self.base_url} answered {response.status_code}: "
                                             f"{response.text[:200]}")
                yield from _sse_content(response.iter_lines())
        except httpx.HTTPError as exc:
            raise self._unavailable(exc) from exc

    def warm_up(self, messages: list[Message]) -> None:
        """One token, so a server that loads models on demand has this one ready."""
        for _ in self.stream(messages, 1):
            pass


def _sse_content(lines: Iterator[str]) -> Iterator[str]:
    """The text deltas of an OpenAI chat-completions event stream, until [DONE]."""
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            event = json.loads(data)
        except json.JSONDecodeError:
            log.debug("skipping an event that is not JSON: %r", data[:80])
            continue
        for choice in event.get("choices") or ():
            content = (choice.get("delta") or {}).get("content")
            if content:
                yield content


class FallbackBackend:
    """A server backend that, once it goes away, hands over to the built-in model for the rest of the session."""

    def __init__(self, primary: ChatBackend, make_fallback: Callable[[], ChatBackend]) -> None:
        self.primary = primary
        self.active: ChatBackend = primary
        self._make_fallback = make_fallback

    @property
    def name(self) -> str:
        return self.active.name

    @property
    def switched(self) -> bool:
        return self.active is not self.primary

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        return self.active.stream(messages, max_tokens)

    def fall_back(self, reason: Exception) -> None:
        """Switch to the built-in model (loading it now); later replies come from it."""
        log.warning("%s; switching to the built-in model", reason)
        self.active = self._make_fallback()

    def warm_up(self, messages: list[Message]) -> None:
        """Warm the server's model; if it is already gone, switch now rather than on the first reply."""
        if isinstance(self.active, WarmsUp):
            try:
                self.active.warm_up(messages)
            except BackendUnavailable as exc:
                self.fall_back(exc)


def _embedded(spec: str, settings: LlmSettings, resolve_model: Callable[[str | None], Path]) -> ChatBackend:
    return EmbeddedBackend(resolve_model(settings.model_path), settings)


def _ollama(spec: str, settings: LlmSettings, resolve_model: Callable[[str | None], Path]) -> ChatBackend:
    model = spec.partition(":")[2] or "llama3.2"
    return OllamaBackend(model, settings)


def _openai(spec: str, settings: LlmSettings, resolve_model: Callable[[str | None], Path]) -> ChatBackend:
    model = spec.partition(":")[2] or "local"
    return OpenAIBackend(model, settings)


REGISTRY: dict[str, Callable[[str, LlmSettings, Callable[[str | None], Path]], ChatBackend]] = {
    "embedded": _embedded,
    "ollama": _ollama,
    "openai": _openai,
}


def make_backend(settings: LlmSettings, resolve_model: Callable[[str | None], Path]) -> ChatBackend:
    """Build the backend named by settings.backend ('embedded', 'ollama:MODEL', 'openai:MODEL')."""
    kind = settings.backend.partition(":")[0]
    if kind not in REGISTRY:
        raise UserError(f"Unknown LLM backend {settings.backend!r}; use one of: embedded, ollama:MODEL, openai:MODEL.")
    return REGISTRY[kind](settings.backend, settings, resolve_model)
