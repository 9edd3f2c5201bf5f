"""Session modes: a guided evening reflection, open journaling, and the quick mood check-in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from voicejournal.errors import UserError

MODE_NAMES = ("reflect", "free", "mood")
EVENING_FROM_HOUR = 17
"""From this hour until EVENING_UNTIL_HOUR the default mode is the evening reflection."""
EVENING_UNTIL_HOUR = 4
SHORT_ANSWER_WORDS = 12
"""An answer shorter than this gets a follow-up question before the reflection moves on."""


@dataclass(frozen=True)
class Step:
    """One prompt of the guided reflection."""

    key: str
    prompt: str
    """Asked (as curated text) to open this step."""
    topic: str
    """What a follow-up question should be about, for the model."""
    follow_up: str = "Could you tell me a little more about that?"
    """Asked (as curated text) on a follow-up turn when the model's reply had no question."""
    always_follow_up: bool = False


REFLECT_STEPS = (
    Step("today", "What happened today?", "what happened today", "What stood out most about it?",
         always_follow_up=True),
    Step("feeling", "How did the day feel, overall?", "how the day felt"),
    Step("good", "What went well today, or what are you grateful for?", "what went well or what they are grateful for"),
    Step("hard", "What was hard today?", "what was hard", "What made it feel hard?", always_follow_up=True),
    Step("intention", "What's one intention you'd like to carry into tomorrow?", "their intention for tomorrow"),
)


@dataclass(frozen=True)
class Mode:
    """How a session opens, what the model is told throughout, and how it closes."""

    name: str
    opening: str
    guidance: str
    steps: tuple[Step, ...] = ()
    question_every: int = 1
    """Open modes: the companion may ask a question on every Nth turn only (1: every turn)."""
    summarize: bool = True
    returning_opening: str = ""
    """Said instead of `opening` once the person has finished a session of this mode: the explanation
    is for the first evening, not every evening (and a shorter opening starts the listening sooner)."""
    reply_after_silence_s: float = 0.0
    """Live: a reply waits until the person has been quiet this long. Open journaling is a monologue
    with thinking pauses after whole sentences (which the turn model rightly calls complete), so
    its short reply is prepared at once but heard only after a longer pause, and withheld if the
    person goes on; a guided question's answer is replied to as soon as the turn ends."""


MODES: dict[str, Mode] = {
    "reflect": Mode(
        "reflect",
        "Good evening. Let's look back on your day together, one question at a time. " + REFLECT_STEPS[0].prompt,
        "This is a guided evening reflection: help the person look back on their day.",
        REFLECT_STEPS,
        returning_opening="Good evening. " + REFLECT_STEPS[0].prompt,
    ),
    "free": Mode(
        "free",
        "I'm listening. Say whatever is on your mind, for as long as you like.",
        "This is open journaling: mostly listen. Reflect briefly and let the person keep talking.",
        question_every=3,
        returning_opening="I'm listening.",
        reply_after_silence_s=1.5,
    ),
    "mood": Mode(
        "mood",
        "Quick mood check-in: from zero to ten, how are you feeling right now, and is there a word for it?",
        "This is a quick mood check-in.",
        summarize=False,
        returning_opening="From zero to ten, how are you feeling, and is there a word for it?",
    ),
}


def default_mode(now: datetime | None = None) -> str:
    """The evening reflection in the evening, open journaling the rest of the day."""
    hour = (now or datetime.now()).hour
    return "reflect" if hour >= EVENING_FROM_HOUR or hour < EVENING_UNTIL_HOUR else "free"


def mode_named(name: str | None, now: datetime | None = None) -> Mode:
    """The Mode for a name ('reflect', 'free', 'mood'; None or 'auto' picks by the time of day)."""
    key = default_mode(now) if name in (None, "", "auto") else name
    if key not in MODES:
        raise UserError(f"Unknown mode {name!r}; use one of: {', '.join(MODE_NAMES)}, auto.")
    return MODES[key]


@dataclass(frozen=True)
class TurnPlan:
    """What the companion does with one answer."""

    guidance: str
    """A note for the model about this turn."""
    allow_question: bool
    max_sentences: int
    then: str | None = None
    """Curated words spoken after the model's reflection (the next guided prompt)."""
    then_unless_asked: bool = False
    """Say `then` only when the model's reply asked no question of its own."""


@dataclass
class Flow:
    """Where a session stands in its mode: which step, how many follow-ups, whether it is done."""

    mode: Mode
    step: int = 0
    follow_ups: int = 0
    turns: int = 0
    done: bool = False
    answers: dict[str, list[str]] = field(default_factory=dict)
    returning: bool = False
    """The person has finished a session of this mode before."""

    @property
    def opening(self) -> str:
        return (self.returning and self.mode.returning_opening) or self.mode.opening

    @property
    def current(self) -> Step | None:
        return self.mode.steps[self.step] if self.step < len(self.mode.steps) else None

    def plan(self, user_text: str) -> TurnPlan:
        """Decide this turn: follow up, move on to the next prompt, or close the reflection."""
        self.turns += 1
        step = self.current
        if step is None:
            self.answers.setdefault("open", []).append(user_text)
            return self._open_plan()
        self.answers.setdefault(step.key, []).append(user_text)
        short = len(user_text.split()) < SHORT_ANSWER_WORDS
        if self.follow_ups == 0 and (step.always_follow_up or short) and step.key != "intention":
            self.follow_ups += 1
            return TurnPlan(f"Reflect the feeling you heard in a few words, then ask one gentle follow-up "
                            f"question about {step.topic}.", True, 2, step.follow_up, then_unless_asked=True)
        self.step, self.follow_ups = self.step + 1, 0
        nxt = self.current
        if nxt is None:
            self.done = True
        return TurnPlan("Reflect the feeling you heard in one short sentence. Do not ask a question.",
                        False, 1, nxt.prompt if nxt else None)

    def _open_plan(self) -> TurnPlan:
        ask = self.turns % self.mode.question_every == 0
        if ask:
            return TurnPlan("Reflect the feeling you heard, then ask one open question.", True, 2)
        return TurnPlan("Reflect the feeling you heard in one short sentence. Do not ask a question.", False, 1)

    def forget(self, user_text: str) -> None:
        """Drop an answer the person asked to forget, so no summary repeats it."""
        for said in self.answers.values():
            if user_text in said:
                said.remove(user_text)

    def stop(self) -> None:
        """Leave the script (after a crisis turn the prompts must not go on as if nothing happened)."""
        self.step = len(self.mode.steps)
