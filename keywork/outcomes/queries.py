"""Reads of outcome profiles: what is due, and the change over time."""

from __future__ import annotations

import datetime as dt

from keywork.clients.models import Episode
from keywork.outcomes import rules
from keywork.outcomes.models import OutcomeProfile, Stage


def profiles_of(episode: Episode) -> list[OutcomeProfile]:
    return list(
        OutcomeProfile.objects.filter(episode=episode, entered_in_error_at=None).order_by(
            "taken_on", "pk"
        )
    )


def due_of(episode: Episode, profiles: list[OutcomeProfile]) -> dt.date | None:
    """When the next profile is due (rule 11): the start at once, then every
    `outcome_review_months` of the service; none after the exit profile."""
    exited = any(p.stage == Stage.EXIT for p in profiles)
    last = profiles[-1].taken_on if profiles else None
    due = rules.next_due(last_on=last, months=episode.service.outcome_review_months, exited=exited)
    return episode.referral_date if due == dt.date.min else due
