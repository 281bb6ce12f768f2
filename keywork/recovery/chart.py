"""Recovery capital over time, as chart figures for the page's one chart script
(keywork/static/keywork/charts.js): each domain's score at each check, one line per domain,
with the same figures in a table. Checks taken with different instruments are charted
apart: their domains are not the same."""

from __future__ import annotations

from keywork.outcomes.chart import Chart
from keywork.recovery.models import Check


def charts_of(checks: list[Check]) -> list[Chart]:
    """A chart per instrument over the checks not in error, oldest first."""
    shown = [c for c in checks if not c.in_error]
    charts = []
    for code in dict.fromkeys(c.instrument.code for c in shown):
        taken = [c for c in shown if c.instrument.code == code]
        instrument = taken[-1].instrument
        series = {
            d["name"]: [
                float(c.scores[d["code"]]) if d["code"] in c.scores else None for c in taken
            ]
            for d in instrument.domains
        }
        charts.append(
            Chart(
                f"recovery-chart-{code}",
                f"{instrument.name}: each domain, 0 to {instrument.top}",
                [c.taken_on for c in taken],
                series,
                instrument.top,
            )
        )
    return charts


def rows_of(checks: list[Check]) -> list[tuple[str, list[object]]]:
    """The table of every domain and statement over time: one column per check."""
    if not checks:
        return []
    domains = checks[-1].instrument.domains
    rows: list[tuple[str, list[object]]] = []
    for d in domains:
        rows.append((d["name"], [c.scores.get(d["code"]) for c in checks]))
        for item in d["items"]:
            rows.append((f"· {item['text']}", [c.answers.get(item["code"]) for c in checks]))
    rows.append(("Total", [c.total for c in checks]))
    return rows
