"""Quality measures computed in the database, for a period and a scope.

A measure is a handful of conditions on clients, each best written as the set of client ids
it holds for (`Q(pk__in=<query>)`, computed once by the database rather than client by
client):

- the initial population: clients in treatment on some day of the period, in the scope;
- an exclusion: those the measure leaves out (say, alcohol only), unless asked to keep them;
- its steps: conditions, each stronger than the one before, the last being the numerator.
  A client of the denominator not in the numerator is not counted for the first step they
  fail, and that step names the reason.

The framework turns these into the numbers, the breakdowns (one grouped query each) and the
list behind them. Nothing loops over clients in Python."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from keywork.access.models import Service, Team, Worker
from keywork.catalogue.models import Phase
from keywork.clients.models import Allocation, Client, Episode, PhaseChange
from keywork.core.dates import add_months, uk


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def __str__(self) -> str:
        return f"{uk(self.start)} to {uk(self.end)}"

    def months(self) -> list[Period]:
        """The calendar months the period touches, each cut to the period."""
        found = []
        first = self.start.replace(day=1)
        while first <= self.end:
            following = add_months(first, 1)
            found.append(
                Period(max(first, self.start), min(following - dt.timedelta(days=1), self.end))
            )
            first = following
        return found


@dataclass(frozen=True)
class Scope:
    service: Service
    team: Team | None = None
    keyworker: Worker | None = None
    include_alcohol_only: bool = False

    def __str__(self) -> str:
        if self.keyworker is not None:
            return f"keyworker {self.keyworker.name}"
        if self.team is not None:
            return f"team {self.team.name}"
        return f"service {self.service.name}"


@dataclass(frozen=True)
class Step:
    condition: Q | Exists  # on the client: Q(pk__in=...) or Exists(... OuterRef("pk"))
    reason: str  # why a client who fails it is not counted
    code: str


@dataclass(frozen=True)
class Tally:
    key: Any
    label: str
    numerator: int
    denominator: int

    @property
    def proportion(self) -> Decimal | None:
        return proportion(self.numerator, self.denominator)


@dataclass(frozen=True)
class Subject:
    """A client of the denominator; `code` and `reason` say why they are not counted
    (both empty for a client who is)."""

    client: int
    local_id: str
    reason: str
    code: str
    name: str = ""  # filled on the not-counted list, shown to those who may see it
    keyworker: str = ""


@dataclass
class Result:
    measure: Measure
    period: Period
    scope: Scope
    numerator: int
    denominator: int
    excluded: int
    not_counted: list[Subject] = field(default_factory=list)
    breakdowns: dict[str, list[Tally]] = field(default_factory=dict)
    offered: int | None = None  # those counted or offered it (a measure of an offer)

    @property
    def proportion(self) -> Decimal | None:
        return proportion(self.numerator, self.denominator)

    @property
    def offered_proportion(self) -> Decimal | None:
        return None if self.offered is None else proportion(self.offered, self.denominator)


def proportion(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator to four places; None when there is none, or when either is
    withheld from the viewer (a small number, keywork/measures/disclosure.py)."""
    if not denominator or isinstance(numerator, str) or isinstance(denominator, str):
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )


BREAKDOWNS = ("team", "keyworker", "phase")


