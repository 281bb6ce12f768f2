"""Reads of recovery-capital checks: the instrument in use, a client's checks, what is due,
and the low domains a care plan might take up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Case, F, OuterRef, Subquery, When

from keywork.clients.models import Episode
from keywork.core.expressions import Found
from keywork.recovery import rules
from keywork.recovery.models import Check, Instrument


def instrument_in_use(code: str = "") -> Instrument | None:
    """The latest version loaded of the instrument (the service's setting if none named)."""
    wanted = code or settings.KEYWORK_RECOVERY_INSTRUMENT
    return Instrument.objects.filter(code=wanted).order_by("-loaded_at", "-pk").first()


def checks_of(episode: Episode, *, with_errors: bool = False) -> list[Check]:
    """The episode's checks, oldest first, with their instruments; those entered in error
    only if asked."""
    found = Check.objects.filter(episode=episode).select_related("taken_by__user", "instrument")
    if not with_errors:
        found = found.filter(entered_in_error_at=None)
    return list(found.order_by("taken_on", "pk"))


def due_of(episode: Episode, checks: list[Check]) -> dt.date | None:
    """When the next check is due: the start at once (from the referral), then at the next
    care-plan review; none after the exit check. `checks` exclude errors."""
    return checks[-1].next_due_on if checks else episode.referral_date


def check_due_of(episode: OuterRef) -> Case:
    """`due_of` in the database, for the caseload."""
    taken = Check.objects.filter(episode=episode, entered_in_error_at=None)
    latest = taken.order_by("-taken_on", "-pk").values("next_due_on")[:1]
    return Case(When(Found(taken), then=Subquery(latest)), default=F("referral_date"))


def suggested_goals(episode: Episode) -> tuple[Check | None, list[dict[str, Any]]]:
    """The latest check not in error, and its low domains (lowest first), each with the
    goal its instrument suggests: for the worker to choose from on the next care plan."""
    latest = (
        Check.objects.filter(episode=episode, entered_in_error_at=None)
        .select_related("instrument")
        .order_by("-taken_on", "-pk")
        .first()
    )
    return latest, low_of(latest)


def low_of(check: Check | None) -> list[dict[str, Any]]:
    """The check's low domains that have a goal to suggest, lowest first."""
    if check is None:
        return []
    return [d for d in rules.low_domains(check.scores, check.instrument.content) if d["goal"]]
