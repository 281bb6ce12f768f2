"""Reads of referrals."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet

from keywork.clients.models import Client
from keywork.referrals.models import WAITING, Referral, StatusChange


def stalled_referrals(day: dt.date) -> QuerySet[Referral]:
    """Referrals still waiting whose chase date has come."""
    return Referral.objects.filter(
        status__in=WAITING, chase_on__lte=day, entered_in_error_at__isnull=True
    )


def referrals_of(client: Client) -> list[Referral]:
    """The client's referrals, every episode, latest first, with their status history."""
    return list(
        Referral.objects.filter(episode__client=client)
        .select_related("destination", "colleague__user", "intervention", "made_by__user")
        .prefetch_related(Prefetch("changes", StatusChange.objects.select_related("by")))
        .order_by("-made_on", "-pk")
    )
