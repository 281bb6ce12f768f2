"""Reads for the caseload and the client record, each a fixed number of queries whatever the
size of the caseload or the length of the history."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.utils import timezone

from keywork.access.models import Worker
from keywork.assessments.models import Assessment
from keywork.careplans.models import CarePlan, Review
from keywork.careplans.queries import review_due
from keywork.checkups.models import CheckUp
from keywork.clients import policies
from keywork.clients.models import Allocation, Client, Episode, PhaseChange, ProblemSubstance
from keywork.core.actors import Actor
from keywork.interventions.models import Intervention
from keywork.outcomes.chart import charts_of
from keywork.outcomes.models import OutcomeProfile
from keywork.outcomes.queries import due_of as outcomes_due
from keywork.outcomes.queries import outcomes_due_of
from keywork.prescribing.models import DoseChange
from keywork.referrals.models import StatusChange
from keywork.referrals.queries import stalled_referrals
from keywork.sessions.models import (
    Attendance,
    KeyworkSession,
    NoteRevision,
    Outcome,
    ReEngagement,
)

SORTS: dict[str, tuple[str | Combinable, ...]] = {
    "name": ("client__family_name", "client__given_name", "pk"),
    "phase": ("phase__order", "client__family_name", "pk"),
    "next": (F("next_appointment").asc(nulls_first=True), "client__family_name", "pk"),
    "last": (F("last_contact").asc(nulls_first=True), "client__family_name", "pk"),
    "review": (F("review_due").asc(nulls_first=True), "client__family_name", "pk"),
}
REVIEW_SOON = dt.timedelta(days=14)
ONLY = {
    "reengaging": "Re-engaging",
    "review": "Review due, overdue or no care plan",
    "flagged": "Risk or safeguarding flags",
    "chase": "Referrals to chase",
    "outcomes": "Outcome profile due or overdue",
}


def only(name: str) -> Q:
    """The caseload filters, by the keys of ONLY."""
    if name == "reengaging":
        return Q(reengaging=True)
    if name == "review":
        soon = timezone.localdate() + REVIEW_SOON
        return Q(review_due__lte=soon) | Q(review_due__isnull=True)
    if name == "flagged":
        return Q(risk_flags__gt="")
    if name == "chase":
        return Q(to_chase=True)
    if name == "outcomes":
        return Q(outcomes_due__lte=timezone.localdate() + REVIEW_SOON)
    return Q()


def review_due_of(episode: OuterRef) -> Subquery:
    """When the episode's current care plan is next due for review: the latest review's next
    date, or the plan's own review date if it has not been reviewed (rule 11)."""
    last_review = Review.objects.filter(care_plan=OuterRef("pk")).order_by("-reviewed_on", "-pk")
    plans = (
        CarePlan.objects.filter(episode=episode)
        .order_by("-version")
        .annotate(due=Coalesce(Subquery(last_review.values("next_review_on")[:1]), "review_due"))
    )
    return Subquery(plans.values("due")[:1])


def flags_of(episode: OuterRef) -> Subquery:
    """The open risks and safeguarding concern of the episode's latest assessment."""
    latest = Assessment.objects.filter(episode=episode).order_by("-assessed_on", "-pk")
    return Subquery(latest.values("flags")[:1])


def counted(episode: OuterRef) -> QuerySet[Attendance]:
    """A client's attendances that count: not marked entered in error."""
    return Attendance.objects.filter(episode=episode, entered_in_error_at__isnull=True)


SEARCH_MAX = 100  # characters of a search: a name or a client id is far shorter


