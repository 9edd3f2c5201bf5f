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


def build_messages(history: list[Message], user_text: str, memory: str = "", max_history: int = 6,
                   *, mode_guidance: str = "", guidance: str = "") -> list[Message]:
    """System prompt (+ mode, + memory), few-shot examples, a bounded slice of this session, the new words.

    Everything before the history stays the same for a whole session, so llama.cpp reuses its
    cached prefix; the per-turn guidance goes right before the person's words.
    """
    system = SYSTEM_PROMPT
    if mode_guidance:
        system += "\n" + mode_guidance
    if memory:
        system += f"\nWhat you remember from earlier sessions: {memory}"
    turn: list[Message] = [{"role": "system", "content": guidance}] if guidance else []
    return [{"role": "system", "content": system}, *FEW_SHOT, *history[-max_history:], *turn,
            {"role": "user", "content": user_text}]


def summary_messages(said: list[str]) -> list[Message]:
    """Ask for a short spoken summary of what the person said this session."""
    lines = "\n".join(f"- {s}" for s in said)
    return [{"role": "system", "content": SUMMARY_PROMPT},
            {"role": "user", "content": f"Tonight I said:\n{lines}\n\nSummarise it for me."}]
