"""Reads of assessments."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from keywork.assessments.models import Assessment, Need
from keywork.clients.models import Client, Episode


def latest_assessment(episode: Episode) -> Assessment | None:
    return (
        Assessment.objects.filter(episode=episode)
        .prefetch_related("needs")
        .order_by("-assessed_on", "-pk")
        .first()
    )


def assessments_of(client: Client) -> QuerySet[Assessment]:
    """Every assessment of the client, oldest first, with its needs and who made it."""
    return (
        Assessment.objects.filter(episode__client=client)
        .select_related("assessed_by__user", "episode")
        .prefetch_related(Prefetch("needs", Need.objects.order_by("pk")))
        .order_by("assessed_on", "pk")
    )


def flags_of(episode: OuterRef) -> Subquery:
    """The open risks and safeguarding concern of the episode's latest assessment."""
    latest = Assessment.objects.filter(episode=episode).order_by("-assessed_on", "-pk")
    return Subquery(latest.values("flags")[:1])