def caseload(
    user: Actor, *, scope: str, search: str = "", sort: str = "name", show: str = ""
) -> QuerySet[Episode]:
    """Open episodes to list: `mine` (where the user is keyworker) or `team` (all visible),
    with the next appointment, the last contact, any open re-engagement, the care-plan
    review date and the risk flags, in one query. `show` is a key of ONLY."""
    episodes = (
        policies.caseload_of(user)
        if scope == "mine"
        else policies.episodes_visible_to(user).filter(discharged_on__isnull=True)
    )
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
    episodes = episodes.annotate(
        next_appointment=Subquery(
            upcoming.order_by("session__starts_at").values("session__starts_at")[:1]
        ),
        last_contact=Subquery(
            seen.order_by("-session__starts_at").values("session__starts_at")[:1]
        ),
        reengaging=Exists(ReEngagement.objects.filter(episode=OuterRef("pk"), ended_on=None)),
        review_due=review_due_of(OuterRef("pk")),
        risk_flags=flags_of(OuterRef("pk")),
        to_chase=Exists(stalled_referrals(timezone.localdate()).filter(episode=OuterRef("pk"))),
        outcomes_due=outcomes_due_of(OuterRef("pk")),
    )
    episodes = episodes.filter(only(show))
    return episodes.select_related("client", "phase", "keyworker__user", "team").order_by(
        *SORTS.get(sort, SORTS["name"])
    )


def visible_client(user: Actor, local_id: str) -> Client | None:
    """The client, if this user may open their record; `via_break_glass` says whether by a
    break-glass access (so that each read is audited as such), in the same query."""
    worker = policies.worker_of(user)
    if worker is None:
        return None
    visible = policies.clients_visible_to(user).filter(local_id=local_id)
    return visible.annotate(via_break_glass=policies.broken_glass(worker)).first()


def open_episodes_by_id(user: Actor, ids: list[str]) -> tuple[list[Episode], list[str]]:
    """The open episodes this user can see for these client ids, in the order given, and the
    ids that have none."""
    found = {
        e.client.local_id: e
        for e in policies.episodes_visible_to(user)
        .filter(discharged_on=None, client__local_id__in=ids)
        .select_related("client")
    }
    ordered = list(dict.fromkeys(ids))
    return [found[i] for i in ordered if i in found], [i for i in ordered if i not in found]


# Within one day, the order things happen in (the timeline shows the latest first).
SAME_DAY_ORDER = (
    "allocation",
    "phase",
    "assessment",
    "outcomes",
    "care_plan",
    "intervention",
    "dose",
    "session",
    "intervention_end",
    "prescription_end",
    "referral",
    "review",
    "discharge",
    "checkup",
)


def latest_episode(client: Client) -> Episode | None:
    """The open episode, or else the one discharged last."""
    latest = (F("discharged_on").desc(nulls_first=True), "-referral_date", "-pk")
    return client.episodes.select_related("team").order_by(*latest).first()


