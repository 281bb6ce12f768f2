"""Reads for the group pages, each a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet

from keywork.access.models import Team, Worker
from keywork.sessions.models import Attendance, KeyworkSession, Outcome

GROUPS_SINCE = dt.timedelta(weeks=8)


def groups_of(team: Team, *, now: dt.datetime) -> QuerySet[KeyworkSession]:
    """The team's group sessions from eight weeks ago onwards, with how many clients are
    listed, came, and are still to record."""
    return (
        KeyworkSession.objects.filter(
            team=team, kind=KeyworkSession.Kind.GROUP, starts_at__gte=now - GROUPS_SINCE
        )
        .annotate(
            listed=Count("attendances"),
            came=Count("attendances", filter=Q(attendances__outcome=Outcome.ATTENDED)),
            to_record=Count("attendances", filter=Q(attendances__outcome=Outcome.SCHEDULED)),
        )
        .prefetch_related(Prefetch("facilitators", Worker.objects.select_related("user")))
        .order_by("starts_at", "pk")
    )


def group_lines(session: KeyworkSession) -> list[Attendance]:
    """Everyone listed for a group, by name, with what is recorded for them."""
    return list(
        session.attendances.select_related("episode__client", "recorded_by__user")
        .prefetch_related("topics", "interventions")
        .order_by("episode__client__family_name", "episode__client__given_name", "pk")
    )
