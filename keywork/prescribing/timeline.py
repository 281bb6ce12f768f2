"""Prescriptions: every dose from the first, and the end, on a client's timeline
(keywork/clients/timeline.py)."""

from __future__ import annotations

from collections.abc import Sequence

from keywork.clients.models import Episode
from keywork.clients.timeline import Entry, entry, ids
from keywork.prescribing.models import DoseChange


def entries(episodes: Sequence[Episode]) -> list[Entry]:
    doses = list(
        DoseChange.objects.filter(prescription__episode_id__in=ids(episodes)).select_related(
            "prescription__medication"
        )
    )
    ended = {d.prescription_id: d.prescription for d in doses if d.prescription.ended_on}
    return [entry("prescribing", "dose", d.from_date, d) for d in doses] + [
        entry("prescribing", "prescription_end", p.ended_on, p) for p in ended.values()
    ]
