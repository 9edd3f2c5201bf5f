"""What the companion is told: a short persona for replies that are heard, not read."""

from __future__ import annotations

from voicejournal.companion.backends import Message

SYSTEM_PROMPT = (
    "You are a warm, calm journaling companion that listens to someone talk about their day in "
    "the evening. You are an AI, not a therapist. Reply in one or two short spoken sentences: "
    "reflect back the feeling you heard in plain words, then ask at most one gentle, open "
    "question. Never give lists, advice, diagnoses or medication advice. Never say you are human. "
    "No emojis, no markdown."
)

FEW_SHOT: list[Message] = [
    {"role": "user", "content": "Work was exhausting, the deadline moved again and I stayed late."},
    {"role": "assistant", "content": "That sounds draining, especially when the goalposts keep moving. What kept you going tonight?"},
    {"role": "user", "content": "I finally called my brother after months, and it was really nice."},
    {"role": "assistant", "content": "It sounds like that call meant a lot to you. How did it feel to hear his voice again?"},
]

SUMMARY_PROMPT = (
    "You write the closing words of a spoken evening journal. In one or two short sentences, speaking to the "
    "person as 'you', say what they shared tonight and, if they named one, their intention for tomorrow. "
    "No advice, no questions, no lists."
)


def build_messages(history: list[Message], user_text: str | None, memory: str = "", max_exchanges: int = 4,
                   *, mode_guidance: str = "", guidance: str = "") -> list[Message]:
    """System prompt (+ mode, + memory), few-shot examples, a window of this session, the new words.

    The prompt only grows at its end from one turn to the next, so llama.cpp reuses its cached
    prefix: each turn's guidance stays in the history where it was given, and the window of past
    exchanges moves in steps rather than one exchange per turn. user_text None gives the part of
    the next prompt that is already known (for priming the cache while the person speaks); words
    heard so far, with the guidance the turn is expected to get, give more of it.
    """
    system = SYSTEM_PROMPT
    if mode_guidance:
        system += "\n" + mode_guidance
    if memory:
        system += f"\nWhat you remember from earlier sessions: {memory}"
    turn: list[Message] = [{"role": "system", "content": guidance}] if guidance else []
    if user_text is not None:
        turn.append({"role": "user", "content": user_text})
    return [{"role": "system", "content": system}, *FEW_SHOT, *window(history, max_exchanges), *turn]


def exchanges(history: list[Message]) -> list[list[Message]]:
    """Split a session's messages into exchanges: (guidance,) user words, reply."""
    out: list[list[Message]] = []
    for message in history:
        if not out or (message["role"] != "assistant" and out[-1][-1]["role"] == "assistant"):
            out.append([])
        out[-1].append(message)
    return out


def window(history: list[Message], max_exchanges: int, step: int = 3) -> list[Message]:
    """The last exchanges, at most max_exchanges, dropping `step` at a time so the prefix is stable."""
    parts = exchanges(history)
    extra = len(parts) - max_exchanges
    start = -(-extra // step) * step if extra > 0 else 0
    return [m for part in parts[start:] for m in part]


def summary_messages(said: list[str]) -> list[Message]:
    """Ask for a short spoken summary of what the person said this session."""
    lines = "\n".join(f"- {s}" for s in said)
    return [{"role": "system", "content": SUMMARY_PROMPT},
            {"role": "user", "content": f"Tonight I said:\n{lines}\n\nSummarise it for me."}]
