"""Reads for the caseload and the client record, each a fixed number of queries whatever the
size of the caseload or the length of the history."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from keywork.access import policies
from keywork.access.audit import Actor
from keywork.clients.models import Allocation, Client, Episode, PhaseChange, ProblemSubstance


def caseload(user: Actor, *, scope: str, search: str = "") -> QuerySet[Episode]:
    """Open episodes to list: `mine` (where the user is keyworker) or `team` (all visible)."""
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
    return episodes.select_related("client", "phase", "keyworker__user", "team").order_by(
        "client__family_name", "client__given_name", "pk"
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
    timeline = sorted(
        [("allocation", a.started_on, a) for a in allocations]
        + [("phase", m.changed_on, m) for m in moves],
        key=lambda item: (item[1], item[0]),
        reverse=True,
    )
    current = next((e for e in episodes if e.is_open), None)
    return {"episodes": episodes, "current": current, "timeline": timeline}
