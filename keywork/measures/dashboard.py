"""The team and service dashboards: what needs doing now (reviews overdue, outcome profiles
due, re-engagements open, referrals outstanding, the phases clients are in) and how the
period went (missed appointments, moves between phases, the mix of interventions by tier,
outcome change). Each figure is a database aggregate; each has a list behind it, one query.

Figures "now" are of the open episodes in scope today; figures "in the period" count what
happened on its days, in the scope's episodes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple, dataclass, field
from typing import Any, overload

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    Field,
    FloatField,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, JSONObject
from django.utils import timezone

from keywork.access.models import Service
from keywork.careplans.queries import review_due_of
from keywork.catalogue.models import Phase
from keywork.clients.models import Client, Episode, PhaseChange
from keywork.core.expressions import Unindexed, Unwalked
from keywork.interventions.models import Intervention
from keywork.maps.models import MapVersion
from keywork.measures.framework import Period, Scope
from keywork.outcomes.models import OutcomeProfile, Stage
from keywork.outcomes.queries import outcomes_due_of
from keywork.recovery.models import Check, Instrument
from keywork.recovery.queries import instrument_in_use
from keywork.referrals.models import WAITING, Referral
from keywork.sessions.models import Attendance, Outcome, ReEngagement

RATINGS = (
    ("psychological_health", "Psychological health"),
    ("physical_health", "Physical health"),
    ("quality_of_life", "Quality of life"),
    ("injecting_days", "Days injected"),
)
NO_TIER = "No tier (recovery support, national definitions)"


@dataclass(frozen=True)
class Figure:
    code: str  # the list behind it
    label: str
    value: int
    of: int | None = None  # a rate: value of `of`

    @property
    def percent(self) -> int | None:
        """None without a rate, or when a count is withheld (keywork/measures/disclosure.py)."""
        if not self.of or isinstance(self.value, str) or isinstance(self.of, str):
            return None
        return round(100 * self.value / self.of)


@dataclass
class Dashboard:
    scope: Scope
    period: Period
    now: list[Figure] = field(default_factory=list)
    in_period: list[Figure] = field(default_factory=list)
    phases: list[tuple[str, str, int]] = field(default_factory=list)  # code, name, open
    flow: list[tuple[str, str, str, str, int]] = field(default_factory=list)
    mix: list[tuple[str, str, int]] = field(default_factory=list)  # tier code, name, n
    outcomes: list[tuple[str, str, float | None, float | None, int]] = field(
        default_factory=list
    )  # field, label, mean at start, mean at latest, clients improved
    outcome_clients: int = 0
    recovery: list[tuple[str, str, float | None, float | None, int]] = field(
        default_factory=list
    )  # domain, its name, mean at the first check, mean at the latest, clients higher
    recovery_clients: int = 0


def narrowed(scope: Scope, via: str = "") -> dict[str, Any]:
    """Filters on an episode (reached through `via`) of the scope's team or keyworker."""
    found: dict[str, Any] = {}
    if scope.team is not None:
        found[f"{via}team"] = scope.team
    if scope.keyworker is not None:
        found[f"{via}keyworker"] = scope.keyworker
    return found


def episodes_of(scope: Scope) -> QuerySet[Episode]:
    return Episode.objects.filter(service=scope.service, **narrowed(scope))


def open_episodes(scope: Scope) -> QuerySet[Episode]:
    return episodes_of(scope).filter(discharged_on__isnull=True)


def _now(scope: Scope) -> list[Figure]:
    today = timezone.localdate()
    open_reengagement = ReEngagement.objects.filter(episode=OuterRef("pk"), ended_on=None)
    numbers = (
        open_episodes(scope)
        .annotate(
            review_due=review_due_of(OuterRef("pk")),
            outcomes_due=outcomes_due_of(OuterRef("pk")),
        )
        .aggregate(
            open=Count("pk"),
            reviews=Count("pk", filter=Q(review_due__lt=today)),
            outcomes=Count("pk", filter=Q(outcomes_due__lte=today)),
        )
    )
    # A count of its own: Django 5.2 leaves an Exists annotation named only in an
    # aggregate's filter out of the inner query, and the count comes out 0.
    reengaging = open_episodes(scope).filter(Exists(open_reengagement)).count()
    referrals = outstanding_referrals(scope).count()
    n = numbers["open"]
    return [
        Figure("open", "Open episodes", n),
        Figure("reviews_overdue", "Care-plan reviews overdue", numbers["reviews"], n),
        Figure("outcomes_due", "Outcome profiles due or overdue", numbers["outcomes"], n),
        Figure("reengaging", "Re-engagements open", reengaging, n),
        Figure("referrals", "Referrals outstanding", referrals),
    ]


