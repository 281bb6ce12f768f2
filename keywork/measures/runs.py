"""A measure computed once for a period and a scope, and kept (keywork/measures/models.py).

Three statements do the work, each `INSERT ... SELECT`, so no client passes through Python:

1. the levels: one pass over the measure's rows, grouped by client and month, keeping the
   most steps any of a client's rows passed that month;
2. the rows: every client of the population with their team, keyworker and phase, whether
   they are excluded, the most steps they passed in the period (from 1) and any explanation;
   on PostgreSQL the places and the steps each grouped once for all clients and joined,
   on SQLite looked up client by client (each the faster there);
3. the months: each month's denominator, counted against the levels of that month.

The numbers, the breakdowns, the reasons and the list behind them are then grouped from the
rows, and a page of the list is read as it is shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from keywork.access.models import Worker, worker_name
from keywork.audit.trail import last_change
from keywork.clients.models import Client
from keywork.core.writes import bulk_write, insert_joined, insert_select
from keywork.measures.framework import (
    BREAKDOWNS,
    Measure,
    Period,
    Result,
    Scope,
    Source,
    Subject,
    Tally,
)
from keywork.measures.models import Level, Row, Run
from keywork.measures.registry import MEASURES


class MonthOf(TruncMonth):
    """The first day of a date's month. On SQLite as text (a date there is 'YYYY-MM-DD'),
    which is several times faster than TruncMonth's function called for every row."""

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        sql, params = compiler.compile(self.lhs)
        return f"substr({sql}, 1, 7) || '-01'", params


def scope_of(run: Run) -> Scope:
    return Scope(run.service, run.team, run.keyworker, run.include_alcohol_only)


def period_of(run: Run) -> Period:
    return Period(run.start, run.end)


def asked(measure: Measure, period: Period, scope: Scope) -> Run:
    """A run waiting to be computed."""
    with bulk_write():
        return Run.objects.create(**_report(measure.code, period, scope))


# PostgreSQL orders the joins of a statement of up to this many tables as it sees best.
# Its default, 8, is fewer than the pass joins (the attendance, its session, interventions,
# their entry, its parent and tier, the episode, the allocation of the day, and a team's or
# a keyworker's clients): beyond 8 it keeps the joins in the order written, and judged every
# attended session of the service before it kept a keyworker's 45 clients' (843 ms, where
# the keyworker's alone took 44 at 30,000 clients). The documentation: "Setting this value
# to geqo_threshold or more may trigger use of the GEQO planner" (12 by default), so 11.
JOINS_PLANNED = 11


@contextmanager
def _written() -> Iterator[None]:
    """A step of the work: in one transaction, its joins ordered by PostgreSQL's planner."""
    with bulk_write():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL join_collapse_limit = {JOINS_PLANNED}")
                cursor.execute(f"SET LOCAL from_collapse_limit = {JOINS_PLANNED}")
        yield


def work(run: Run) -> Run:
    """Compute the run; a failure is kept on it (and raised)."""
    measure = MEASURES[run.measure]
    period, scope = period_of(run), scope_of(run)
    run.moved_on(Run.State.RUNNING, "judging each client's sessions", data_as_of=last_change())
    try:
        clients = measure.within(period, scope)  # a team's or a keyworker's; None: all
        sources = measure.sources(period, scope, clients)
        with _written():
            _levels(run, sources)
        run.moved_on(Run.State.RUNNING, "placing each client")
        with _written():
            _rows(run, measure, period, scope, clients)
        run.moved_on(Run.State.RUNNING, "counting each month")
        with _written():
            months = _months(run, measure, period, scope, clients)
        with _written():
            Level.objects.filter(run=run).delete()
            _forget_older(run)
    except Exception as error:
        run.moved_on(Run.State.FAILED, error=str(error)[:500])
        raise
    run.moved_on(Run.State.RUNNING, "grouping the figures", months=months)
    run.moved_on(Run.State.DONE, summary=summary_of(run), computed_at=timezone.now())
    return run


