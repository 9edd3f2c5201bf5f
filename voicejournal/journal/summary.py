"""A short weekly look back, computed locally without an LLM: mood trend, themes, what helped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from voicejournal.journal.charts import daily
from voicejournal.journal.export import all_moods, iter_turns
from voicejournal.journal.themes import themes

_HELPED = re.compile(
    r"(?:^|[.,;!?]\s*|\b(?:and|but|so)\s+)((?:the |a |an |my |some |going |taking |having )?[\w' -]{2,40}?)\s+"
    r"(?:really |actually |kind of |totally )?(?:helped|helps|made me feel better|calmed me down|cheered me up|"
    r"was good for me|lifted my mood)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class WeekSummary:
    """The week's figures and the sentences that describe them."""

    sessions: int
    turns: int
    mood_mean: float | None
    previous_mean: float | None
    trend: str
    top_tags: tuple[str, ...]
    themes: tuple[str, ...]
    helped: tuple[str, ...]
    crisis_events: int

    def lines(self) -> list[str]:
        if not self.sessions and self.mood_mean is None:
            return ["Nothing logged this week yet."]
        out = [f"{self.sessions} session{'s' * (self.sessions != 1)}, {self.turns} thing{'s' * (self.turns != 1)} said."]
        if self.mood_mean is not None:
            out.append(f"Mood averaged {self.mood_mean:.1f}/10 ({self.trend}).")
        if self.top_tags:
            out.append(f"Feelings named most: {', '.join(self.top_tags)}.")
        if self.themes:
            out.append(f"Recurring themes: {', '.join(self.themes)}.")
        if self.helped:
            out.append(f"What seemed to help: {'; '.join(self.helped)}.")
        if self.crisis_events:
            out.append(f"{self.crisis_events} difficult moment{'s' * (self.crisis_events != 1)} flagged — "
                       "worth bringing to someone you trust.")
        return out


def week_summary(this_week: dict[str, Any], last_week: dict[str, Any]) -> WeekSummary:
    """Summarise one export (this week) against the one before it."""
    mean, before = _mean(this_week), _mean(last_week)
    tag_counts: dict[str, int] = {}
    for mood in all_moods(this_week):
        for tag in mood["tags"]:
            tag_counts[tag] = tag_counts.get(tag, 0) + 1
    texts = [t["user_text"] for t in iter_turns(this_week)] + [m["note"] or "" for m in all_moods(this_week)]
    return WeekSummary(
        sessions=len(this_week["sessions"]),
        turns=sum(len(s["turns"]) for s in this_week["sessions"]),
        mood_mean=mean, previous_mean=before, trend=_trend(this_week, mean, before),
        top_tags=tuple(sorted(tag_counts, key=lambda t: (-tag_counts[t], t))[:3]),
        themes=tuple(w for w, _ in themes(texts, top=5)),
        helped=tuple(what_helped(texts)[:3]),
        crisis_events=sum(1 for s in this_week["sessions"] for e in s["crisis_events"] if e["level"] != "none"),
    )


def what_helped(texts: list[str]) -> list[str]:
    """Phrases like 'the walk' from 'the walk really helped', most recent mention last, no repeats."""
    found: list[str] = []
    for text in texts:
        for match in _HELPED.finditer(text):
            phrase = " ".join(match.group(1).split()).strip(" -").lower()
            if phrase and phrase not in found and phrase not in {"it", "that", "this", "nothing", "what"}:
                found.append(phrase)
    return found


def _mean(data: dict[str, Any]) -> float | None:
    scores = [m["score"] for m in all_moods(data) if m["score"] is not None]
    return sum(scores) / len(scores) if scores else None


def _trend(data: dict[str, Any], mean: float | None, before: float | None) -> str:
    if mean is None:
        return "no scores"
    if before is not None:
        delta = mean - before
        if abs(delta) < 0.5:
            return f"steady against {before:.1f} the week before"
        return f"{'up' if delta > 0 else 'down'} from {before:.1f} the week before"
    points = [p for p in daily(all_moods(data)) if p.score is not None]
    if len(points) >= 2:
        half = len(points) // 2
        first = sum(p.score for p in points[:half]) / half
        last = sum(p.score for p in points[half:]) / (len(points) - half)
        if abs(last - first) >= 0.5:
            return "rising through the week" if last > first else "falling through the week"
    return "steady through the week"


