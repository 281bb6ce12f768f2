"""Reads of recovery check-ups."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from keywork.checkups.models import CheckUp, Status
from keywork.clients import policies
from keywork.clients.models import Client
from keywork.core.actors import Actor

SOON = dt.timedelta(days=14)


def checkups_of(client: Client) -> list[CheckUp]:
    """Every check-up of the client, every episode, in due order."""
    return list(
        CheckUp.objects.filter(episode__client=client)
        .select_related("worker__user", "returned_to", "episode")
        .prefetch_related("further_services")
        .order_by("due_on", "pk")
    )


def due_checkups(user: Actor, day: dt.date) -> QuerySet[CheckUp]:
    """The user's check-ups due by two weeks from `day` and not yet recorded."""
    worker = policies.worker_of(user)
    return (
        CheckUp.objects.filter(
            worker=worker, status=Status.DUE, due_on__lte=day + SOON, entered_in_error_at=None
        )
        .select_related("episode__client")
        .order_by("due_on", "pk")
    )