def record_of(client: Client) -> dict[str, object]:
    """Everything the client record page shows, in a fixed number of queries."""
    episodes = list(
        client.episodes.select_related("phase", "team", "service", "keyworker__user")
        .prefetch_related(
            Prefetch("substances", ProblemSubstance.objects.select_related("substance"))
        )
        .order_by("-referral_date", "-pk")
    )
    ids = [e.pk for e in episodes]  # by id: each history table is read through its index
    allocations = Allocation.objects.filter(episode_id__in=ids).select_related(
        "worker__user", "decided_by"
    )
    moves = list(
        PhaseChange.objects.filter(episode_id__in=ids).select_related(
            "from_phase", "to_phase", "decided_by"
        )
    )
    attendances = list(
        Attendance.objects.filter(episode_id__in=ids)
        .exclude(outcome=Outcome.SCHEDULED)
        .select_related("session", "recorded_by__user", "entered_in_error_by")
        .prefetch_related(
            "topics",
            "interventions",
            "techniques",
            Prefetch("revisions", NoteRevision.objects.select_related("amended_by")),
        )
    )
    assessments = list(
        Assessment.objects.filter(episode_id__in=ids)
        .select_related("assessed_by__user")
        .prefetch_related("needs")
        .order_by("assessed_on", "pk")
    )
    plans = list(
        CarePlan.objects.filter(episode_id__in=ids)
        .select_related("made_by__user")
        .order_by("version")
    )
    reviews = list(
        Review.objects.filter(care_plan_id__in=[p.pk for p in plans])
        .select_related("reviewed_by__user", "care_plan")
        .order_by("reviewed_on", "pk")
    )
    interventions = Intervention.objects.filter(episode_id__in=ids).select_related(
        "entry", "practitioner__user"
    )
    doses = list(
        DoseChange.objects.filter(prescription__episode_id__in=ids).select_related(
            "prescription__medication"
        )
    )
    ended = {d.prescription_id: d.prescription for d in doses if d.prescription.ended_on}
    profiles = list(
        OutcomeProfile.objects.filter(episode_id__in=ids)
        .select_related("taken_by__user")
        .order_by("taken_on", "pk")
    )
    checkups = list(
        CheckUp.objects.filter(episode_id__in=ids)
        .select_related("worker__user", "returned_to")
        .order_by("due_on", "pk")
    )
    referral_steps = StatusChange.objects.filter(referral__episode_id__in=ids).select_related(
        "referral__destination", "referral__colleague__user"
    )
    timeline = sorted(
        [("allocation", a.started_on, a) for a in allocations]
        + [("phase", m.changed_on, m) for m in moves]
        + [("session", timezone.localdate(a.session.starts_at), a) for a in attendances]
        + [("assessment", a.assessed_on, a) for a in assessments]
        + [("outcomes", p.taken_on, p) for p in profiles]
        + [("care_plan", p.agreed_on, p) for p in plans]
        + [("review", r.reviewed_on, r) for r in reviews]
        + [("discharge", e.discharged_on, e) for e in episodes if e.discharged_on]
        + [("dose", d.from_date, d) for d in doses]
        + [("referral", c.on, c) for c in referral_steps]
        + [("prescription_end", p.ended_on, p) for p in ended.values()]
        + [("checkup", c.done_on, c) for c in checkups if c.done_on]
        + [
            (kind, day, i)
            for i in interventions
            for kind, day in (("intervention", i.started_on), ("intervention_end", i.ended_on))
            if day is not None
        ],
        key=lambda item: (item[1], SAME_DAY_ORDER.index(item[0])),
        reverse=True,
    )
    current = next((e for e in episodes if e.is_open), None)
    latest = current or next(iter(episodes), None)
    upcoming = (
        Attendance.objects.filter(
            episode=current,
            outcome=Outcome.SCHEDULED,
            session__starts_at__gte=timezone.now(),
            entered_in_error_at__isnull=True,
        )
        .select_related("session")
        .order_by("session__starts_at")
        .first()
        if current
        else None
    )
    reengaging = (
        ReEngagement.objects.filter(episode=current, ended_on=None).first() if current else None
    )
    plan = next((p for p in reversed(plans) if current and p.episode_id == current.pk), None)
    measured = [p for p in profiles if latest and p.episode_id == latest.pk and not p.in_error]
    return {
        "assessment": next(
            (a for a in reversed(assessments) if current and a.episode_id == current.pk), None
        ),
        "plan": plan,
        "review_due": review_due(plan, reviews) if plan else None,
        "episodes": episodes,
        "current": current,
        "latest": latest,
        "reintegration": sorted(
            (
                timezone.localdate(a.session.starts_at)
                for a in attendances
                if a.session.kind == KeyworkSession.Kind.REINTEGRATION and not a.in_error
            ),
            reverse=True,
        ),
        "phases": phase_spans(latest, [m for m in moves if latest and m.episode_id == latest.pk]),
        "timeline": timeline,
        "outcome_charts": charts_of(measured),
        "next_checkup": next((c for c in checkups if c.status == "due" and not c.in_error), None),
        "outcomes_due": outcomes_due(current, measured) if current else None,
        "next_appointment": upcoming,
        "reengaging": reengaging,
    }