def kept(measure: Measure, period: Period, scope: Scope) -> Run | None:
    """The latest run asked for this report: computed, or on its way."""
    return (
        Run.objects.filter(_same(measure.code, period, scope))
        .select_related("service", "team", "keyworker__user")
        .order_by("-asked_at", "-pk")
        .first()
    )


def changed_since(run: Run) -> bool:
    """Whether a change has been recorded since the run read the data."""
    return last_change() != run.data_as_of


def _same(code: str, period: Period, scope: Scope) -> Q:
    return Q(**_report(code, period, scope))


def _report(code: str, period: Period, scope: Scope) -> dict[str, Any]:
    """Which report a run is of: the measure, the period and the scope."""
    return {
        "measure": code,
        "start": period.start,
        "end": period.end,
        "service": scope.service,
        "team": scope.team,
        "keyworker": scope.keyworker,
        "include_alcohol_only": scope.include_alcohol_only,
    }


KEPT_FOR = dt.timedelta(days=7)  # a result no one has asked again for in a week goes


def _forget_older(run: Run) -> None:
    """A newer result for the same report replaces the older ones; and any result asked for
    more than KEPT_FOR ago goes, so that the kept rows do not grow with every period and
    scope ever asked for."""
    same = _same(run.measure, period_of(run), scope_of(run))
    stale = Q(asked_at__lt=timezone.now() - KEPT_FOR)
    older = Run.objects.filter(same | stale, state__in=[Run.State.DONE, Run.State.FAILED])
    older = older.exclude(pk=run.pk)
    Row.objects.filter(run__in=older).delete()
    Level.objects.filter(run__in=older).delete()  # a run that failed half way
    older.delete()


def _levels(run: Run, sources: list[Source]) -> None:
    for source in sources:
        grouped = (
            source.rows.order_by()
            .values(c_client=F(source.client), c_month=MonthOf(source.day))
            .annotate(c_level=Max(source.level), c_run=Value(run.pk))
        )
        insert_select(Level, grouped)


def _rows(
    run: Run, measure: Measure, period: Period, scope: Scope, clients: QuerySet[Any] | None
) -> None:
    """Every client in treatment, with their place, the most steps they passed in the
    period, and whether they are excluded, offered or explained."""
    excluded = measure.exclusion(period, scope)
    explained = [
        When(q, then=Value(code)) for code, q in measure.explanations(period, scope).items()
    ]
    columns = {
        "c_run": Value(run.pk),
        "c_client": F("pk"),
        "c_excluded": _boolean(excluded),
        "c_explained": Case(*explained, default=Value(""), output_field=CharField()),
        "c_offered": _boolean(measure.offered(period, scope)),
        "c_local_id": F("local_id"),
    }
    if connection.vendor == "postgresql":
        _rows_joined(run, measure, period, scope, columns, clients)
    else:
        _rows_looked_up(run, measure, period, scope, columns, clients)


def _rows_looked_up(
    run: Run,
    measure: Measure,
    period: Period,
    scope: Scope,
    columns: dict[str, Any],
    clients: QuerySet[Any] | None,
) -> None:
    """Each client's place and best level looked up along the indexes, client by client:
    on SQLite, faster than ranking every client's at once and joining them (0.6 s against
    1.0 s at 30,000 clients, `bench/qs6.py`)."""
    best = (
        Level.objects.filter(run_id=run.pk, client_id=OuterRef("pk"))
        .values("client_id")
        .annotate(best=Max("level"))
        .values("best")
    )
    placed = _only(measure.population(period, scope), clients)
    found = placed.values(
        **columns,
        c_team=F("team"),
        c_keyworker=F("keyworker"),
        c_phase=F("phase"),
        c_level=Coalesce(Subquery(best), Value(0)),
    )
    insert_select(Row, found.order_by())


