"""The companion turn: stream the model's reply sentence by sentence, guarded, with history."""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Iterator

from voicejournal.companion.backends import ChatBackend, FallbackBackend, Message, WarmsUp
from voicejournal.companion.fallbacks import SWITCH_NOTICE
from voicejournal.companion.guards import (Limits, clean_sentence, content_problem, counted, over_length,
                                          sentence_problem)
from voicejournal.companion.prompt import FEW_SHOT, build_messages, summary_messages
from voicejournal.errors import BackendUnavailable, UserError

log = logging.getLogger(__name__)

_BOUNDARY = re.compile(r"([.!?…]+[\"')\]]*)(\s+|$)")
_CLAUSE = re.compile(r"([,;:—–])(\s+)")
MAX_SENTENCES = 2
SUMMARY_TOKENS = 70
MAX_SUMMARY_TURNS = 12
MAX_SUMMARY_INPUT_CHARS = 240
_EXAMPLES = [m["content"] for m in FEW_SHOT if m["role"] == "assistant"]


@dataclass
class StreamStats:
    """Timings of the last reply, for the journal and the benchmarks."""

    first_token_ms: float = 0.0
    total_ms: float = 0.0
    error: str = ""
    dropped: list[str] = field(default_factory=list)


def sentences_from(pieces: Iterator[str], first_clause_chars: int = 0) -> Iterator[str]:
    """Group streamed text pieces into sentences as soon as each one is complete.

    With first_clause_chars, the reply's first piece may end at a comma once it is that long,
    so the voice can start speaking before the whole first sentence is generated.
    """
    buf = ""
    first = True
    for piece in pieces:
        buf += piece
        while True:
            # A boundary counts once whitespace follows it, so "3.5" or "Dr." mid-stream do not split early.
            m = _BOUNDARY.search(buf)
            if not (m and m.group(2)) and first and first_clause_chars:
                m = _CLAUSE.search(buf, first_clause_chars - 1)
            if not (m and m.group(2)):
                break
            yield buf[: m.end(1)]
            buf = buf[m.end():]
            first = False
    if buf.strip():
        yield buf


class ReplyTimeout(UserError):
    """The model took longer than the reply budget."""