@dataclass(frozen=True)
class PhaseSpan:
    """A stretch of an episode in one phase: from the move into it until the next move (or
    discharge, or today)."""

    move: PhaseChange
    ended_on: dt.date | None

    @property
    def days(self) -> int:
        return ((self.ended_on or timezone.localdate()) - self.move.changed_on).days


def phase_spans(episode: Episode | None, moves: list[PhaseChange]) -> list[PhaseSpan]:
    """The episode's phases in order, for the phase timeline (rule 2)."""
    ordered = sorted(moves, key=lambda m: (m.changed_on, m.pk))
    ends = [m.changed_on for m in ordered[1:]] + [episode.discharged_on if episode else None]
    return [PhaseSpan(move, end) for move, end in zip(ordered, ends, strict=True)]


CONTACT_WINDOW = dt.timedelta(weeks=8)


@dataclass(frozen=True)
class ContactFlag:
    """An open episode whose most frequent contact lately was not the keyworker (seed 004:
    the keyworker is normally the worker with most regular contact)."""

    episode: Episode
    most_seen_by: str
    most_seen: int
    keyworker_seen: int


def contact_flags(episodes: QuerySet[Episode], *, now: dt.datetime) -> list[ContactFlag]:
    """Over the last 8 weeks, who recorded the most attended sessions with each client (a
    group's facilitator sees everyone in it, so groups do not count); flag those where someone
    other than the keyworker did. Three queries whatever the team size."""
    counts = (
        Attendance.objects.filter(
            episode__in=episodes,
            outcome=Outcome.ATTENDED,
            session__kind__in=(KeyworkSession.Kind.ONE_TO_ONE, KeyworkSession.Kind.REINTEGRATION),
            entered_in_error_at__isnull=True,
            session__starts_at__gte=now - CONTACT_WINDOW,
        )
        .values("episode_id", "recorded_by_id")
        .annotate(n=Count("pk"))
    )
    seen: dict[int, dict[int, int]] = defaultdict(dict)
    for row in counts:
        seen[row["episode_id"]][row["recorded_by_id"]] = row["n"]
    flagged = []
    candidates = episodes.filter(pk__in=list(seen)).select_related("client", "keyworker__user")
    ids = {w for by_worker in seen.values() for w in by_worker}
    workers = {w.pk: w.name for w in Worker.objects.filter(pk__in=ids).select_related("user")}
    for episode in candidates:
        by_worker = seen[episode.pk]
        top, most = max(
            by_worker.items(), key=lambda item: (item[1], item[0] == episode.keyworker_id)
        )
        own = by_worker.get(episode.keyworker_id, 0)
        if top != episode.keyworker_id and most > own:
            flagged.append(ContactFlag(episode, workers[top], most, own))
    return sorted(flagged, key=lambda f: (f.episode.client.family_name, f.episode.pk))


def awaiting_reallocation(episodes: QuerySet[Episode]) -> QuerySet[Episode]:
    """Open episodes whose keyworker's account is disabled: to be reallocated (rule 1)."""
    return (
        episodes.filter(discharged_on__isnull=True, keyworker__user__is_active=False)
        .select_related("client", "keyworker__user", "phase")
        .order_by("keyworker__user__last_name", "client__family_name", "pk")
    )


def workload(episodes: QuerySet[Episode]) -> list[dict[str, object]]:
    """Per keyworker: open clients, reviews overdue, re-engaging, flagged, in one query."""
    day = timezone.localdate()
    return list(
        episodes.values("keyworker_id", "keyworker__user__first_name", "keyworker__user__last_name")
        .annotate(
            clients=Count("pk"),
            overdue=Count("pk", filter=Q(review_due__lt=day) | Q(review_due__isnull=True)),
            reengaging_now=Count("pk", filter=Q(reengaging=True)),
            flagged=Count("pk", filter=Q(risk_flags__gt="")),
        )
        .order_by("keyworker__user__last_name", "keyworker__user__first_name")
    )
