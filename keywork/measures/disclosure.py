"""Small numbers. A commissioner sees the service's figures, never who is behind them; a
count of one to four people could point at someone, so it is shown as "fewer than 5"
(KEYWORK_SMALL_NUMBER), on the pages and in every download. What would give such a count
away is withheld with it:

- a proportion whose numerator or denominator is withheld;
- a numerator whose complement (the clients in the denominator not counted) is small, since
  the denominator less the numerator would say it;
- an average of the outcome ratings of fewer than five clients.

Zero is shown: it points at no one. Those who see the clients themselves (practitioners,
managers) see every figure as it is."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar, cast

from django.conf import settings

from keywork.measures.dashboard import Dashboard, Figure
from keywork.measures.framework import Result, Tally

T = TypeVar("T")


class Hidden(str):
    """A figure withheld from the viewer. Never a number, so it cannot be added up."""


class Fewer(Hidden):
    """A small count: "fewer than 5"."""

    def __new__(cls) -> Fewer:
        return super().__new__(cls, f"fewer than {settings.KEYWORK_SMALL_NUMBER}")


class Withheld(Hidden):
    """A count that is not small itself but would give a small one away."""

    def __new__(cls) -> Withheld:
        return super().__new__(cls, "withheld (small numbers)")


def small(n: int) -> bool:
    limit: int = settings.KEYWORK_SMALL_NUMBER
    return 0 < n < limit


def count(n: int) -> int:
    """The count, or "fewer than 5" in its place (typed as the count it stands for)."""
    return cast(int, Fewer()) if small(n) else n


def withheld(value: object) -> bool:
    return isinstance(value, Hidden)


def total(*counts: int) -> int:
    """A sum of counts, withheld if any of them is."""
    if any(withheld(n) for n in counts):
        return cast(int, Withheld())
    return sum(counts)


def pair(numerator: int, denominator: int) -> tuple[int, int]:
    """A numerator and its denominator as a commissioner may see them: when the clients not
    counted are few, the numerator would say how many, so it is withheld too."""
    if not small(numerator) and small(denominator - numerator):
        return cast(int, Withheld()), count(denominator)
    return count(numerator), count(denominator)


def tally(t: Tally) -> Tally:
    numerator, denominator = pair(t.numerator, t.denominator)
    return dataclasses.replace(t, numerator=numerator, denominator=denominator)


def result(found: Result) -> Result:
    """The measure's result as a commissioner may see it."""
    numerator, denominator = pair(found.numerator, found.denominator)
    offered = None if found.offered is None else pair(found.offered, found.denominator)[0]
    return dataclasses.replace(
        found,
        numerator=numerator,
        denominator=denominator,
        offered=offered,
        excluded=count(found.excluded),
        breakdowns={name: [tally(t) for t in ts] for name, ts in found.breakdowns.items()},
    )


def reasons(counted: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    return [(code, reason, count(n)) for code, reason, n in counted]


def _figure(f: Figure) -> Figure:
    if f.of is None:
        return dataclasses.replace(f, value=count(f.value))
    value, of = pair(f.value, f.of)
    return dataclasses.replace(f, value=value, of=of)


def board(found: Dashboard) -> Dashboard:
    """The dashboard as a commissioner may see it."""
    few = small(found.outcome_clients)
    few_recovered = small(found.recovery_clients)
    return dataclasses.replace(
        found,
        now=[_figure(f) for f in found.now],
        in_period=[_figure(f) for f in found.in_period],
        phases=[(code, name, count(n)) for code, name, n in found.phases],
        flow=[(a, b, c, d, count(n)) for a, b, c, d, n in found.flow],
        mix=[(code, name, count(n)) for code, name, n in found.mix],
        outcomes=[
            (f, label, None if few else s, None if few else t, count(b))
            for f, label, s, t, b in found.outcomes
        ],
        outcome_clients=count(found.outcome_clients),
        recovery=[
            (f, label, None if few_recovered else s, None if few_recovered else t, count(b))
            for f, label, s, t, b in found.recovery
        ],
        recovery_clients=count(found.recovery_clients),
    )


def numbers(values: list[Any]) -> list[Any]:
    """Chart data: a withheld count is no point on the chart."""
    return [None if withheld(v) else v for v in values]
