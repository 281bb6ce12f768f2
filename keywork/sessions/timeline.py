"""Keywork sessions, one-to-one, group and reintegration, as recorded, on a client's timeline
(keywork/clients/timeline.py); those still booked are "appointment" entries with no day yet
(off the timeline, in the record's list of appointments)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Prefetch
from django.utils import timezone

from keywork.clients.models import Episode
from keywork.clients.timeline import Entry, entry, ids
from keywork.sessions import hooks
from keywork.sessions.models import Attendance, NoteRevision, Outcome


def _day(attendance: Attendance) -> dt.date:
    return timezone.localdate(attendance.session.starts_at)


def _time(attendance: Attendance) -> dt.time:
    return timezone.localtime(attendance.session.starts_at).time()


def entries(episodes: Sequence[Episode]) -> list[Entry]:
    attendances = list(
        Attendance.objects.filter(episode_id__in=ids(episodes))
        .select_related("session", "recorded_by__user", "entered_in_error_by")
        .prefetch_related(
            "topics",
            "interventions",
            "techniques",
            Prefetch("revisions", NoteRevision.objects.select_related("amended_by")),
        )
    )
    tools = hooks.tools_at([a.pk for a in attendances if a.outcome == Outcome.ATTENDED])
    for a in attendances:
        used = [*(str(t) for t in a.techniques.all()), *tools.get(a.pk, [])]
        a.tools_used = used  # type: ignore[attr-defined]
    return [
        entry("sessions", "appointment", None, a)
        if a.outcome == Outcome.SCHEDULED
        else entry("sessions", "session", _day(a), a, at=_time(a))
        for a in attendances
    ]