def _rows_joined(
    run: Run,
    measure: Measure,
    period: Period,
    scope: Scope,
    columns: dict[str, Any],
    clients: QuerySet[Any] | None,
) -> None:
    """Each client's place and best level grouped once for every client and joined: on
    PostgreSQL, where looking them up client by client cost 0.4 s of the 0.6 s at 30,000
    clients (`EXPLAIN ANALYZE`; 0.42 s now, the whole statement)."""
    treated = _only(measure.in_treatment(period, scope), clients)
    best = (
        Level.objects.filter(run_id=run.pk)
        .order_by()
        .values(j_key=F("client_id"))
        .annotate(j_value=Max("level"))
    )
    places = {name: place.of_all(clients) for name, place in measure.places(period, scope).items()}
    insert_joined(
        Row,
        treated.values(**columns).order_by(),
        "c_client",
        {**places, "level": best},
        where=measure.placed_in(scope),
        default={"level": 0},
    )


def _only(found: QuerySet[Client], clients: QuerySet[Any] | None) -> QuerySet[Client]:
    """The clients `found` who are among `clients` (a team's or a keyworker's, `within`), or
    all of them (the whole service's)."""
    return found if clients is None else found.filter(pk__in=clients)


def _boolean(condition: Q | None) -> ExpressionWrapper | Value:
    if condition is None:
        return Value(False)
    return ExpressionWrapper(condition, output_field=BooleanField())


def _months(
    run: Run, measure: Measure, period: Period, scope: Scope, clients: QuerySet[Any] | None
) -> list[list[Any]]:
    """Each month's numerator and denominator: its own population and exclusion, counted
    from the levels of that month. One aggregate a month, with no step worked out again.
    A team's or a keyworker's only of the clients who may be placed in it (`within`): else
    each client of the service was placed to find them, 90 to 290 ms a month for a
    keyworker's 45 clients at 30,000."""
    found = []
    for month in period.months():
        counted = Level.objects.filter(
            run_id=run.pk,
            client_id=OuterRef("pk"),
            month=month.start.replace(day=1),
            level__gte=len(measure.steps),
        )  # looked up along the index: a set of them (IN) is hashed only while it fits in
        # PostgreSQL's work_mem, and is scanned again for every client when it does not
        numbers = _only(measure.denominator(month, scope), clients).aggregate(
            denominator=Count("pk"), numerator=Count("pk", filter=Q(Exists(counted)))
        )
        found.append([month.start.isoformat(), numbers["numerator"], numbers["denominator"]])
    return found


def compute(measure: Measure, period: Period, scope: Scope) -> Result:
    """Compute the measure now, and keep it."""
    return result(work(asked(measure, period, scope)))


def result(run: Run) -> Result:
    """What a computed run says: its figures, grouped from its rows once and kept on it."""
    measure = MEASURES[run.measure]
    if not run.summary:
        run.moved_on(run.state, run.progress, summary=summary_of(run))
    kept = run.summary
    found = Result(
        measure=measure,
        period=period_of(run),
        scope=scope_of(run),
        numerator=kept["numerator"],
        denominator=kept["denominator"],
        excluded=kept["excluded"],
        offered=kept["offered"],
        reasons=[(code, reason, n) for code, reason, n in kept["reasons"]],
        run=run,
    )
    found.breakdowns = {
        name: [Tally(*tally) for tally in tallies] for name, tallies in kept["breakdowns"].items()
    }
    months = {month.start.isoformat(): month for month in found.period.months()}
    found.breakdowns["month"] = [
        Tally(key[:7], months[key].month_name(), numerator, denominator)
        for key, numerator, denominator in run.months
    ]
    return found


def summary_of(run: Run) -> dict[str, Any]:
    """The run's numbers, reasons and breakdowns, grouped from its rows (as JSON, to keep)."""
    measure = MEASURES[run.measure]
    steps = len(measure.steps)
    counted = Q(excluded=False, level__gte=steps)
    totals: dict[str, Any] = {
        "population": Count("pk"),
        "denominator": Count("pk", filter=Q(excluded=False)),
        "numerator": Count("pk", filter=counted),
        "offered": Count("pk", filter=counted | Q(excluded=False, offered=True)),
    }
    numbers = Row.objects.filter(run=run).aggregate(**totals)
    breakdowns = {name: _breakdown(run, steps, name) for name in BREAKDOWNS}
    return {
        "numerator": numbers["numerator"],
        "denominator": numbers["denominator"],
        "excluded": numbers["population"] - numbers["denominator"],
        "offered": numbers["offered"] if measure.offers else None,
        "reasons": _reasons(run, measure),
        "breakdowns": {
            name: [[t.key, t.label, t.numerator, t.denominator] for t in tallies]
            for name, tallies in breakdowns.items()
        },
    }


