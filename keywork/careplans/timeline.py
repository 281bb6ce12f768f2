"""Care plans as agreed, version by version, and their reviews, on a client's timeline
(keywork/clients/timeline.py)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Prefetch

from keywork.careplans.models import CarePlan, Goal, Review
from keywork.clients.models import Episode
from keywork.clients.timeline import Entry, entry, ids


def entries(episodes: Sequence[Episode]) -> list[Entry]:
    plans = list(
        CarePlan.objects.filter(episode_id__in=ids(episodes))
        .select_related("made_by__user")
        .prefetch_related(  # rule 2: the goal named as the key change, with its phase
            Prefetch(
                "goals",
                Goal.objects.filter(key_change_phase__isnull=False).select_related(
                    "key_change_phase"
                ),
                to_attr="key_changes",
            )
        )
        .order_by("version")
    )
    reviews = (
        Review.objects.filter(care_plan_id__in=[p.pk for p in plans])
        .select_related("reviewed_by__user", "care_plan")
        .order_by("reviewed_on", "pk")
    )
    return [entry("careplans", "care_plan", p.agreed_on, p) for p in plans] + [
        entry("careplans", "review", r.reviewed_on, r) for r in reviews
    ]