class Measure(ABC):
    """The queries a measure is made of; subclasses give `steps` and may narrow the rest."""

    code: ClassVar[str]
    title: ClassVar[str]
    statement: ClassVar[str]
    excludes: ClassVar[str] = "Nobody."  # the exclusion, in words
    counts: ClassVar[str]  # the numerator, in words

    def episodes(self, period: Period, scope: Scope) -> QuerySet[Episode]:
        """The service's episodes in treatment on some day of the period (in treatment on the
        discharge day)."""
        return Episode.objects.filter(self.open_in(period, scope))

    @staticmethod
    def open_in(period: Period, scope: Scope, via: str = "") -> Q:
        """An episode (reached through `via`) of the service in treatment on some day of the
        period: from its triage (DOMAIN.md: "someone referred and still waiting for triage is
        not yet in treatment") to its discharge. As a join rather than `episode__in=...`, which
        the databases re-run for every client when it sits inside a correlated subquery."""
        return Q(**{f"{via}service": scope.service, f"{via}triage_date__lte": period.end}) & (
            Q(**{f"{via}discharged_on__isnull": True})
            | Q(**{f"{via}discharged_on__gte": period.start})
        )

    def attributed(self, period: Period, scope: Scope) -> QuerySet[Client]:
        """Clients in treatment in the period, each with the team, keyworker and phase they
        had at its end (or when they were last in treatment in it): one place per client,
        so the breakdowns add up to the whole."""
        episodes = self.episodes(period, scope).filter(client=OuterRef("pk"))
        latest = episodes.order_by("-referral_date", "-pk")
        in_period = self.open_in(period, scope, via="episode__")
        allocations = Allocation.objects.filter(
            in_period, episode__client=OuterRef("pk"), started_on__lte=period.end
        ).order_by("-started_on", "-pk")
        phases = PhaseChange.objects.filter(
            in_period, episode__client=OuterRef("pk"), changed_on__lte=period.end
        ).order_by("-changed_on", "-pk")
        return Client.objects.filter(Exists(episodes)).annotate(
            team=Subquery(latest.values("team_id")[:1]),
            keyworker=Subquery(allocations.values("worker_id")[:1]),
            phase=Subquery(phases.values("to_phase_id")[:1]),
        )

    def population(self, period: Period, scope: Scope) -> QuerySet[Client]:
        """Clients with an episode in the service open on some day of the period, placed in
        the team and with the keyworker asked for at the period's end."""
        found = self.attributed(period, scope)
        if scope.team is not None:
            found = found.filter(**{"team": scope.team.pk})
        if scope.keyworker is not None:
            found = found.filter(**{"keyworker": scope.keyworker.pk})
        return found

    def narrowed_to(self, period: Period, scope: Scope) -> QuerySet[Client, Any] | None:
        """For a team or a keyworker, the population's client ids, so that a step need not
        compute its set for the whole service; None for the whole service."""
        if scope.team is None and scope.keyworker is None:
            return None
        return self.population(period, scope).values("pk")

    def exclusion(self, period: Period, scope: Scope) -> Q | None:
        """Clients of the population left out of the denominator; None: nobody."""
        return None

    @abstractmethod
    def steps(self, period: Period, scope: Scope) -> list[Step]:
        """The conditions towards the numerator, each stronger than the one before."""

    def explanations(self, period: Period, scope: Scope) -> list[Step]:
        """Reasons that, when their condition holds for a client not counted, say why better
        than the first step they fail (QS6: offered and declined); checked first."""
        return []

    def offered(self, period: Period, scope: Scope) -> Q | None:
        """For a measure of what is offered: those offered it, counted or not; None if the
        measure has no such thing."""
        return None

    def denominator(self, period: Period, scope: Scope) -> QuerySet[Client]:
        found = self.population(period, scope)
        excluded = self.exclusion(period, scope)
        return found.exclude(excluded) if excluded is not None else found

    def counted(self, period: Period, scope: Scope) -> QuerySet[Client]:
        return self.denominator(period, scope).annotate(
            counted=self.steps(period, scope)[-1].condition
        )


def compute(measure: Measure, period: Period, scope: Scope, *, detail: bool = True) -> Result:
    """The numbers; with `detail`, the breakdowns and the list of clients not counted."""
    counted = measure.counted(period, scope)
    counts: dict[str, Any] = {
        "denominator": Count("pk"),
        "numerator": Count("pk", filter=Q(counted=True)),
    }
    offered = measure.offered(period, scope) if detail else None
    if offered is not None:
        counted = counted.annotate(offered=offered)
        # not named "offered": an aggregate may not share the annotation's name
        counts["offered_or_counted"] = Count("pk", filter=Q(counted=True) | Q(offered=True))
    numbers = counted.aggregate(**counts)
    population = measure.population(period, scope).count()
    result = Result(
        measure=measure,
        period=period,
        scope=scope,
        numerator=numbers["numerator"],
        denominator=numbers["denominator"],
        excluded=population - numbers["denominator"],
        offered=numbers.get("offered_or_counted"),
    )
    if detail:
        result.not_counted = not_counted(measure, period, scope)
        result.breakdowns = {name: breakdown(measure, period, scope, name) for name in BREAKDOWNS}
        result.breakdowns["month"] = by_month(measure, period, scope)
    return result