def _reasons(run: Run, measure: Measure) -> list[tuple[str, str, int]]:
    """(code, reason, clients) for each reason a client is not counted, in the measure's
    order (explanations first, then the steps)."""
    counts: dict[tuple[str, str], int] = {}
    grouped = (
        Row.objects.filter(run=run, excluded=False, level__lt=len(measure.steps))
        .values_list("level", "explained")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for level, explained, n in grouped:
        key = measure.reason_of(level, explained)
        counts[key] = counts.get(key, 0) + n
    order = [s.code for s in (*measure.explained_by, *measure.steps)]
    return [
        (code, reason, n)
        for (code, reason), n in sorted(counts.items(), key=lambda c: order.index(c[0][0]))
    ]


# What each breakdown's rows are labelled with, read with them through the row's link: read
# afterwards by their ids, the keyworkers' were a list of every keyworker's id sent back
# (9,432 at 330,000 clients: 3.4 s of the report on SQLite).
LABELLED_BY = {
    "team": ("team__name",),
    "phase": ("phase__name",),
    "keyworker": (
        "keyworker__user__first_name",
        "keyworker__user__last_name",
        "keyworker__user__username",
    ),
}


def _breakdown(run: Run, steps: int, by: str) -> list[Tally]:
    grouped = (
        Row.objects.filter(run=run, excluded=False)
        .values_list(by, *LABELLED_BY[by])
        .annotate(den=Count("pk"), num=Count("pk", filter=Q(level__gte=steps)))
        .order_by(by)
    )
    return [Tally(key, _label(key, parts), num, den) for key, *parts, den, num in grouped]


def _label(key: Any, parts: list[str]) -> str:
    if key is None:
        return "not recorded"
    return parts[0] if len(parts) == 1 else worker_name(*parts)


def not_counted(found: Result, start: int = 0, stop: int | None = None) -> list[Subject]:
    """Clients of the denominator not in the numerator, by client id, with the reason and
    their keyworker; `start` and `stop` take a page of them."""
    measure = found.measure
    page = (
        Row.objects.filter(run=found.run, excluded=False, level__lt=len(measure.steps))
        .order_by("local_id")
        .values_list(
            "client_id",
            "local_id",
            "level",
            "explained",
            "client__preferred_name",
            "client__given_name",
            "client__family_name",
            "keyworker_id",
        )[start:stop]
    )
    rows = list(page)
    workers = Worker.objects.select_related("user").in_bulk({r[7] for r in rows if r[7]})
    listed = []
    for pk, local_id, level, explained, preferred, given, family, keyworker in rows:
        code, reason = measure.reason_of(level, explained)
        name = f"{preferred or given} {family}"
        worker = workers[keyworker].name if keyworker in workers else ""
        listed.append(Subject(pk, local_id, reason, code, name=name, keyworker=worker))
    return listed


class NotCountedList:
    """The list behind the numbers, read a page at a time (for Django's Paginator)."""

    def __init__(self, found: Result) -> None:
        self.found = found

    def count(self) -> int:
        return sum(n for _, _, n in self.found.reasons)

    def __getitem__(self, index: slice) -> list[Subject]:
        return not_counted(self.found, index.start or 0, index.stop)


def subjects(found: Result) -> list[Subject]:
    """Every client of the denominator, counted or not: the subject list."""
    rows = (
        Row.objects.filter(run=found.run, excluded=False)
        .order_by("local_id")
        .values_list("client_id", "local_id", "level", "explained")
    )
    listed = []
    for pk, local_id, level, explained in rows.iterator(chunk_size=5000):
        code, reason = found.measure.reason_of(level, explained)
        listed.append(Subject(pk, local_id, reason, code))
    return listed
