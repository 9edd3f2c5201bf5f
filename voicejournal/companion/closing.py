"""How a session closes: the spoken summary (from the model, or from the person's own words) and check-in words."""

from __future__ import annotations

from typing import Callable

from voicejournal.companion.modes import Flow

_SCORE_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
RETRY_CHECKIN = "I didn't quite catch that. From zero to ten, how are you feeling right now?"
GIVE_UP_CHECKIN = "That's okay, what you said is saved in your journal. Take care tonight."


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split()).rstrip(".!?")
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def extractive_summary(flow: Flow, keep: Callable[[str], bool] = lambda text: True) -> str | None:
    """A summary made of the person's own answers, for when the model's cannot be used.

    Only answers that `keep` accepts are quoted. The words around them are fixed text; the quotes are the person's
    own words, so they are judged as the person's words (the utterance screen), not as the companion's: the reply
    screen reads a quoted "I had a long meeting" as the companion claiming a life of its own.
    """
    a = {key: [text for text in said if keep(text)] for key, said in flow.answers.items()}
    first = (a.get("today") or a.get("open") or [""])[0]
    if not first:
        return None
    parts = [f'Tonight you talked about your day, starting with "{_clip(first, 90)}".']
    if a.get("good"):
        parts.append(f'Something good: "{_clip(a["good"][0], 70)}".')
    if a.get("intention"):
        parts.append(f'Your intention for tomorrow: "{_clip(a["intention"][0], 90)}".')
    return " ".join(parts)


def closing_words(summary: str, mode: str) -> list[str]:
    """The spoken close: a lead-in, the summary, a goodbye."""
    if mode == "reflect":
        return ["Here's a short summary of tonight.", summary, "Thank you for reflecting with me. Sleep well."]
    return ["Here's a short summary of what you shared.", summary, "Thank you for sharing with me."]


def describe_mood(score: float | None, tags: tuple[str, ...]) -> str:
    """'a six out of ten, and tired' — how a check-in was understood, said back."""
    bits = []
    if score is not None:
        words = _SCORE_WORDS[int(score)] if float(score).is_integer() else f"{score:g}"
        bits.append(f"{'an' if words == 'eight' else 'a'} {words} out of ten")
    if tags:
        bits.append(("feeling " if not bits else "and ") + " and ".join(tags[:2]))
    return ", ".join(bits)


def checkin_reply(understood: str | None, flow: Flow) -> str:
    """What to say after a check-in answer: confirm it, ask once more, or let it be."""
    flow.turns += 1
    if understood:
        flow.done = True
        return f"Thanks, I've noted {understood}. Take care tonight."
    if flow.turns < 2:
        return RETRY_CHECKIN
    flow.done = True
    return GIVE_UP_CHECKIN