def outstanding_referrals(scope: Scope) -> QuerySet[Referral]:
    return Referral.objects.filter(
        episode__in=open_episodes(scope), status__in=WAITING, entered_in_error_at__isnull=True
    )


def _on_the_days(period: Period, via: str = "") -> dict[str, Any]:
    """Filters on an attendance (reached through `via`) in the period, not entered in error."""
    return {
        f"{via}entered_in_error_at__isnull": True,
        f"{via}session__day__gte": period.start,
        f"{via}session__day__lte": period.end,
    }


def _in_period(scope: Scope, period: Period, via: str = "") -> dict[str, Any]:
    """Filters on an attendance (reached through `via`) of the scope's episodes, in the
    period, not entered in error: for a figure, which counts all of them (a list's page
    asks it otherwise, `list_dna`)."""
    return {f"{via}episode__in": episodes_of(scope), **_on_the_days(period, via)}


def appointments(scope: Scope, period: Period) -> QuerySet[Attendance]:
    """Appointments due in the period that were kept or missed (not cancelled), not in error."""
    return Attendance.objects.filter(
        outcome__in=(Outcome.ATTENDED, Outcome.DID_NOT_ATTEND), **_in_period(scope, period)
    )


def moves(scope: Scope, period: Period) -> QuerySet[PhaseChange]:
    return PhaseChange.objects.filter(
        episode__in=episodes_of(scope),
        from_phase__isnull=False,
        changed_on__gte=period.start,
        changed_on__lte=period.end,
    )


def delivered(scope: Scope, period: Period) -> QuerySet[Any]:
    """Interventions delivered on attended sessions in the period (rows of session, entry)."""
    return Attendance.interventions.through.objects.filter(
        attendance__outcome=Outcome.ATTENDED, **_in_period(scope, period, "attendance__")
    )


def started(scope: Scope, period: Period) -> QuerySet[Intervention]:
    """Intervention records started in the period, not in error."""
    return Intervention.objects.filter(
        episode__in=episodes_of(scope),
        entered_in_error_at__isnull=True,
        started_on__gte=period.start,
        started_on__lte=period.end,
    )


def with_outcome_change(scope: Scope, period: Period) -> QuerySet[Episode]:
    """Episodes with a start profile and a later review or exit taken in the period, each
    with the start's and the latest one's ratings (`start_ratings`, `latest_ratings`:
    {rating: value}), each read in one look-up of the profiles, where a look-up for each
    rating read the same profile four times over."""
    taken = OutcomeProfile.objects.filter(episode=OuterRef("pk"), entered_in_error_at=None)
    start = taken.filter(stage=Stage.START).order_by("taken_on", "pk")
    latest = taken.exclude(stage=Stage.START).order_by("-taken_on", "-pk")
    ratings = JSONObject(**{name: name for name, _ in RATINGS})
    return (
        episodes_of(scope)
        .annotate(
            latest_on=Subquery(latest.values("taken_on")[:1]),
            start_ratings=Subquery(start.values(json=ratings)[:1], output_field=JSONField()),
            latest_ratings=Subquery(latest.values(json=ratings)[:1], output_field=JSONField()),
        )
        # A range: SQLite looks the latest up once for both bounds (PostgreSQL, twice).
        .filter(latest_on__range=(period.start, period.end), start_ratings__isnull=False)
    )


def maps_used(scope: Scope, period: Period) -> QuerySet[MapVersion]:
    """The versions of maps saved in the period (a map drawn or changed), of the scope."""
    return MapVersion.objects.filter(
        map__episode__in=episodes_of(scope),
        saved_at__date__gte=period.start,
        saved_at__date__lte=period.end,
    )


def with_recovery_change(scope: Scope, period: Period, instrument: Instrument) -> QuerySet[Episode]:
    """Episodes with a first recovery-capital check and a later one taken in the period,
    both with the instrument (any version of it), each with the scores of both
    (`first_scores`, `latest_scores`: {domain: score}, as the checks keep them)."""
    taken = Check.objects.filter(
        episode=OuterRef("pk"), entered_in_error_at=None, instrument__code=instrument.code
    )
    first = taken.order_by("taken_on", "pk")
    latest = taken.order_by("-taken_on", "-pk")
    return (
        episodes_of(scope)
        .annotate(
            first_on=Subquery(first.values("taken_on")[:1]),
            latest_on=Subquery(latest.values("taken_on")[:1]),
            first_scores=Subquery(first.values("scores")[:1], output_field=JSONField()),
            latest_scores=Subquery(latest.values("scores")[:1], output_field=JSONField()),
        )
        .filter(latest_on__range=(period.start, period.end), first_on__lt=F("latest_on"))
    )


