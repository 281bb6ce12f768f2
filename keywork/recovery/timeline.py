"""Recovery-capital checks on a client's timeline (keywork/clients/timeline.py)."""

from __future__ import annotations

from collections.abc import Sequence

from keywork.clients.models import Episode
from keywork.clients.timeline import Entry, entry, ids
from keywork.recovery.models import Check


def entries(episodes: Sequence[Episode]) -> list[Entry]:
    checks = (
        Check.objects.filter(episode_id__in=ids(episodes))
        .select_related("taken_by__user", "episode__client", "instrument")
        .order_by("taken_on", "pk")
    )
    return [entry("recovery", "check", c.taken_on, c) for c in checks]
