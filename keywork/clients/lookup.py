"""The client a value leads to, for the audit trail: the client itself, the client behind
an episode or a clinical record, or the client with a local id. Registered with the audit
app (keywork/clients/apps.py), which knows no client model."""

from __future__ import annotations

from typing import Any

from keywork.clients.models import Client

# Where the client is found behind a record: itself, or behind its episode or care plan.
PATHS = (
    (),
    ("client",),
    ("episode", "client"),
    ("care_plan", "episode", "client"),
    ("goal", "care_plan", "episode", "client"),
)


def client_of(value: Any) -> Client | None:
    if isinstance(value, str):
        return Client.objects.filter(local_id=value).first() if value else None
    for path in PATHS:
        found = value
        for name in path:
            found = getattr(found, name, None)
        if isinstance(found, Client):
            return found
    return None