def _value(reading: str, key: str, output: Field[Any, Any] | None = None) -> Cast:
    """A value in a reading's JSON (an annotation: a check's scores, a profile's ratings),
    as a number."""
    return Cast(KeyTextTransform(key, reading), output or FloatField())


def _changes(
    pairs: Iterable[tuple[dict[str, Any], dict[str, Any]]],
    keys: Sequence[str],
    lower_is_better: frozenset[str] = frozenset(),
) -> tuple[dict[str, tuple[float | None, float | None, int]], int]:
    """Each key's mean at the first reading and at the latest, and how many clients are
    better (higher, or lower for `lower_is_better`), from each client's pair of readings;
    and how many clients."""
    sums = {key: [0.0, 0.0, 0] for key in keys}  # first, latest, clients better
    clients = 0
    for first, latest in pairs:
        clients += 1
        for key in keys:
            before, after, found = float(first[key]), float(latest[key]), sums[key]
            found[0] += before
            found[1] += after
            found[2] += after < before if key in lower_is_better else after > before
    return {
        key: (
            _round(s[0] / clients) if clients else None,
            _round(s[1] / clients) if clients else None,
            int(s[2]),
        )
        for key, s in sums.items()
    }, clients


def _recovery(scope: Scope, period: Period) -> tuple[list[Any], int]:
    """Each domain's mean at the first check and the latest, and how many clients are
    higher. The two sets of scores are read once an episode and summed here: aggregated in
    the database, each domain's every use read the checks again (PostgreSQL folds the
    scores' subquery into each one)."""
    instrument = instrument_in_use()
    if instrument is None:
        return [], 0
    both = ("first_scores", "latest_scores")  # annotations (a list: the type check knows fields)
    pairs = with_recovery_change(scope, period, instrument).values_list(*both)
    means, clients = _changes(
        pairs.iterator(chunk_size=5000), [d["code"] for d in instrument.domains]
    )
    return [(d["code"], d["name"], *means[d["code"]]) for d in instrument.domains], clients


def _period_figures(scope: Scope, period: Period, moved: int) -> list[Figure]:
    """The period's figures; `moved`, the moves between phases, summed from the flow's rows."""
    kept = appointments(scope, period).aggregate(
        due=Count("pk"), missed=Count("pk", filter=Q(outcome=Outcome.DID_NOT_ATTEND))
    )
    mapped = maps_used(scope, period).aggregate(
        clients=Count("map__episode", distinct=True), maps=Count("map", distinct=True)
    )
    return [
        Figure("dna", "Appointments missed (did not attend)", kept["missed"], kept["due"]),
        Figure("flow", "Moves between phases", moved),
        Figure("maps", "Clients who used a map (drawn or changed)", mapped["clients"]),
        Figure("maps_used", "Maps used", mapped["maps"]),
    ]


def _phases(scope: Scope) -> list[tuple[str, str, int]]:
    counts = dict(open_episodes(scope).values_list("phase_id").annotate(n=Count("pk")).order_by())
    return [
        (p.code, p.name, counts.get(p.pk, 0))
        for p in Phase.objects.filter(in_sequence=True).order_by("order")
    ]


def _flow(scope: Scope, period: Period) -> list[tuple[str, str, str, str, int]]:
    rows = (
        moves(scope, period)
        .values_list(
            "from_phase__code",
            "from_phase__name",
            "to_phase__code",
            "to_phase__name",
            "from_phase__order",
            "to_phase__order",
        )
        .annotate(n=Count("pk"))
        .order_by("from_phase__order", "to_phase__order")
    )
    return [(a, b, c, d, n) for a, b, c, d, _, _, n in rows]


