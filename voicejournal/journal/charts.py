"""Mood over time: daily means, a 7-day average, a terminal sparkline and a PNG chart."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable

from voicejournal.errors import UserError
from voicejournal.journal.dates import local_day

BARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class DailyMood:
    """Mean mood score of one local day (None when only tags were logged), with its tags."""

    day: date
    score: float | None
    count: int
    tags: tuple[str, ...]


def daily(moods: Iterable[dict[str, Any]]) -> list[DailyMood]:
    """Group mood rows (export dicts) into days, oldest first."""
    scores: dict[date, list[float]] = defaultdict(list)
    tags: dict[date, list[str]] = defaultdict(list)
    days: set[date] = set()
    for mood in moods:
        day = local_day(mood["created_at"])
        days.add(day)
        if mood["score"] is not None:
            scores[day].append(float(mood["score"]))
        tags[day] += [t for t in mood["tags"] if t not in tags[day]]
    return [DailyMood(d, sum(scores[d]) / len(scores[d]) if scores[d] else None, len(scores[d]), tuple(tags[d]))
            for d in sorted(days)]


def rolling_mean(points: list[DailyMood], window_days: int = 7) -> list[float | None]:
    """Mean of the scored days within the window ending at each point's day."""
    out: list[float | None] = []
    for point in points:
        start = point.day - timedelta(days=window_days - 1)
        inside = [p.score for p in points if start <= p.day <= point.day and p.score is not None]
        out.append(sum(inside) / len(inside) if inside else None)
    return out


def sparkline(values: Iterable[float | None]) -> str:
    """0-10 scores as block characters; a gap is a space."""
    return "".join(" " if v is None else BARS[min(len(BARS) - 1, int(v / 10 * len(BARS)))] for v in values)


def write_chart(points: list[DailyMood], path: Path) -> int:
    """Write a PNG of daily mood, its 7-day average and tag counts; returns the number of daily points drawn."""
    scored = [p for p in points if p.score is not None]
    if not scored:
        raise UserError("No mood scores to chart yet; log one with `voicejournal mood 6`.")
    plt = _pyplot()
    avg = [a for p, a in zip(points, rolling_mean(points)) if p.score is not None]
    tag_counts = Counter(t for p in points for t in p.tags).most_common(8)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), height_ratios=(3, 1.4))
    try:
        top.plot([p.day for p in scored], [p.score for p in scored], "o-", color="#4a7bb7", label="daily mood")
        top.plot([p.day for p in scored], avg, "-", color="#d98c3a", linewidth=2.5, label="7-day average")
        top.set_ylim(0, 10)
        top.set_ylabel("mood (0-10)")
        top.legend(loc="lower left")
        top.grid(alpha=0.3)
        fig.autofmt_xdate()
        if tag_counts:
            bottom.barh([t for t, _ in tag_counts][::-1], [n for _, n in tag_counts][::-1], color="#8fb996")
            bottom.set_xlabel("days with tag")
        else:
            bottom.set_axis_off()
        fig.tight_layout()
        fig.savefig(path, format="png", dpi=100, metadata={"Description": f"voicejournal mood chart; points={len(scored)}"})
    finally:
        plt.close(fig)
    return len(scored)


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UserError("Charts need matplotlib: pip install 'matplotlib>=3.8' (or `pip install voicejournal[charts]`).") from None
    return plt
