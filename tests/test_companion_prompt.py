"""The prompt only grows at its end between turns, so the model's cached prefix survives (issue #7)."""

from __future__ import annotations

from voicejournal.companion import Companion
from voicejournal.companion.backends import Message
from voicejournal.companion.prompt import build_messages, exchanges, window


class ScriptedBackend:
    """A stand-in LLM (named as such): replies from a script so history handling is exact."""

    name = "scripted"

    def __init__(self) -> None:
        self.prompts: list[list[Message]] = []
        self.warmed: list[list[Message]] = []

    def stream(self, messages: list[Message], max_tokens: int):
        self.prompts.append(list(messages))
        yield f"Reply number {len(self.prompts)}."

    def warm_up(self, messages: list[Message]) -> None:
        self.warmed.append(list(messages))


def _session(turns: int, guidance: str = "Reflect briefly.") -> tuple[Companion, ScriptedBackend]:
    backend = ScriptedBackend()
    companion = Companion(backend, mode_guidance="Evening reflection.")
    companion.history.append({"role": "assistant", "content": "How was your day?"})
    for n in range(turns):
        words = f"Words of turn {n}."
        reply = " ".join(companion.reply_sentences(words, guidance))
        companion.remember(words, reply)
    return companion, backend


def _is_prefix(short: list[Message], long: list[Message]) -> bool:
    return long[: len(short)] == short


def test_each_prompt_extends_the_last_one_until_the_window_steps() -> None:
    _, backend = _session(12)
    extended = [_is_prefix(a[:-1], b) for a, b in zip(backend.prompts, backend.prompts[1:])]
    # the window drops three exchanges at a time: two of every three turns keep the whole prefix
    assert sum(extended) >= 7, extended
    assert extended[:3] == [True, True, True]


def test_guidance_stays_in_the_history_where_it_was_given() -> None:
    companion, _ = _session(2, guidance="Do not ask a question.")
    roles = [m["role"] for m in companion.history]
    assert roles == ["assistant", "system", "user", "assistant", "system", "user", "assistant"]


def test_window_is_bounded_and_starts_at_an_exchange() -> None:
    companion, backend = _session(30)
    history_in_prompt = backend.prompts[-1][5:-2]  # after system + 4 few-shot, before guidance + words
    assert 2 <= len(exchanges(history_in_prompt)) <= 4
    assert history_in_prompt[0]["role"] == "system" and history_in_prompt[1]["role"] == "user"
    assert len(window(companion.history, 4)) <= 12


def test_forget_last_removes_the_guidance_too() -> None:
    companion, _ = _session(2)
    assert companion.forget_last()
    assert [m["role"] for m in companion.history] == ["assistant", "system", "user", "assistant"]
    assert companion.forget_last()
    assert [m["role"] for m in companion.history] == ["assistant"]
    assert not companion.forget_last()


def test_priming_evaluates_the_known_part_of_the_next_prompt() -> None:
    companion, backend = _session(3)
    companion.prime()
    companion.settle()
    primed = backend.warmed[-1]
    nxt = build_messages(companion.history, "Next words.", mode_guidance="Evening reflection.", guidance="g")
    assert _is_prefix(primed, nxt)
    assert primed[-1]["role"] == "assistant"


def test_words_heard_so_far_are_primed_with_the_expected_guidance() -> None:
    companion, backend = _session(2)
    assert companion.prime("I went for a long walk after work", "Reflect briefly.")
    companion.settle()
    primed = backend.warmed[-1]
    nxt = build_messages(companion.history, "I went for a long walk after work and it cleared my head.",
                         mode_guidance="Evening reflection.", guidance="Reflect briefly.")
    assert primed[:-1] == nxt[:len(primed) - 1]  # everything before the words is shared, guidance too
    assert primed[-1]["role"] == "user" and nxt[len(primed) - 1]["content"].startswith(primed[-1]["content"])
