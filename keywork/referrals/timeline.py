"""Referrals, step by step along their status line, on a client's timeline
(keywork/clients/timeline.py)."""

from __future__ import annotations

from collections.abc import Sequence

from keywork.clients.models import Episode
from keywork.clients.timeline import Entry, entry, ids
from keywork.referrals.models import StatusChange


def entries(episodes: Sequence[Episode]) -> list[Entry]:
    steps = StatusChange.objects.filter(referral__episode_id__in=ids(episodes)).select_related(
        "referral__destination", "referral__colleague__user"
    )
    return [entry("referrals", "referral", c.on, c) for c in steps]
