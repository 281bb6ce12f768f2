"""The break-glass accesses of a session, kept in it so that every page shows the banner
without asking the database (the accesses themselves are BreakGlass rows)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone

from keywork.clients.models import BreakGlass

SESSION = "keywork_break_glass"  # {client id: when the access ends}


def remember(request: HttpRequest, grants: list[BreakGlass]) -> None:
    kept = dict(request.session.get(SESSION, {}))
    for grant in grants:
        kept[grant.client.local_id] = grant.ends_at.isoformat()
    request.session[SESSION] = kept


def running(request: HttpRequest) -> list[tuple[str, dt.datetime]]:
    """(client id, ends at) of this session's break-glass accesses still running."""
    session = getattr(request, "session", None)
    if session is None:
        return []
    now = timezone.now()
    found = []
    for local_id, ends in session.get(SESSION, {}).items():
        ends_at = dt.datetime.fromisoformat(ends)
        if ends_at > now:
            found.append((local_id, timezone.localtime(ends_at)))
    return sorted(found)
