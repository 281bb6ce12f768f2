"""The reads that gather every app's part of the record: the caseload (with each app's
dates and flags on every row), the client record (each app's timeline, in order, and the
summary drawn from it), and the team view's contact flags and workload. Each a fixed number
of queries whatever the size of the caseload or the length of the history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Upper
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from keywork.access.models import Worker
from keywork.assessments.models import Assessment
from keywork.assessments.queries import flags_of
from keywork.careplans.models import CarePlan, Goal, PlanAction
from keywork.careplans.queries import (
    overdue_actions,
    overdue_actions_of,
    review_due,
    review_due_of,
)
from keywork.checkups.models import CheckUp
from keywork.clients import policies
from keywork.clients.models import Client, Episode, ProblemSubstance
from keywork.clients.queries import SEARCH_MAX, PhaseSpan, phase_spans
from keywork.clients.timeline import Entry
from keywork.core.actors import Actor
from keywork.core.dates import parse_date
from keywork.core.errors import RuleViolation
from keywork.core.expressions import Found
from keywork.outcomes.chart import Chart, charts_of
from keywork.outcomes.queries import due_of as outcomes_due
from keywork.outcomes.queries import outcomes_due_of
from keywork.recovery.chart import charts_of as recovery_charts
from keywork.recovery.queries import check_due_of
from keywork.recovery.queries import due_of as recovery_due
from keywork.referrals.queries import stalled_referrals
from keywork.sessions.models import Attendance, KeyworkSession, Outcome, ReEngagement
from keywork.sessions.queries import counted, open_reengagement

# By name, case aside, as finding a client sorts (`_names`). No index on the name serves
# that order, so PostgreSQL reads the team's open episodes and sorts them; in the name's
# own order it walked the whole service's clients by name looking for the team's (130 ms
# of the team caseload's first page at 330,000 clients, 6 ms at 30,000: `EXPLAIN ANALYZE`).
BY_NAME = (Upper("client__family_name"), Upper("client__given_name"), "pk")
SORTS: dict[str, tuple[str | Combinable, ...]] = {
    "name": BY_NAME,
    "phase": ("phase__order", *BY_NAME),
    "next": (F("next_appointment").asc(nulls_first=True), *BY_NAME),
    "last": (F("last_contact").asc(nulls_first=True), *BY_NAME),
    "review": (F("review_due").asc(nulls_first=True), *BY_NAME),
}


REVIEW_SOON = dt.timedelta(days=14)


ONLY = {
    "reengaging": "Re-engaging",
    "unrecorded": "Past appointments with no outcome",
    "actions_overdue": "Care-plan actions overdue",
    "review": "Review due, overdue or no care plan",
    "flagged": "Risk or safeguarding flags",
    "chase": "Referrals to chase",
    "outcomes": "Outcome profile due or overdue",
    "recovery": "Recovery capital check due or overdue",
}


def only(name: str) -> Q:
    """The caseload filters, by the keys of ONLY."""
    if name == "reengaging":
        return Q(reengaging=True)
    if name == "unrecorded":
        return Q(unrecorded=True)
    if name == "actions_overdue":
        return Q(actions_overdue=True)
    if name == "review":
        soon = timezone.localdate() + REVIEW_SOON
        return Q(review_due__lte=soon) | Q(review_due__isnull=True)
    if name == "flagged":
        return Q(risk_flags__gt="")
    if name == "chase":
        return Q(to_chase=True)
    if name == "outcomes":
        return Q(outcomes_due__lte=timezone.localdate() + REVIEW_SOON)
    if name == "recovery":
        return Q(recovery_due__lte=timezone.localdate() + REVIEW_SOON)
    return Q()


def caseload(
    user: Actor,
    *,
    scope: str,
    search: str = "",
    sort: str = "name",
    show: str = "",
    keyworker: str = "",
) -> QuerySet[Episode]:
    """Open episodes to list: `mine` (where the user is keyworker) or `team` (all visible,
    or one keyworker's of them, by username), with the next appointment, the last contact,
    any open re-engagement, the care-plan review date and the risk flags, in one query.
    `show` is a key of ONLY."""
    episodes = (
        policies.caseload_of(user)
        if scope == "mine"
        else policies.episodes_visible_to(user).filter(discharged_on__isnull=True)
    )
    if keyworker and scope != "mine":
        episodes = episodes.filter(keyworker__user__username=keyworker)
    term = search.replace("\x00", "")[:SEARCH_MAX].strip()
    if term:
        episodes = episodes.filter(
            Q(client__local_id__iexact=term)
            | Q(client__family_name__icontains=term)
            | Q(client__given_name__icontains=term)
            | Q(client__preferred_name__icontains=term)
        )
    upcoming = counted(OuterRef("pk")).filter(
        outcome=Outcome.SCHEDULED, session__starts_at__gte=timezone.now()
    )
    seen = counted(OuterRef("pk")).filter(outcome=Outcome.ATTENDED)
    unrecorded = counted(OuterRef("pk")).filter(
        outcome=Outcome.SCHEDULED, session__starts_at__lt=timezone.now()
    )
    episodes = episodes.annotate(
        next_appointment=Subquery(
            upcoming.order_by("session__starts_at").values("session__starts_at")[:1]
        ),
        last_contact=Subquery(
            seen.order_by("-session__starts_at").values("session__starts_at")[:1]
        ),
        reengaging=Found(ReEngagement.objects.filter(episode=OuterRef("pk"), ended_on=None)),
        unrecorded=Found(unrecorded),
        review_due=review_due_of(OuterRef("pk")),
        actions_overdue=overdue_actions_of(OuterRef("pk"), timezone.localdate()),
        risk_flags=flags_of(OuterRef("pk")),
        to_chase=Found(stalled_referrals(timezone.localdate()).filter(episode=OuterRef("pk"))),
        outcomes_due=outcomes_due_of(OuterRef("pk")),
        recovery_due=check_due_of(OuterRef("pk")),
    )
    episodes = episodes.filter(only(show))
    return episodes.select_related("client", "phase", "keyworker__user", "team").order_by(
        *SORTS.get(sort, SORTS["name"])
    )


@cache
def timeline_sources() -> list[Callable[[Sequence[Episode]], list[Entry]]]:
    """Every app's `timeline.entries`, in the order the apps are installed (found once)."""
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("keywork.") and module_has_submodule(config.module, "timeline"):
            found.append(import_module(f"{config.name}.timeline").entries)
    return found


@dataclass(frozen=True)
class ClientRecord:
    """Everything the client record page shows."""

    episodes: list[Episode]
    current: Episode | None  # the open episode
    latest: Episode | None  # the open one, or else the one discharged last
    timeline: list[Entry]  # latest first
    assessment: Assessment | None  # the current episode's latest
    plan: CarePlan | None  # the current episode's latest version
    key_change: Goal | None  # the goal it names as the key change (rule 2)
    review_due: dt.date | None
    actions_overdue: list[PlanAction]  # the current plan's, past their date and not done
    phases: list[PhaseSpan]  # the latest episode's
    reintegration: list[dt.date]  # latest first
    outcome_charts: list[Chart]
    outcomes_due: dt.date | None
    recovery_due: dt.date | None
    recovery_charts: list[Chart]
    next_checkup: CheckUp | None
    next_appointment: Attendance | None
    appointments: list[Attendance]  # booked, still to come, soonest first
    unrecorded: list[Attendance]  # booked, past, no outcome recorded yet
    reengaging: ReEngagement | None

    def context(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def record_of(client: Client) -> ClientRecord:
    """The client record, in a fixed number of queries: each app's entries for the client's
    episodes, and the summary drawn from them."""
    episodes = list(
        client.episodes.select_related("phase", "team", "service", "keyworker__user")
        .prefetch_related(
            Prefetch("substances", ProblemSubstance.objects.select_related("substance"))
        )
        .order_by("-referral_date", "-pk")
    )
    entries = [found for source in timeline_sources() for found in source(episodes)]
    current = next((e for e in episodes if e.is_open), None)
    latest = current or next(iter(episodes), None)

    def items(kind: str) -> list[Any]:
        return [e.item for e in entries if e.kind == kind]

    plan = next(
        (p for p in reversed(items("care_plan")) if current and p.episode_id == current.pk), None
    )
    measured = [
        p for p in items("outcomes") if latest and p.episode_id == latest.pk and not p.in_error
    ]
    checked = [
        c for c in items("check") if current and c.episode_id == current.pk and not c.in_error
    ]
    moves = [m for m in items("phase") if latest and m.episode_id == latest.pk]
    now = timezone.now()
    booked = sorted(
        (a for a in items("appointment") if current and a.episode_id == current.pk),
        key=lambda a: a.session.starts_at,
    )
    booked = [a for a in booked if not a.in_error]
    upcoming = [a for a in booked if a.session.starts_at >= now]
    return ClientRecord(
        episodes=episodes,
        current=current,
        latest=latest,
        timeline=sorted((e for e in entries if e.day), key=lambda e: e.order, reverse=True),
        assessment=next(
            (a for a in reversed(items("assessment")) if current and a.episode_id == current.pk),
            None,
        ),
        plan=plan,
        key_change=next(iter(getattr(plan, "key_changes", [])), None),
        review_due=review_due(plan, items("review")) if plan else None,
        actions_overdue=overdue_actions(plan, timezone.localdate()) if plan else [],
        phases=phase_spans(latest, moves),
        reintegration=sorted(
            (
                timezone.localdate(a.session.starts_at)
                for a in items("session")
                if a.session.kind == KeyworkSession.Kind.REINTEGRATION and not a.in_error
            ),
            reverse=True,
        ),
        outcome_charts=charts_of(measured),
        outcomes_due=outcomes_due(current, measured) if current else None,
        recovery_due=recovery_due(current, checked) if current else None,
        recovery_charts=recovery_charts(checked),
        next_checkup=next(
            (c for c in items("checkup") if c.status == "due" and not c.in_error), None
        ),
        next_appointment=next(iter(upcoming), None),
        appointments=upcoming,
        unrecorded=[a for a in booked if a.session.starts_at < now],
        reengaging=open_reengagement(current) if current else None,
    )


CONTACT_WINDOW = dt.timedelta(weeks=8)


@dataclass(frozen=True)
class ContactFlag:
    """An open episode whose most frequent contact lately was not the keyworker (seed 004:
    the keyworker is normally the worker with most regular contact)."""

    episode: Episode
    most_seen_by: str
    most_seen: int
    keyworker_seen: int


def contact_flags(episodes: QuerySet[Episode], *, now: dt.datetime) -> QuerySet[Episode]:
    """Open episodes whose client was seen most over the last 8 weeks by someone other than
    their keyworker (a group's facilitator sees everyone in it, so groups do not count), by
    the client's family name: each with `most_seen`, `most_seen_by` (a worker's id) and
    `keyworker_seen`. Worked out by the database for each episode; read a page at a time
    (`flagged`)."""
    lately = Attendance.objects.filter(
        outcome=Outcome.ATTENDED,
        session__kind__in=(KeyworkSession.Kind.ONE_TO_ONE, KeyworkSession.Kind.REINTEGRATION),
        entered_in_error_at__isnull=True,
        session__starts_at__gte=now - CONTACT_WINDOW,
    )
    # Only episodes someone else has seen lately can be flagged: one pass over the scope's
    # episodes finds them, and only they are counted episode by episode. Over the scope's:
    # over every episode, SQLite went through the whole service's attendances for a team's
    # flags (215 ms for a team of 2,500 at 30,000 clients; 38 ms over the team's).
    seen_by_others = (
        lately.filter(episode__in=episodes.values("pk"))
        .exclude(recorded_by=F("episode__keyworker"))
        .values("episode")
    )
    recent = lately.filter(episode=OuterRef("pk"))
    by_others = (
        recent.exclude(recorded_by=OuterRef("keyworker_id"))
        .values("recorded_by")
        .annotate(n=Count("pk"))
        .order_by("-n", "recorded_by")
    )
    own = recent.filter(recorded_by=OuterRef("keyworker_id")).values("episode")
    return (
        episodes.filter(discharged_on__isnull=True, pk__in=seen_by_others)
        .annotate(
            most_seen=Subquery(by_others.values("n")[:1]),
            most_seen_by=Subquery(by_others.values("recorded_by")[:1]),
            keyworker_seen=Coalesce(Subquery(own.annotate(n=Count("pk")).values("n")), 0),
        )
        .filter(most_seen__gt=F("keyworker_seen"))
        .select_related("client", "keyworker__user")
        .order_by("client__family_name", "pk")
    )


FlagRow = tuple[int, int, int, int]  # episode, most seen by (a worker), most seen, keyworker seen


def flag_rows(episodes: QuerySet[Episode], *, now: dt.datetime) -> list[FlagRow]:
    """`contact_flags` as rows, in their order: what the team view pages through."""
    found = contact_flags(episodes, now=now)
    rows = found.values_list("pk", "most_seen_by", "most_seen", "keyworker_seen")  # type: ignore[misc]
    return [(pk, by, n, own) for pk, by, n, own in rows]


def flagged(episodes: QuerySet[Episode], rows: Sequence[FlagRow]) -> list[ContactFlag]:
    """A page of flag rows, with their episodes (those of `episodes` still) and the names of
    those who saw the clients most."""
    shown = episodes.select_related("client", "keyworker__user").in_bulk([r[0] for r in rows])
    ids = {by for _, by, _, _ in rows}
    workers = {w.pk: w.name for w in Worker.objects.filter(pk__in=ids).select_related("user")}
    return [
        ContactFlag(shown[pk], workers.get(by, ""), n, own)
        for pk, by, n, own in rows
        if pk in shown
    ]


def team_figures(key: dict[str, Any]) -> dict[str, Any]:
    """The team view's figures over a team's or a service's episodes (`key`: its
    `team_id` or its `service_id`): each keyworker's workload and the contact flags. Worked
    out by the task worker for a service (keywork/measures/snapshots.py), as JSON."""
    episodes = Episode.objects.filter(**key)
    return {
        "workload": workload(episodes.filter(discharged_on__isnull=True)),
        "flags": flag_rows(episodes, now=timezone.now()),
    }


WORKLOAD = ("username", "name", "clients", "overdue", "reengaging", "flagged")


def workload(episodes: QuerySet[Episode]) -> list[tuple[Any, ...]]:
    """Per keyworker of these open episodes, by name: their username and name, open
    clients, reviews overdue, re-engaging, flagged (WORKLOAD), in one query."""
    day = timezone.localdate()
    episodes = episodes.annotate(
        review_due=review_due_of(OuterRef("pk")),
        reengaging=Exists(ReEngagement.objects.filter(episode=OuterRef("pk"), ended_on=None)),
        risk_flags=flags_of(OuterRef("pk")),
    )
    rows = (
        episodes.values_list(
            "keyworker__user__username",
            "keyworker__user__first_name",
            "keyworker__user__last_name",
        )
        .annotate(
            clients=Count("pk"),
            overdue=Count("pk", filter=Q(review_due__lt=day) | Q(review_due__isnull=True)),
            reengaging_now=Count("pk", filter=Q(reengaging=True)),
            flagged=Count("pk", filter=Q(risk_flags__gt="")),
        )
        .order_by("keyworker__user__last_name", "keyworker__user__first_name")
    )
    return [(username, f"{first} {last}", *counts) for username, first, last, *counts in rows]


def workload_rows(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Rows of `workload` (kept as JSON lists), by WORKLOAD's names."""
    return [dict(zip(WORKLOAD, row, strict=True)) for row in rows]


FOUND_MAX = 50


def find_clients(user: Actor, asked: str) -> list[Client]:
    """Everyone this user may see (discharged clients too) whose client id, NHS number or
    date of birth is the one asked, or whose name holds each word asked: one query, at most
    FOUND_MAX, by name."""
    term = asked.replace("\x00", "")[:SEARCH_MAX].strip()
    if not term:
        return []
    digits = "".join(term.split())
    if len(digits) == 10 and digits.isdigit():
        asked_for = Q(nhs_number=digits) | Q(local_id__iexact=term)
    elif (day := _day(term)) is not None:
        asked_for = Q(date_of_birth=day)
    else:
        asked_for = Q(local_id__iexact=term) | _names(term)
    # Those asked for first, then which of them the user may see: the scope's subqueries
    # then run over the few found, not over every client (six times faster at 30,000).
    named = Client.objects.filter(asked_for).values("pk")
    found = policies.clients_visible_to(user).filter(pk__in=named)
    # By name without regard to case: a sort no index gives, so the database finds those
    # asked for first (by the names' trigram indexes on PostgreSQL) and sorts the few found,
    # instead of walking every client in name order for the first it may show.
    by_name = (Upper("family_name"), Upper("given_name"), "pk")
    return list(found.order_by(*by_name)[:FOUND_MAX])


def _names(term: str) -> Q:
    wanted = Q()
    for word in term.split():
        wanted &= (
            Q(family_name__icontains=word)
            | Q(given_name__icontains=word)
            | Q(preferred_name__icontains=word)
        )
    return wanted


def _day(term: str) -> dt.date | None:
    try:
        return parse_date(term, field="q")
    except RuleViolation:
        return None
