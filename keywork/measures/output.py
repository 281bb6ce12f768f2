"""A measure's result as JSON and CSV, the same for the page's downloads and the command.
Without identities (a commissioner) the list behind the numbers is given as counts by
reason, with no client in it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from keywork.measures import disclosure
from keywork.measures.framework import Result, Tally

CSV_COLUMNS = ("part", "key", "label", "numerator", "denominator", "proportion", "reason")


def _proportion(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _tally(tally: Tally) -> dict[str, Any]:
    return {
        "key": tally.key,
        "label": tally.label,
        "numerator": tally.numerator,
        "denominator": tally.denominator,
        "proportion": _proportion(tally.proportion),
    }


def reasons_counted(result: Result, *, identities: bool = True) -> list[tuple[str, str, int]]:
    """(code, reason, clients) for each reason, in the measure's order of steps; without
    identities, a small count withheld."""
    return result.reasons if identities else disclosure.reasons(result.reasons)


def as_json(result: Result, *, identities: bool) -> dict[str, Any]:
    found: dict[str, Any] = {
        "measure": result.measure.code,
        "title": result.measure.title,
        "period": {"from": result.period.start.isoformat(), "to": result.period.end.isoformat()},
        "scope": {
            "service": result.scope.service.code,
            "team": result.scope.team.code if result.scope.team else None,
            "keyworker": result.scope.keyworker.user.username if result.scope.keyworker else None,
            "include_alcohol_only": result.scope.include_alcohol_only,
        },
        "numerator": result.numerator,
        "denominator": result.denominator,
        "proportion": _proportion(result.proportion),
        "offered": result.offered,
        "offered_proportion": _proportion(result.offered_proportion),
        "excluded": result.excluded,
        "breakdowns": {
            name: [_tally(t) for t in tallies] for name, tallies in result.breakdowns.items()
        },
        "not_counted_by_reason": [
            {"code": code, "reason": reason, "clients": n}
            for code, reason, n in reasons_counted(result, identities=identities)
        ],
    }
    if identities:
        found["not_counted"] = [
            {"client": row.local_id, "reason": row.reason, "code": row.code}
            for row in result.not_counted
        ]
    return found


def as_csv(result: Result, *, identities: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    total = Tally("all", str(result.scope), result.numerator, result.denominator)
    rows = [("total", total)]
    if result.offered is not None:
        rows.append(
            ("offered", Tally("all", str(result.scope), result.offered, result.denominator))
        )
    rows += [(name, tally) for name, tallies in result.breakdowns.items() for tally in tallies]
    for part, tally in rows:
        writer.writerow(
            (
                part,
                tally.key,
                tally.label,
                tally.numerator,
                tally.denominator,
                tally.proportion if tally.proportion is not None else "",
                "",
            )
        )
    if identities:
        for row in result.not_counted:
            writer.writerow(("not_counted", row.local_id, "", "", "", "", row.reason))
    else:
        for code, reason, n in reasons_counted(result, identities=False):
            writer.writerow(("not_counted_by_reason", code, "", "", n, "", reason))
    return out.getvalue()
