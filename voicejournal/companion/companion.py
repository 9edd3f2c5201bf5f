"""The companion turn: stream the model's reply sentence by sentence, guarded, with history."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import Iterator

from voicejournal.companion.backends import ChatBackend, Message
from voicejournal.companion.guards import clean_sentence, sentence_problem
from voicejournal.companion.prompt import build_messages
from voicejournal.errors import UserError

log = logging.getLogger(__name__)

_BOUNDARY = re.compile(r"([.!?…]+[\"')\]]*)(\s+|$)")
MAX_SENTENCES = 3


@dataclass
class StreamStats:
    """Timings of the last reply, for the journal and the benchmarks."""

    first_token_ms: float = 0.0
    total_ms: float = 0.0
    error: str = ""
    dropped: list[str] = field(default_factory=list)


def sentences_from(pieces: Iterator[str]) -> Iterator[str]:
    """Group streamed text pieces into sentences as soon as each one is complete."""
    buf = ""
    for piece in pieces:
        buf += piece
        # A boundary counts once whitespace follows it, so "3.5" or "Dr." mid-stream do not split early.
        while (m := _BOUNDARY.search(buf)) and m.group(2):
            yield buf[: m.end(1)]
            buf = buf[m.end():]
    if buf.strip():
        yield buf


class Companion:
    """Holds the session's history and asks the backend for short spoken replies."""

    def __init__(self, backend: ChatBackend, max_tokens: int = 80, memory: str = "") -> None:
        self.backend = backend
        self.max_tokens = max_tokens
        self.memory = memory
        self.history: list[Message] = []
        self.stats = StreamStats()

    @property
    def name(self) -> str:
        return self.backend.name

    def reply_sentences(self, user_text: str) -> Iterator[str]:
        """Yield the reply's sentences as they are generated; stop after one question."""
        self.stats = StreamStats()
        t0 = time.perf_counter()
        spoken: list[str] = []
        messages = build_messages(self.history, user_text, self.memory)

        def timed() -> Iterator[str]:
            for piece in self.backend.stream(messages, self.max_tokens):
                if not self.stats.first_token_ms:
                    self.stats.first_token_ms = (time.perf_counter() - t0) * 1000
                yield piece

        try:
            for raw in sentences_from(timed()):
                sentence = clean_sentence(raw)
                if not sentence:
                    continue
                problem = sentence_problem(sentence, spoken + [m["content"] for m in self.history])
                if problem:
                    self.stats.dropped.append(problem)
                    break
                spoken.append(sentence)
                yield sentence
                if sentence.endswith("?") or len(spoken) >= MAX_SENTENCES:
                    break
        except UserError as exc:
            self.stats.error = str(exc)
            log.warning("companion backend failed: %s", exc)
        finally:
            self.stats.total_ms = (time.perf_counter() - t0) * 1000

    def remember(self, user_text: str, reply_text: str) -> None:
        """Add a finished exchange to this session's history."""
        self.history += [{"role": "user", "content": user_text}, {"role": "assistant", "content": reply_text}]
