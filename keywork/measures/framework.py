"""Quality measures computed in the database, for a period and a scope.

A measure is a handful of conditions on clients:

- the initial population: clients in treatment on some day of the period, in the scope;
- an exclusion: those the measure leaves out (say, alcohol only), unless asked to keep them;
- its steps, each stronger than the one before, the last being the numerator. A client of
  the denominator not in the numerator is not counted for the first step they fail, and that
  step names the reason.

The steps are judged on rows (say, each intervention delivered at a session), each row
passing some number of them in turn; a client passes as many steps in a month as the best of
their rows that month. The database works that out in one pass over the rows
(keywork/measures/runs.py), and the numbers, the breakdowns, the list behind them and the
months are grouped from what it kept. Nothing loops over clients in Python."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import Exists, Expression, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from keywork.access.models import Service, Team, Worker
from keywork.clients.models import Allocation, Client, Episode, PhaseChange
from keywork.core.dates import add_months, uk

if TYPE_CHECKING:
    from keywork.measures.models import Run


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

    def month_name(self) -> str:
        """One of `months()` as a report names it: "October 2026" when it is the whole
        month; its days when the period cuts it ("2 to 30 September 2026", "1 December
        2026"), so that a month of one day is not read as a month."""
        name = f"{self.start:%B %Y}"
        whole = self.start.day == 1 and add_months(self.start, 1) - dt.timedelta(days=1) == self.end
        if whole:
            return name
        if self.start == self.end:
            return f"{self.start.day} {name}"
        return f"{self.start.day} to {self.end.day} {name}"


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
    reason: str  # why a client who fails it is not counted
    code: str


@dataclass(frozen=True)
class Source:
    """Rows the steps are judged on, each with its client, its day and `level`: an
    expression on the row giving how many of the measure's steps it passes."""

    rows: QuerySet[Any]
    client: str
    day: str
    level: Expression


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
    breakdowns: dict[str, list[Tally]] = field(default_factory=dict)
    offered: int | None = None  # those counted or offered it (a measure of an offer)
    reasons: list[tuple[str, str, int]] = field(default_factory=list)  # code, reason, clients
    run: Run | None = None  # where it is kept

    @property
    def not_counted(self) -> list[Subject]:
        """Every client of the denominator not in the numerator, with why (a page of them:
        keywork.measures.runs.not_counted)."""
        from keywork.measures.runs import not_counted

        return not_counted(self)

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


@dataclass(frozen=True)
class Place:
    """Part of where a client is placed: `value` of the latest of `rows` (newest by `latest`)
    of each client (reached through `client`)."""

    rows: QuerySet[Any]
    client: str
    latest: tuple[str, ...]
    value: str

    def of_each(self) -> Subquery:
        """Looked up for each client of an outer query (a correlated subquery)."""
        newest = self.rows.filter(**{self.client: OuterRef("pk")})
        return Subquery(newest.order_by(*(f"-{f}" for f in self.latest)).values(self.value)[:1])

    def of_all(self, clients: QuerySet[Any] | None = None) -> QuerySet[Any]:
        """One row per client (`j_key`, the client; `j_value`), for a join: every client's
        at once, ranked in one pass, rather than looked up client by client. Only of
        `clients` when given."""
        rows = self.rows if clients is None else self.rows.filter(**{f"{self.client}__in": clients})
        ranked = rows.annotate(
            j_rank=Window(
                RowNumber(),
                partition_by=F(self.client),
                order_by=[F(f).desc() for f in self.latest],
            )
        )
        first: QuerySet[Any] = ranked.filter(j_rank=1).order_by()
        return first.values(j_key=F(self.client), j_value=F(self.value))


BREAKDOWNS = ("team", "keyworker", "phase")


class Measure(ABC):
    """The queries a measure is made of; subclasses give `steps` and `sources` and may narrow
    the rest."""

    code: ClassVar[str]
    title: ClassVar[str]
    statement: ClassVar[str]
    excludes: ClassVar[str] = "Nobody."  # the exclusion, in words
    counts: ClassVar[str]  # the numerator, in words
    steps: ClassVar[tuple[Step, ...]]  # towards the numerator, each stronger than the last
    # Reasons that, when they hold for a client not counted, say why better than the first
    # step they fail (QS6: offered and declined); checked first.
    explained_by: ClassVar[tuple[Step, ...]] = ()
    offers: ClassVar[bool] = False  # a measure of what is offered: see `offered`

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

    def in_treatment(self, period: Period, scope: Scope) -> QuerySet[Client]:
        """Clients with an episode of the service in treatment on some day of the period."""
        episodes = self.episodes(period, scope).filter(client=OuterRef("pk"))
        return Client.objects.filter(Exists(episodes))

    def places(self, period: Period, scope: Scope) -> dict[str, Place]:
        """Where each client is placed: the team of their latest episode in the period, and
        the keyworker and phase they had at its end (or when they were last in treatment in
        it), across their episodes in the period: one place per client, so the breakdowns
        add up to the whole."""
        in_period = self.open_in(period, scope, via="episode__")
        return {
            "team": Place(
                self.episodes(period, scope), "client", ("referral_date", "pk"), "team_id"
            ),
            "keyworker": Place(
                Allocation.objects.filter(in_period, started_on__lte=period.end),
                "episode__client",
                ("started_on", "pk"),
                "worker_id",
            ),
            "phase": Place(
                PhaseChange.objects.filter(in_period, changed_on__lte=period.end),
                "episode__client",
                ("changed_on", "pk"),
                "to_phase_id",
            ),
        }

    def population(
        self, period: Period, scope: Scope, among: QuerySet[Client] | None = None
    ) -> QuerySet[Client]:
        """Clients with an episode in the service open on some day of the period (or those
        of `among`, which the caller says are), each with their place (`places`) looked up,
        placed in the team and with the keyworker asked for at the period's end."""
        places = self.places(period, scope)
        found = self.in_treatment(period, scope) if among is None else among
        placed = found.annotate(**{name: place.of_each() for name, place in places.items()})
        return placed.filter(**self.placed_in(scope))

    @staticmethod
    def placed_in(scope: Scope) -> dict[str, int]:
        """The places a scope asks for, as {place: primary key}."""
        asked = {"team": scope.team, "keyworker": scope.keyworker}
        return {name: found.pk for name, found in asked.items() if found is not None}

    def within(self, period: Period, scope: Scope) -> QuerySet[Any] | None:
        """For a team or a keyworker, the clients who may be placed in it at the end of the
        period or of any month in it, so that the rows need not be judged for the whole
        service: those with an episode of the team, or an allocation to the keyworker, open
        in the period (a client's place is one of these). None for the whole service.
        The clients' ids, read from the keyworker's allocations and the team's episodes
        along their indexes: asked of every client in turn (EXISTS), SQLite looked up each
        of the service's clients' allocations to find a keyworker's 45 (184 ms a month at
        30,000 clients)."""
        if scope.team is None and scope.keyworker is None:
            return None
        found: QuerySet[Any] | None = None
        if scope.keyworker is not None:
            found = Allocation.objects.filter(
                self.open_in(period, scope, via="episode__"),
                worker=scope.keyworker,
                started_on__lte=period.end,
            ).values("episode__client")
        if scope.team is not None:
            episodes = self.episodes(period, scope).filter(team=scope.team)
            if found is not None:
                episodes = episodes.filter(client__in=found)
            found = episodes.values("client")
        return found

    def kept(self, period: Period, scope: Scope) -> Exists | Q | None:
        """Who of the population the denominator keeps, when the measure says it as a test
        along the client's episodes in treatment in the period (QS6: a drug among their
        problem substances); None when it keeps everyone, or says who goes by `exclusion`.
        Such a test holds only of clients in treatment, so the denominator asks it alone:
        one look-up a client where the population's own would be a second."""
        return None

    def exclusion(self, period: Period, scope: Scope) -> Q | None:
        """Clients of the population left out of the denominator; None: nobody. By default
        those `kept` does not hold for."""
        kept = self.kept(period, scope)
        return ~Q(kept) if kept is not None else None

    @abstractmethod
    def sources(
        self, period: Period, scope: Scope, clients: QuerySet[Client, Any] | None
    ) -> list[Source]:
        """The rows the steps are judged on, in the period (only of `clients` when given)."""

    def explanations(self, period: Period, scope: Scope) -> dict[str, Q]:
        """Each of `explained_by`'s codes, with the clients it holds for: Q(pk__in=...)."""
        return {}

    def offered(self, period: Period, scope: Scope) -> Q | None:
        """For a measure of what is offered: those offered it, counted or not; None if the
        measure has no such thing."""
        return None

    def denominator(self, period: Period, scope: Scope) -> QuerySet[Client]:
        """The population less the exclusion: as `filter(~excluded)`, so that an exclusion
        written `~Q(Exists(...))` is a plain EXISTS, which the database joins, not
        `NOT (NOT EXISTS ...)`, which PostgreSQL looks up client by client."""
        kept = self.kept(period, scope)
        if kept is not None:
            return self.population(period, scope, among=Client.objects.filter(kept))
        found = self.population(period, scope)
        excluded = self.exclusion(period, scope)
        return found.filter(~excluded) if excluded is not None else found

    def reason_of(self, level: int, explained: str) -> tuple[str, str]:
        """(code, reason) for a client who passed `level` steps ('', '' when counted)."""
        if level >= len(self.steps):
            return "", ""
        for step in self.explained_by:
            if step.code == explained:
                return step.code, step.reason
        return self.steps[level].code, self.steps[level].reason