class Companion:
    """Holds the session's history and asks the backend for short spoken replies."""

    def __init__(self, backend: ChatBackend, max_tokens: int = 80, memory: str = "",
                 mode_guidance: str = "", reply_timeout_s: float = 12.0, first_clause_chars: int = 0) -> None:
        self.backend = backend
        self.first_clause_chars = first_clause_chars
        self.max_tokens = max_tokens
        self.memory = memory
        self.mode_guidance = mode_guidance
        self.reply_timeout_s = reply_timeout_s
        self.history: list[Message] = []
        """This session's messages: (guidance,) the person's words, the reply, as the model saw them."""
        self.stats = StreamStats()
        self._switch_told = False  # the person has heard that the server went away
        self._asked: tuple[str, str] = ("", "")  # (user_text, guidance) of the last reply
        self._busy = threading.Lock()  # the model runs one request at a time
        self._priming: threading.Thread | None = None

    @property
    def name(self) -> str:
        return self.backend.name

    def messages_for(self, user_text: str, guidance: str = "") -> list[Message]:
        """The prompt for one turn, as the backend will see it."""
        return build_messages(self.history, user_text, self.memory, mode_guidance=self.mode_guidance,
                              guidance=guidance)

    def prime(self, heard: str | None = None, guidance: str = "") -> bool:
        """In the background, evaluate the known start of the next prompt while the person speaks.

        After a reply, the next prompt differs from what the model has cached by the end of that
        reply; evaluating it now leaves only the next turn's guidance and words for the moment
        the turn ends. With `heard` (the turn's words transcribed so far, at a pause) and the
        guidance the turn is expected to get, only the rest of the words are left. Waits for
        nothing; a reply that starts meanwhile waits for it (rarely long). False when a priming
        run is still going (nothing started).
        """
        if not isinstance(self.backend, WarmsUp) or (self._priming and self._priming.is_alive()):
            return False
        messages = build_messages(list(self.history), heard, self.memory, mode_guidance=self.mode_guidance,
                                  guidance=guidance if heard else "")

        def run() -> None:
            with self._busy:
                try:
                    self.backend.warm_up(messages)
                except UserError as exc:
                    log.info("could not prime the companion's prompt: %s", exc)
                except Exception:  # noqa: BLE001 - priming is an optimisation; the reply path reports real faults
                    log.exception("priming the companion's prompt failed")

        self._priming = threading.Thread(target=run, name="companion-prime")  # not daemon: exit waits, never frees the model under it
        self._priming.start()
        return True

    def settle(self) -> None:
        """Wait for background priming to finish (before the session or the model is closed)."""
        if self._priming is not None:
            self._priming.join()

    def warm_up(self) -> None:
        """Load the model and prime its cache with this session's fixed prompt; never fails the session."""
        if not isinstance(self.backend, WarmsUp):
            return
        try:
            self.backend.warm_up(self.messages_for("Hello.")[:-1])
        except UserError as exc:  # reported on the first turn instead
            log.info("companion warm-up failed: %s", exc)

    def reply_sentences(self, user_text: str, guidance: str = "", limits: Limits | None = None) -> Iterator[str]:
        """Yield the reply's sentences as they are generated; stop after one question or at the limits."""
        self.stats = StreamStats()
        limits = limits or Limits(MAX_SENTENCES)
        t0 = time.perf_counter()
        spoken: list[str] = []
        messages = self.messages_for(user_text, guidance)
        self._asked = (user_text, guidance)
        self.settle()  # priming may have found the server gone (and switched) meanwhile
        if self._newly_switched():  # the server went away at start-up or between turns
            yield SWITCH_NOTICE
        try:
            yield from self._guarded(messages, user_text, limits, spoken, t0)
        except BackendUnavailable as exc:
            if not isinstance(self.backend, FallbackBackend) or self.backend.switched:
                self._failed(exc)
            else:
                try:
                    self.backend.fall_back(exc)
                except UserError as again:
                    self._failed(again)
                    return
                self._switch_told = True
                yield SWITCH_NOTICE
                if not spoken:
                    try:  # the built-in model gets a reply budget of its own
                        yield from self._guarded(messages, user_text, limits, spoken, time.perf_counter())
                    except UserError as again:
                        self._failed(again)
        except UserError as exc:
            self._failed(exc)
        finally:
            self.stats.total_ms = (time.perf_counter() - t0) * 1000

    def _newly_switched(self) -> bool:
        if self._switch_told or not (isinstance(self.backend, FallbackBackend) and self.backend.switched):
            return False
        self._switch_told = True
        return True

    def _failed(self, exc: Exception) -> None:
        self.stats.error = str(exc)
        log.warning("companion backend failed: %s", exc)

    def _timed(self, messages: list[Message], t0: float, max_tokens: int | None = None) -> Iterator[str]:
        """The backend's pieces, timed; only time spent generating counts, not time spent speaking."""
        with self._busy:
            yield from self._paced(messages, t0, max_tokens)

    def _paced(self, messages: list[Message], t0: float, max_tokens: int | None) -> Iterator[str]:
        generating, resumed = 0.0, t0
        for piece in self.backend.stream(messages, max_tokens or self.max_tokens):
            now = time.perf_counter()
            generating += now - resumed
            if not self.stats.first_token_ms:
                self.stats.first_token_ms = (now - t0) * 1000
            if generating > self.reply_timeout_s:
                raise ReplyTimeout(f"the reply took longer than {self.reply_timeout_s:.0f} s")
            yield piece
            resumed = time.perf_counter()

    def _guarded(self, messages: list[Message], user_text: str, limits: Limits, spoken: list[str],
                 t0: float) -> Iterator[str]:
        earlier = [m["content"] for m in self.history if m["role"] == "assistant"] + _EXAMPLES
        for raw in sentences_from(self._timed(messages, t0), self.first_clause_chars):
            sentence = clean_sentence(raw)
            if not sentence:
                continue
            problem = sentence_problem(sentence, spoken + earlier, user_text)
            if problem is None and sentence.endswith("?") and not limits.allow_question:
                problem = "question not wanted"
            if problem is None and over_length(spoken, sentence, limits):
                problem = "over length"
            if problem:
                self.stats.dropped.append(problem)
                return
            spoken.append(sentence)
            yield sentence
            if sentence.endswith("?") or counted(spoken) >= limits.max_sentences:
                return  # stop generating now: the CPU is needed for the voice

    def summarize(self, said: list[str]) -> str | None:
        """One or two sentences about what the person said this session; None if the model cannot."""
        if not said:
            return None
        said = [s[:MAX_SUMMARY_INPUT_CHARS] for s in said[-MAX_SUMMARY_TURNS:]]  # a bounded prompt
        kept: list[str] = []
        try:
            for raw in sentences_from(self._timed(summary_messages(said), time.perf_counter(), SUMMARY_TOKENS)):
                sentence = clean_sentence(raw)
                if not sentence or sentence.endswith("?") or content_problem(sentence) or len(kept) >= 2:
                    break
                kept.append(sentence)
        except UserError as exc:
            log.info("no model summary: %s", exc)
        text = " ".join(kept)
        return text if 20 <= len(text) <= 320 else None

    def remember(self, user_text: str, reply_text: str) -> None:
        """Add a finished exchange to this session's history, with the guidance the model was given."""
        asked_text, guidance = self._asked
        if guidance and asked_text == user_text:
            self.history.append({"role": "system", "content": guidance})
        self.history += [{"role": "user", "content": user_text}, {"role": "assistant", "content": reply_text}]
        self._asked = ("", "")

    def forget_last(self) -> bool:
        """Drop the last exchange from this session's history; False when there is none."""
        if len(self.history) < 2 or self.history[-2]["role"] != "user":
            return False
        del self.history[-2:]
        if self.history and self.history[-1]["role"] == "system":
            del self.history[-1]
        return True
