"""Keywork sessions, one-to-one, group and reintegration, as recorded (not those still booked),
on a client's timeline (keywork/clients/timeline.py)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Prefetch
from django.utils import timezone

from keywork.clients.models import Episode
from keywork.clients.timeline import Entry, entry, ids
from keywork.sessions.models import Attendance, NoteRevision, Outcome


def entries(episodes: Sequence[Episode]) -> list[Entry]:
    attendances = (
        Attendance.objects.filter(episode_id__in=ids(episodes))
        .exclude(outcome=Outcome.SCHEDULED)
        .select_related("session", "recorded_by__user", "entered_in_error_by")
        .prefetch_related(
            "topics",
            "interventions",
            "techniques",
            Prefetch("revisions", NoteRevision.objects.select_related("amended_by")),
        )
    )
    return [
        entry("sessions", "session", timezone.localdate(a.session.starts_at), a)
        for a in attendances
    ]
