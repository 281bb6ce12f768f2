"""Outcome profiles on a client's timeline (keywork/clients/timeline.py)."""

from __future__ import annotations

from collections.abc import Sequence

from keywork.clients.models import Episode
from keywork.clients.timeline import Entry, entry, ids
from keywork.outcomes.models import OutcomeProfile


def entries(episodes: Sequence[Episode]) -> list[Entry]:
    profiles = (
        OutcomeProfile.objects.filter(episode_id__in=ids(episodes))
        .select_related("taken_by__user")
        .order_by("taken_on", "pk")
    )
    return [entry("outcomes", "outcomes", p.taken_on, p) for p in profiles]
