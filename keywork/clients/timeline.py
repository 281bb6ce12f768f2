"""A client's timeline, gathered from every app that keeps part of the record: each domain
app's `timeline.py` has `entries(episodes)`, reading its records of those episodes in a fixed
number of queries and returning them as `Entry`s, each drawn by the app's own template.
The client record page (keywork/overview) finds them all and puts them in order. This
module holds the clients app's own entries: keyworkers, phase moves and discharges."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from keywork.clients.models import Allocation, Episode, PhaseChange

# Within one day, the order things happen in (the page shows the latest first), by kind.
ORDER = {
    "allocation": 10,
    "phase": 20,
    "assessment": 30,
    "outcomes": 40,
    "care_plan": 50,
    "intervention": 60,
    "dose": 70,
    "session": 80,
    "intervention_end": 90,
    "prescription_end": 100,
    "referral": 110,
    "review": 120,
    "discharge": 130,
    "checkup": 140,
    "map": 85,
    "check": 45,
}


@dataclass(frozen=True)
class Entry:
    """One thing on a client's record: what kind, on which day (None: not happened yet, such
    as a check-up still due; kept for the summary, not shown on the timeline), the record
    itself and the template that draws it (given `item`)."""

    kind: str
    day: dt.date | None
    item: Any
    template: str
    at: dt.time | None = None  # the time of day, for what has one (a session)

    @property
    def order(self) -> tuple[dt.date, dt.time, int]:
        """By day, then by time (what has no time first in the day), then by kind."""
        assert self.day is not None
        return self.day, self.at or dt.time.min, ORDER[self.kind]


def entry(app: str, kind: str, day: dt.date | None, item: Any, at: dt.time | None = None) -> Entry:
    return Entry(kind, day, item, f"{app}/timeline/{kind}.html", at)


def ids(episodes: Sequence[Episode]) -> list[int]:
    """By id: each history table is read through its index."""
    return [e.pk for e in episodes]


def entries(episodes: Sequence[Episode]) -> list[Entry]:
    found = ids(episodes)
    allocations = Allocation.objects.filter(episode_id__in=found).select_related(
        "worker__user", "decided_by"
    )
    moves = PhaseChange.objects.filter(episode_id__in=found).select_related(
        "from_phase", "to_phase", "decided_by"
    )
    return (
        [entry("clients", "allocation", a.started_on, a) for a in allocations]
        + [entry("clients", "phase", m.changed_on, m) for m in moves]
        + [entry("clients", "discharge", e.discharged_on, e) for e in episodes if e.discharged_on]
    )
