"""Reads of care plans, each a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from keywork.careplans.models import CarePlan, Goal, MilestoneProgress, Review
from keywork.clients.models import Client


def plans_of(client: Client) -> QuerySet[CarePlan]:
    """Every version of the client's care plans, newest first, whole."""
    return (
        CarePlan.objects.filter(episode_id__in=client.episodes.values("pk"))
        .select_related("made_by__user", "episode")
        .prefetch_related(
            Prefetch(
                "goals",
                Goal.objects.select_related("need").prefetch_related("milestones", "interventions"),
            ),
            "actions",
            Prefetch(
                "reviews",
                Review.objects.select_related(
                    "reviewed_by__user", "phase_change__to_phase"
                ).prefetch_related(
                    Prefetch("progress", MilestoneProgress.objects.select_related("milestone"))
                ),
            ),
        )
        .order_by("-episode__referral_date", "-version")
    )


def review_due(plan: CarePlan, reviews: Iterable[Review]) -> dt.date:
    """When the plan is next due for review: its last review's next date, or the plan's own
    (rule 11). `reviews` may hold other plans' reviews; only this plan's count."""
    own = sorted(
        (r for r in reviews if r.care_plan_id == plan.pk), key=lambda r: (r.reviewed_on, r.pk)
    )
    return own[-1].next_review_on if own else plan.review_due
