"""Maps on a client's timeline (keywork/clients/timeline.py): each version saved, on its day."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from keywork.clients.models import Episode
from keywork.clients.timeline import Entry, entry, ids
from keywork.maps.models import MapVersion


def entries(episodes: Sequence[Episode]) -> list[Entry]:
    versions = MapVersion.objects.filter(map__episode_id__in=ids(episodes)).select_related(
        "map__tool", "map__episode__client", "saved_by__user"
    )
    return [
        entry(
            "maps", "map", timezone.localdate(v.saved_at), v, timezone.localtime(v.saved_at).time()
        )
        for v in versions.order_by("saved_at", "pk")
    ]
