"""Comprehensive assessments, each with its needs, on a client's timeline
(keywork/clients/timeline.py)."""

from __future__ import annotations

from collections.abc import Sequence

from keywork.assessments.models import Assessment
from keywork.clients.models import Episode
from keywork.clients.timeline import Entry, entry, ids


def entries(episodes: Sequence[Episode]) -> list[Entry]:
    assessments = (
        Assessment.objects.filter(episode_id__in=ids(episodes))
        .select_related("assessed_by__user")
        .prefetch_related("needs")
        .order_by("assessed_on", "pk")
    )
    return [entry("assessments", "assessment", a.assessed_on, a) for a in assessments]
