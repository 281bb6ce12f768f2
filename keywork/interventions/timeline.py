"""Interventions, where each started and where it ended, on a client's timeline
(keywork/clients/timeline.py)."""

from __future__ import annotations

from collections.abc import Sequence

from keywork.clients.models import Episode
from keywork.clients.timeline import Entry, entry, ids
from keywork.interventions.models import Intervention


def entries(episodes: Sequence[Episode]) -> list[Entry]:
    interventions = Intervention.objects.filter(episode_id__in=ids(episodes)).select_related(
        "entry", "practitioner__user"
    )
    return [
        entry("interventions", kind, day, i)
        for i in interventions
        for kind, day in (("intervention", i.started_on), ("intervention_end", i.ended_on))
        if day is not None
    ]
