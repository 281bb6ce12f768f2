"""The change in outcome profiles over time, drawn on the server as SVG: days of use and
injecting (0 to 28) and the client's own ratings (0 to 20), one line per item."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from keywork.outcomes.models import LABELS, RATINGS, SUBSTANCES, OutcomeProfile

WIDTH, HEIGHT = 560, 200
LEFT, RIGHT, TOP, BOTTOM = 32, 16, 10, 26


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int
    day: dt.date


@dataclass(frozen=True)
class Line:
    label: str
    points: list[Point]

    @property
    def path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True)
class Chart:
    title: str
    top: int
    lines: list[Line]
    x_ticks: list[tuple[float, dt.date, str]]
    y_ticks: list[tuple[float, int]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: float = HEIGHT - BOTTOM
    right: float = WIDTH - RIGHT


def x_of(day: dt.date, first: dt.date, last: dt.date) -> float:
    span = (last - first).days
    if span == 0:
        return (LEFT + WIDTH - RIGHT) / 2
    return LEFT + (WIDTH - LEFT - RIGHT) * (day - first).days / span


def y_of(value: int, top: int) -> float:
    return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * value / top


def anchor(day: dt.date, days: list[dt.date]) -> str:
    """How a date's label sits on its tick: inside the plot at either end."""
    if len(set(days)) == 1:
        return "middle"
    return "start" if day == days[0] else "end" if day == days[-1] else "middle"


def chart(title: str, top: int, series: dict[str, list[int]], days: list[dt.date]) -> Chart:
    first, last = days[0], days[-1]
    lines = [
        Line(
            label,
            [
                Point(x_of(day, first, last), y_of(value, top), value, day)
                for day, value in zip(days, values, strict=True)
            ],
        )
        for label, values in series.items()
    ]
    step = 7 if top == 28 else 5
    return Chart(
        title=title,
        top=top,
        lines=lines,
        x_ticks=[(x_of(day, first, last), day, anchor(day, days)) for day in days],
        y_ticks=[(y_of(v, top), v) for v in range(0, top + 1, step)],
    )


def charts_of(profiles: list[OutcomeProfile]) -> list[Chart]:
    """Two charts over the profiles not in error, oldest first; none without a profile."""
    shown = [p for p in profiles if not p.in_error]
    if not shown:
        return []
    days = [p.taken_on for p in shown]
    use = {
        label: [p.days_used(group) for p in shown]
        for group, (label, _) in SUBSTANCES.items()
        if any(p.days_used(group) for p in shown)
    }
    if any(p.injecting_days for p in shown):
        use["Injecting"] = [p.injecting_days for p in shown]
    ratings = {LABELS[name]: [getattr(p, name) for p in shown] for name in RATINGS}
    return [
        chart("Days in the past four weeks", 28, use, days),
        chart("The client's own ratings (0 to 20)", 20, ratings, days),
    ]
