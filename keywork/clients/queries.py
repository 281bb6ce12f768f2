"""Reads for the caseload and the client record, each a fixed number of queries whatever the
size of the caseload or the length of the history."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import Combinable
from django.utils import timezone

from keywork.access import policies
from keywork.access.audit import Actor
from keywork.clients.models import Allocation, Client, Episode, PhaseChange, ProblemSubstance
from keywork.sessions.models import Attendance, NoteRevision, Outcome, ReEngagement

SORTS: dict[str, tuple[str | Combinable, ...]] = {
    "name": ("client__family_name", "client__given_name", "pk"),
    "phase": ("phase__order", "client__family_name", "pk"),
    "next": (F("next_appointment").asc(nulls_first=True), "client__family_name", "pk"),
    "last": (F("last_contact").asc(nulls_first=True), "client__family_name", "pk"),
}


def counted(episode: OuterRef) -> QuerySet[Attendance]:
    """A client's attendances that count: not marked entered in error."""
    return Attendance.objects.filter(episode=episode, entered_in_error_at__isnull=True)


def caseload(
    user: Actor, *, scope: str, search: str = "", sort: str = "name", reengaging: bool = False
) -> QuerySet[Episode]:
    """Open episodes to list: `mine` (where the user is keyworker) or `team` (all visible),
    with the next appointment, the last contact and any open re-engagement, in one query."""
    episodes = (
        policies.caseload_of(user)
        if scope == "mine"
        else policies.episodes_visible_to(user).filter(discharged_on__isnull=True)
    )
    if search.strip():
        term = search.strip()
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
    )
    if reengaging:
        episodes = episodes.filter(reengaging=True)
    return episodes.select_related("client", "phase", "keyworker__user", "team").order_by(
        *SORTS.get(sort, SORTS["name"])
    )


def visible_client(user: Actor, local_id: str) -> Client | None:
    return policies.clients_visible_to(user).filter(local_id=local_id).first()


def record_of(client: Client) -> dict[str, object]:
    """Everything the client record page shows, in a fixed number of queries."""
    episodes = list(
        client.episodes.select_related("phase", "team", "service", "keyworker__user")
        .prefetch_related(
            Prefetch("substances", ProblemSubstance.objects.select_related("substance"))
        )
        .order_by("-referral_date", "-pk")
    )
    allocations = Allocation.objects.filter(episode__client=client).select_related(
        "worker__user", "decided_by"
    )
    moves = PhaseChange.objects.filter(episode__client=client).select_related(
        "from_phase", "to_phase", "decided_by"
    )
    attendances = (
        Attendance.objects.filter(episode__client=client)
        .exclude(outcome=Outcome.SCHEDULED)
        .select_related("session", "recorded_by__user", "entered_in_error_by")
        .prefetch_related(
            "topics",
            "interventions",
            "techniques",
            Prefetch("revisions", NoteRevision.objects.select_related("amended_by")),
        )
    )
    timeline = sorted(
        [("allocation", a.started_on, a) for a in allocations]
        + [("phase", m.changed_on, m) for m in moves]
        + [("session", timezone.localdate(a.session.starts_at), a) for a in attendances],
        key=lambda item: (item[1], item[0]),
        reverse=True,
    )
    current = next((e for e in episodes if e.is_open), None)
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
    return {
        "episodes": episodes,
        "current": current,
        "timeline": timeline,
        "next_appointment": upcoming,
        "reengaging": reengaging,
    }
