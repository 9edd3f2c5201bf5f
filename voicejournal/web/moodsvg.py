"""The mood chart as inline SVG drawn on the server: no script, no image request, styled by the CSS."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from markupsafe import Markup, escape

from voicejournal.journal.charts import DailyMood

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 34, 626, 14, 206
"""The plot area inside the view box; below it sit the day labels and the quiet event marks."""


def mood_svg(points: list[DailyMood], averages: list[float | None], marked: set[date],
             start: date | None = None, end: date | None = None) -> Markup:
    """Daily mood dots, the 7-day average line, and small marks on days a hard moment was noted.

    The x axis spans start..end (the chosen range) so gaps without entries show as gaps.
    """
    days = [p.day for p in points] + sorted(marked)
    if not days:
        return Markup("")
    first, last = min([*days, *([start] if start else [])]), max([*days, *([end] if end else [])])
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return LEFT + (RIGHT - LEFT) * ((day - first).days / span if first != last else 0.5)

    def y(score: float) -> float:
        return BOTTOM - (BOTTOM - TOP) * score / 10

    scored = [p for p in points if p.score is not None]
    parts = [_grid(y), _axis(first, last, x)]
    if scored:
        parts.append(_line("daily", [(x(p.day), y(p.score or 0)) for p in scored]))
    avg = [(x(p.day), y(a)) for p, a in zip(points, averages) if a is not None]
    if len(avg) > 1:
        parts.append(_line("average", avg))
    parts += [_dot(x(p.day), y(p.score or 0), _dot_label(p)) for p in scored]
    parts += [_mark(x(day), day) for day in sorted(marked)]
    summary = _summary(scored, first, last, len(marked))
    return Markup(
        f'<svg class="mood-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc"'
        f' preserveAspectRatio="xMidYMid meet"><title id="chart-title">Mood from {first} to {last}</title>'
        f'<desc id="chart-desc">{escape(summary)}</desc>{"".join(parts)}</svg>'
    )


def _grid(y: Callable[[float], float]) -> str:
    out = []
    for score in (0, 5, 10):
        pos = y(score)
        out.append(f'<line class="grid" x1="{LEFT}" x2="{RIGHT}" y1="{pos:.1f}" y2="{pos:.1f}"/>'
                   f'<text class="label" x="{LEFT - 6}" y="{pos + 4:.1f}" text-anchor="end">{score}</text>')
    return "".join(out)


def _axis(first: date, last: date, x: Callable[[date], float]) -> str:
    labels = {first, last}
    out = []
    for day in sorted(labels):
        anchor = "start" if day == first and first != last else ("end" if day == last and first != last else "middle")
        out.append(f'<text class="label" x="{x(day):.1f}" y="{BOTTOM + 40}" text-anchor="{anchor}">'
                   f'{day.strftime("%b %-d")}</text>')
    return "".join(out)


def _line(kind: str, xy: list[tuple[float, float]]) -> str:
    points = " ".join(f"{px:.1f},{py:.1f}" for px, py in xy)
    return f'<polyline class="{kind}" points="{points}"/>'


def _dot(px: float, py: float, label: str) -> str:
    return f'<circle class="dot" cx="{px:.1f}" cy="{py:.1f}" r="4"><title>{escape(label)}</title></circle>'


def _mark(px: float, day: date) -> str:
    """A small, quiet tick under the axis: noted, not alarming."""
    return (f'<g class="event"><circle cx="{px:.1f}" cy="{BOTTOM + 16}" r="3"/>'
            f'<title>{day.isoformat()}: a hard moment was noted</title></g>')


def _dot_label(point: DailyMood) -> str:
    tags = f" ({', '.join(point.tags)})" if point.tags else ""
    return f"{point.day.isoformat()}: mood {point.score:.1f}{tags}"


def _summary(scored: list[DailyMood], first: date, last: date, marked: int) -> str:
    if not scored:
        return f"No mood scores between {first} and {last}."
    mean = sum(p.score or 0 for p in scored) / len(scored)
    text = f"{len(scored)} days with a mood score, averaging {mean:.1f} out of 10; the line is the 7-day average."
    return text + (f" {marked} days have a small mark where a hard moment was noted." if marked else "")
