"""Reads of intervention records, a fixed number of queries whatever their number."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from keywork.clients.models import Client
from keywork.interventions.models import Amendment, Intervention, Offer


def interventions_of(client: Client) -> QuerySet[Intervention]:
    """The client's intervention records, every episode, latest first, with the sessions
    counted and the amendments."""
    return (
        Intervention.objects.filter(episode__client=client)
        .select_related("entry__reports_as", "practitioner__user", "episode")
        .annotate(delivered=Count("sessions"))
        .prefetch_related(Prefetch("amendments", Amendment.objects.select_related("amended_by")))
        .order_by("-started_on", "-pk")
    )


def offers_of(client: Client) -> QuerySet[Offer]:
    """The interventions offered to the client, every episode, latest first."""
    return (
        Offer.objects.filter(episode__client=client)
        .select_related("entry", "offered_by__user")
        .order_by("-offered_on", "-pk")
    )