def _mix(scope: Scope, period: Period) -> list[tuple[str, str, int]]:
    """Interventions delivered on sessions and intervention records started, by tier."""
    tally: dict[str, list[Any]] = {}  # tier code -> [order, name, n]
    for query in (delivered(scope, period), started(scope, period)):
        rows = (
            query.values_list("entry__tier__code", "entry__tier__name", "entry__tier__order")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for code, name, order, n in rows:
            found = tally.setdefault(code or "none", [99 if order is None else order, name, 0])
            found[1], found[2] = name or NO_TIER, found[2] + n
    ordered = sorted(tally.items(), key=lambda item: item[1][0])
    return [(code, name, n) for code, (_, name, n) in ordered]


def _outcomes(scope: Scope, period: Period) -> tuple[list[Any], int]:
    """Each rating's mean at the start and the latest, and how many clients are better
    (fewer days injected; higher for the others), summed here as recovery's are."""
    both = ("start_ratings", "latest_ratings")
    pairs = with_outcome_change(scope, period).values_list(*both)
    means, clients = _changes(
        pairs.iterator(chunk_size=5000),
        [name for name, _ in RATINGS],
        lower_is_better=frozenset({"injecting_days"}),
    )
    return [(name, label, *means[name]) for name, label in RATINGS], clients


def _round(value: float | None) -> float | None:
    return round(float(value), 1) if value is not None else None


def dashboard(scope: Scope, period: Period) -> Dashboard:
    outcomes, clients = _outcomes(scope, period)
    recovery, recovered = _recovery(scope, period)
    flow = _flow(scope, period)
    return Dashboard(
        scope=scope,
        period=period,
        now=_now(scope),
        in_period=_period_figures(scope, period, moved=sum(row[-1] for row in flow)),
        phases=_phases(scope),
        flow=flow,
        mix=_mix(scope, period),
        outcomes=outcomes,
        outcome_clients=clients,
        recovery=recovery,
        recovery_clients=recovered,
    )


def key_of(scope: Scope, period: Period) -> dict[str, Any]:
    """What a service's dashboard is kept under (keywork/measures/snapshots.py)."""
    return {"service": scope.service.pk, "start": period.start, "end": period.end}


def figures_for(key: dict[str, Any]) -> dict[str, Any]:
    """A service's dashboard, worked out by the task worker, as JSON to keep."""
    scope = Scope(Service.objects.get(pk=key["service"]))
    period = Period(dt.date.fromisoformat(key["start"]), dt.date.fromisoformat(key["end"]))
    board = dashboard(scope, period)
    return {
        "now": [astuple(f) for f in board.now],
        "in_period": [astuple(f) for f in board.in_period],
        "phases": board.phases,
        "flow": board.flow,
        "mix": board.mix,
        "outcomes": board.outcomes,
        "outcome_clients": board.outcome_clients,
        "recovery": board.recovery,
        "recovery_clients": board.recovery_clients,
    }


def from_figures(figures: dict[str, Any], scope: Scope, period: Period) -> Dashboard:
    """A dashboard from its kept figures."""
    rows = {name: [tuple(row) for row in figures[name]] for name in ("phases", "flow", "mix")}
    return Dashboard(
        scope=scope,
        period=period,
        now=[Figure(*f) for f in figures["now"]],
        in_period=[Figure(*f) for f in figures["in_period"]],
        outcomes=[tuple(row) for row in figures["outcomes"]],
        outcome_clients=figures["outcome_clients"],
        recovery=[tuple(row) for row in figures.get("recovery", [])],
        recovery_clients=figures.get("recovery_clients", 0),
        **rows,
    )


# The list behind each figure: its title, its columns after the client, and its rows: a query
# in the list's order, read a page at a time, and how to make a row of each thing it finds.
BY_CLIENT = ("client__family_name", "client__local_id", "pk")


class InClientOrder(Sequence[Episode]):
    """A whole service's open episodes that pass a list's test, a page at a time in their
    clients' order, found from the clients, on SQLite: it walks the clients along the index
    on the family name and asks of each whether their open episode passes, until the page
    is full (a client has one open episode in a service). Asked of the episodes, SQLite
    worked the test out for every open episode of the service and sorted them all before it
    took a page: the care-plan reviews overdue at 330,000 clients, 839 ms a page
    (docs/performance-history.md). PostgreSQL stops at the page either way, and was the slower this
    way (73 against 105 ms at 330,000). Only for the whole service: a team's or a
    keyworker's episodes are few beside every client, and are found from the episodes."""

    def __init__(self, episodes: QuerySet[Episode]) -> None:
        self.episodes = episodes

    def __len__(self) -> int:  # the paginator never asks (core/paging.Uncounted)
        return self.episodes.count()

    @overload
    def __getitem__(self, index: int) -> Episode: ...

    @overload
    def __getitem__(self, index: slice) -> list[Episode]: ...

    def __getitem__(self, index: int | slice) -> Episode | list[Episode]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        passing = Exists(self.episodes.filter(client=OuterRef("pk")))
        clients = Client.objects.filter(passing).order_by("family_name", "local_id")
        return list(self.episodes.filter(client__in=clients.values("pk")[index]))


Row = tuple[str, ...]  # the client id, then the cells
# A list's rows (a page at a time, by slicing) and how each is shown.
Listing = tuple[QuerySet[Any] | InClientOrder, Callable[[Any], Row]]


def _uk(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else ""


def _episode_rows(
    found: QuerySet[Episode], *cells: str
) -> tuple[QuerySet[Episode], Callable[[Any], Row]]:
    rows = found.select_related("client", "keyworker__user").order_by(*BY_CLIENT)

    def row(e: Episode) -> Row:
        return (e.client.local_id, e.client.name, e.keyworker.name, *[_cell(e, c) for c in cells])

    return rows, row


def _open_rows(scope: Scope, found: QuerySet[Episode], *cells: str) -> Listing:
    """A list of the scope's open episodes: the whole service's on SQLite from the clients;
    a team's or a keyworker's from their episodes, sorted (`Unwalked`)."""
    rows, row = _episode_rows(found, *cells)
    if scope.team is not None or scope.keyworker is not None:
        return rows.order_by(Unwalked(BY_CLIENT[0]), *BY_CLIENT[1:]), row
    if connection.vendor == "sqlite":
        return InClientOrder(rows), row
    return rows, row


def _cell(episode: Episode, name: str) -> str:
    value = getattr(episode, name)
    return _uk(value) if hasattr(value, "strftime") else str(value)


def list_reviews_overdue(scope: Scope, period: Period, params: dict[str, str]) -> Listing:
    found = open_episodes(scope).annotate(review_due=review_due_of(OuterRef("pk")))
    return _open_rows(scope, found.filter(review_due__lt=timezone.localdate()), "review_due")


def list_outcomes_due(scope: Scope, period: Period, params: dict[str, str]) -> Listing:
    found = open_episodes(scope).annotate(outcomes_due=outcomes_due_of(OuterRef("pk")))
    return _open_rows(scope, found.filter(outcomes_due__lte=timezone.localdate()), "outcomes_due")


def list_reengaging(scope: Scope, period: Period, params: dict[str, str]) -> Listing:
    since = ReEngagement.objects.filter(episode=OuterRef("pk"), ended_on=None)
    found = open_episodes(scope).annotate(since=Subquery(since.values("started_on")[:1]))
    return _open_rows(scope, found.filter(since__isnull=False), "since")


def list_open(scope: Scope, period: Period, params: dict[str, str]) -> Listing:
    found = open_episodes(scope).select_related("phase")
    if params.get("phase"):
        found = found.filter(phase__code=params["phase"])
    return _open_rows(scope, found.annotate(phase_name=F("phase__name")), "phase_name")


def _by_episode(found: QuerySet[Any], *related: str) -> QuerySet[Any]:
    return found.select_related("episode__client", "episode__keyworker__user", *related)


def _of_episode(thing: Any, *cells: str) -> Row:
    episode = thing.episode
    return (episode.client.local_id, episode.client.name, episode.keyworker.name, *cells)


def list_referrals(scope: Scope, period: Period, params: dict[str, str]) -> Listing:
    found = _by_episode(outstanding_referrals(scope), "destination").order_by("chase_on", "pk")

    def row(r: Referral) -> Row:
        to = r.agency or (r.destination.name if r.destination else "")
        return _of_episode(r, to, r.get_status_display(), _uk(r.chase_on))

    return found, row


def list_dna(scope: Scope, period: Period, params: dict[str, str]) -> Listing:
    """Read along the days: the database walks the period's sessions by the index on the
    day and the session (so that a day's are in one order), and a page stops at its 50th
    missed appointment. Asked of the scope's episodes, as the figure is, SQLite read every
    missed appointment of the service and sorted them all before it took a page: 634 ms a
    page at 330,000 clients (docs/performance-history.md). The figure is asked that way because it
    counts them all: asked this way, SQLite read every session of the period for it, 59
    against 784 ms for a team at 30,000."""
    found = Attendance.objects.alias(service=Unindexed("episode__service")).filter(
        service=scope.service.pk,  # the episode's service, by a column SQLite does not look up
        outcome=Outcome.DID_NOT_ATTEND,
        **_on_the_days(period),
        **narrowed(scope, "episode__"),
    )
    found = _by_episode(found, "session").order_by("session__day", "session_id", "pk")
    return found, lambda a: _of_episode(a, _uk(a.session.day))


def list_flow(scope: Scope, period: Period, params: dict[str, str]) -> Listing:
    found = moves(scope, period)
    if params.get("from"):
        found = found.filter(from_phase__code=params["from"])
    if params.get("to"):
        found = found.filter(to_phase__code=params["to"])
    found = _by_episode(found, "from_phase", "to_phase").order_by("changed_on", "pk")

    def row(m: PhaseChange) -> Row:
        move = f"{m.from_phase.name if m.from_phase else ''} to {m.to_phase.name}"
        return _of_episode(m, move, _uk(m.changed_on), m.reason)

    return found, row


def _change_rows(found: QuerySet[Episode], pairs: list[tuple[str, str]]) -> Listing:
    """Each client's figures at the start and the latest, as "start → latest" cells:
    `pairs` names the two annotations of each."""
    rows = found.order_by(*BY_CLIENT).values_list(
        "client__local_id",
        "client__given_name",
        "client__family_name",
        "keyworker__user__first_name",
        "keyworker__user__last_name",
        *[name for pair in pairs for name in pair],
    )

    def row(values: tuple[Any, ...]) -> Row:
        local_id, given, family, first, last, *changes = values
        return (
            local_id,
            f"{given} {family}",
            f"{first} {last}",
            *[f"{changes[2 * n]} → {changes[2 * n + 1]}" for n in range(len(pairs))],
        )

    return rows, row


def list_outcome_change(scope: Scope, period: Period, params: dict[str, str]) -> Listing:
    found = with_outcome_change(scope, period).annotate(
        **{f"start_{name}": _value("start_ratings", name, IntegerField()) for name, _ in RATINGS},
        **{f"latest_{name}": _value("latest_ratings", name, IntegerField()) for name, _ in RATINGS},
    )
    pairs = [(f"start_{name}", f"latest_{name}") for name, _ in RATINGS]
    return _change_rows(found, pairs)


def list_maps(scope: Scope, period: Period, params: dict[str, str]) -> Listing:
    """Each client who used a map in the period: how many maps, how many saves."""
    saved = Q(
        maps__versions__saved_at__date__gte=period.start,
        maps__versions__saved_at__date__lte=period.end,
    )
    found = (
        episodes_of(scope)
        .filter(saved)
        .annotate(
            map_count=Count("maps", distinct=True),
            saves=Count("maps__versions", distinct=True),
        )
    )
    return _episode_rows(found, "map_count", "saves")


def list_recovery_change(scope: Scope, period: Period, params: dict[str, str]) -> Listing:
    instrument = instrument_in_use()
    if instrument is None:
        return _change_rows(Episode.objects.none(), [])
    domains = [d["code"] for d in instrument.domains]
    found = with_recovery_change(scope, period, instrument).annotate(
        **{f"first_{n}": _value("first_scores", code) for n, code in enumerate(domains)},
        **{f"latest_{n}": _value("latest_scores", code) for n, code in enumerate(domains)},
    )
    pairs = [(f"first_{n}", f"latest_{n}") for n in range(len(domains))]
    return _change_rows(found, pairs)


def recovery_columns() -> tuple[str, ...]:
    instrument = instrument_in_use()
    return tuple(d["name"] for d in instrument.domains) if instrument else ()


# A list's columns: fixed, or worked out when it is shown (the instrument in use's domains).
Columns = tuple[str, ...] | Callable[[], tuple[str, ...]]
LISTS: dict[str, tuple[str, Columns, Callable[..., Listing]]] = {
    "open": ("Open episodes", ("Phase",), list_open),
    "reviews_overdue": ("Care-plan reviews overdue", ("Review was due",), list_reviews_overdue),
    "outcomes_due": ("Outcome profiles due or overdue", ("Due",), list_outcomes_due),
    "reengaging": ("Re-engagements open", ("Since",), list_reengaging),
    "referrals": ("Referrals outstanding", ("To", "Status", "Chase on"), list_referrals),
    "dna": ("Appointments missed in the period", ("Day",), list_dna),
    "flow": ("Moves between phases in the period", ("Move", "On", "Why"), list_flow),
    "outcome_change": (
        "Outcome change: start to latest",
        tuple(label for _, label in RATINGS),
        list_outcome_change,
    ),
    "maps": ("Clients who used a map in the period", ("Maps", "Saves"), list_maps),
    "recovery_change": (
        "Recovery capital change: first check to latest",
        recovery_columns,
        list_recovery_change,
    ),
}
