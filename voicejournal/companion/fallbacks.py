"""Curated words for when the model must not or cannot answer, so the person is never left in silence."""

from __future__ import annotations

import re

LISTENING = (
    "I'm here and listening. Tell me a little more about that.",
    "Thank you for sharing that with me. How are you feeling about it right now?",
    "That sounds like it matters to you. What stands out most when you think about it?",
)
ACKNOWLEDGE = (
    "Thank you for telling me.",
    "I'm glad you shared that.",
    "Thanks for sharing that.",
    "That makes sense.",
)
"""Said before the next guided prompt when the model's own reflection could not be used."""

TOPIC_REPLIES = {
    "identity": "No, I'm an AI companion running on your own device, not a person. What's on your mind tonight?",
    "medication": "I can't advise on medication; a doctor or pharmacist is the right person to ask. "
                  "How have you been feeling lately?",
    "diagnosis": "I can't tell you whether you have a condition; a doctor or therapist can help you look into that. "
                 "What has been making you wonder about it?",
    "secrecy": "Your journal is kept privately on this device, and who you tell is up to you. "
               "What would you like to say about it?",
    "therapy": "I'm not a therapist and this isn't therapy, but I'm glad to listen while you reflect. "
               "What's been on your mind?",
}
"""Temptations answered by fixed, checked words rather than by a small model."""

_TOPICS = (
    ("identity", re.compile(r"\b(are you (a |an )?(human|real|person|robot|bot|ai|machine|alive)|am i talking to "
                            r"(a |an )?(human|real person|person|machine|bot|ai)|is this a (real )?(person|human))\b",
                            re.I)),
    ("therapy", re.compile(r"\b(are you (a |my )?(therapist|counsel?lor|psychologist|doctor)|is this therapy|"
                           r"can you be my therapist)\b", re.I)),
    ("medication", re.compile(r"\b(should i (take|stop|up|increase|lower|double)|how (much|many) .{0,30}"
                              r"(take|mg)|dose|dosage|mg\b|medication|meds\b|antidepressants?|sleeping pills?|"
                              r"ibuprofen|melatonin|xanax|prozac|sertraline|zoloft|lexapro|ssris?)\b", re.I)),
    ("diagnosis", re.compile(r"\b((do|could|might) (you think )?i (have|be)|am i|is (this|it)|sounds? like)"
                             r" (an? |clinically )?(adhd|add|depress\w*|bipolar|autis\w*|ocd|ptsd|a narcissist|"
                             r"\w+ (disorder|condition))\b|\bdiagnos\w*", re.I)),
    ("secrecy", re.compile(r"\b(keep (this|it) (from|secret|between)|don'?t tell (my|anyone)|"
                           r"(promise|swear) (you|not)|will you tell)\b", re.I)),
)

SWITCH_NOTICE = "The model server stopped answering, so replies now come from the built-in model on this device."
FORGOT = "Done. What you said just before that is no longer in your journal."
NOTHING_TO_FORGET = ("There's nothing from this session to forget yet. "
                     "Older entries can be removed with voicejournal delete.")


def topic_of(user_text: str) -> str | None:
    """Which temptation (identity, therapy, medication, diagnosis, secrecy) the words raise, if any."""
    for name, pattern in _TOPICS:
        if pattern.search(user_text):
            return name
    return None


def listening(turn_index: int) -> str:
    """A general listening reply, varied by turn so it does not repeat word for word."""
    return LISTENING[turn_index % len(LISTENING)]


def fitting_fallback(user_text: str, turn_index: int) -> str:
    """The curated reply that fits best: the topic's fixed answer, else a listening reply."""
    topic = topic_of(user_text)
    return TOPIC_REPLIES[topic] if topic else listening(turn_index)


def acknowledge(turn_index: int) -> str:
    """A short acknowledgement to lead into the next guided prompt."""
    return ACKNOWLEDGE[turn_index % len(ACKNOWLEDGE)]