REASON = "reason"  # the annotation naming the first step a client fails


def _reasoned(measure: Measure, period: Period, scope: Scope) -> tuple[QuerySet[Client], str]:
    """The denominator, each client with the code of the first step they fail ('' when
    counted), and the name of the numerator's annotation."""
    steps = measure.steps(period, scope)
    explanations = measure.explanations(period, scope)
    passed = {f"step_{n}": step.condition for n, step in enumerate(steps)}
    explained = {f"explained_{n}": e.condition for n, e in enumerate(explanations)}
    last = f"step_{len(steps) - 1}"
    found = (
        measure.denominator(period, scope)
        .annotate(**passed, **explained)
        .annotate(
            **{
                REASON: Case(
                    *[
                        When(Q(**{last: False, f"explained_{n}": True}), then=Value(e.code))
                        for n, e in enumerate(explanations)
                    ],
                    *[
                        When(**{f"step_{n}": False}, then=Value(s.code))
                        for n, s in enumerate(steps)
                    ],
                    default=Value(""),
                    output_field=CharField(),
                )
            }
        )
        .order_by("local_id")
    )
    return found, f"step_{len(steps) - 1}"


def _reasons(measure: Measure, period: Period, scope: Scope) -> dict[str, str]:
    steps = [*measure.explanations(period, scope), *measure.steps(period, scope)]
    return {step.code: step.reason for step in steps}


def not_counted(measure: Measure, period: Period, scope: Scope) -> list[Subject]:
    """Every client of the denominator not in the numerator, with the first step failed."""
    found, numerator = _reasoned(measure, period, scope)
    rows = list(
        found.filter(**{numerator: False}).values_list(
            "pk", "local_id", REASON, "preferred_name", "given_name", "family_name", "keyworker"
        )
    )
    reasons = _reasons(measure, period, scope)
    workers = Worker.objects.select_related("user").in_bulk({row[6] for row in rows if row[6]})
    return [
        Subject(
            pk,
            local_id,
            reasons[code],
            code,
            name=f"{preferred or given} {family}",
            keyworker=workers[kw].name if kw in workers else "",
        )
        for pk, local_id, code, preferred, given, family, kw in rows
    ]


def subjects(measure: Measure, period: Period, scope: Scope) -> list[Subject]:
    """Every client of the denominator, counted or not: the subject list."""
    found, _ = _reasoned(measure, period, scope)
    reasons = _reasons(measure, period, scope)
    return [
        Subject(pk, local_id, reasons.get(code, ""), code)
        for pk, local_id, code in found.values_list("pk", "local_id", REASON)
    ]


def breakdown(measure: Measure, period: Period, scope: Scope, by: str) -> list[Tally]:
    rows = (
        measure.counted(period, scope)
        .values(by)
        .annotate(den=Count("pk"), num=Count("pk", filter=Q(counted=True)))
        .order_by(by)
    )
    labels = _labels(by, [row[by] for row in rows])
    return [
        Tally(row[by], labels.get(row[by], "not recorded"), row["num"], row["den"]) for row in rows
    ]


def _labels(by: str, keys: list[Any]) -> dict[Any, str]:
    if by == "team":
        return dict(Team.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "phase":
        return dict(Phase.objects.filter(pk__in=keys).values_list("pk", "name"))
    return {w.pk: w.name for w in Worker.objects.filter(pk__in=keys).select_related("user")}


def by_month(measure: Measure, period: Period, scope: Scope) -> list[Tally]:
    """The measure over each month of the period: one aggregate query a month."""
    found = []
    for month in period.months():
        result = compute(measure, month, scope, detail=False)
        found.append(
            Tally(
                month.start.strftime("%Y-%m"),
                f"{month.start:%B %Y}",
                result.numerator,
                result.denominator,
            )
        )
    return found
