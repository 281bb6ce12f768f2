"""Recovery check-ups on a client's timeline (keywork/clients/timeline.py): those done, on
the day they were done; those still due, undated (for the record's summary)."""

from __future__ import annotations

from collections.abc import Sequence

from keywork.checkups.models import CheckUp
from keywork.clients.models import Episode
from keywork.clients.timeline import Entry, entry, ids


def entries(episodes: Sequence[Episode]) -> list[Entry]:
    checkups = (
        CheckUp.objects.filter(episode_id__in=ids(episodes))
        .select_related("worker__user", "returned_to")
        .order_by("due_on", "pk")
    )
    return [entry("checkups", "checkup", c.done_on, c) for c in checkups]
