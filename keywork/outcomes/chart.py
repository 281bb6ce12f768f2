"""The change in outcome profiles over time, as chart figures for the page's one chart script
(keywork/static/keywork/charts.js): days of use and injecting (0 to 28) and the client's
own ratings (0 to 20), one line per item, with the same figures in a table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from keywork.core.charts import figures
from keywork.core.dates import uk
from keywork.outcomes.models import LABELS, RATINGS, SUBSTANCES, OutcomeProfile


@dataclass(frozen=True)
class Chart:
    id: str  # the canvas's data-chart and the json_script's id
    title: str
    days: list[dt.date]
    series: dict[str, list[Any]]  # item: its value on each day
    top: int

    @property
    def data(self) -> dict[str, Any]:
        return figures("line", [uk(d) for d in self.days], self.series, y_max=self.top)


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
        Chart("outcome-chart-use", "Days in the past four weeks", days, use, 28),
        Chart("outcome-chart-ratings", "The client's own ratings (0 to 20)", days, ratings, 20),
    ]
