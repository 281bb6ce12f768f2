"""Reads of outcome profiles: what is due, and the change over time."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, F, OuterRef, Subquery, When

from keywork.clients.models import Episode
from keywork.core.expressions import Found
from keywork.outcomes.models import OutcomeProfile


def profiles_of(episode: Episode, *, with_errors: bool = False) -> list[OutcomeProfile]:
    """The episode's profiles, oldest first; those entered in error only if asked."""
    found = OutcomeProfile.objects.filter(episode=episode).select_related("taken_by__user")
    if not with_errors:
        found = found.filter(entered_in_error_at=None)
    return list(found.order_by("taken_on", "pk"))


def due_of(episode: Episode, profiles: list[OutcomeProfile]) -> dt.date | None:
    """When the next profile is due (rule 11): the start at once (from the referral), then
    what the latest profile set; none after the exit profile. `profiles` exclude errors."""
    return profiles[-1].next_due_on if profiles else episode.referral_date


def outcomes_due_of(episode: OuterRef) -> Case:
    """`due_of` in the database, for the caseload: the latest profile's next due date, or the
    referral date before any profile."""
    taken = OutcomeProfile.objects.filter(episode=episode, entered_in_error_at=None)
    latest = taken.order_by("-taken_on", "-pk").values("next_due_on")[:1]
    return Case(When(Found(taken), then=Subquery(latest)), default=F("referral_date"))
