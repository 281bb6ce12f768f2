"""Import lines for keywork sessions; each calls the action the web form calls."""

from __future__ import annotations

from keywork.access.audit import Actor
from keywork.clients.importers import client_of, open_episode_of
from keywork.core.errors import invalid
from keywork.core.importer import Fields, importer
from keywork.sessions import actions
from keywork.sessions.actions import NextAppointment
from keywork.sessions.models import Attendance
from keywork.sessions.rules import SessionContent


def content(f: Fields) -> SessionContent:
    return SessionContent(
        care_plan_work=f.text("care_plan_work", ""),
        information_advice=f.text("information_advice", ""),
        harm_reduction=f.text("harm_reduction", ""),
        motivational_work=f.text("motivational_work", ""),
        topics=f.codes("topics"),
        interventions=f.codes("interventions"),
        techniques=f.codes("techniques"),
        notes=f.text("notes", ""),
    )


def next_appointment(f: Fields) -> NextAppointment | None:
    following = f.record("next_appointment")
    if following is None:
        return None
    return NextAppointment(
        starts_at=following.moment("starts_at"),
        duration_minutes=following.number("duration_minutes", 45),
        location=following.text("location", ""),
    )


def attendance_of(actor: Actor, f: Fields) -> Attendance:
    """The client's session that started at `starts_at` (open episode or not)."""
    client = client_of(actor, f)
    starts_at = f.moment("starts_at")
    found = Attendance.objects.filter(episode__client=client, session__starts_at=starts_at).first()
    if found is None:
        raise invalid("starts_at", f"no session for this client at {starts_at:%d/%m/%Y %H:%M}")
    return found


@importer("schedule_session")
def schedule_session(actor: Actor, f: Fields) -> object:
    return actions.schedule_session(
        actor=actor,
        episode=open_episode_of(actor, f),
        starts_at=f.moment("starts_at"),
        duration_minutes=f.number("duration_minutes", 45),
        location=f.text("location", ""),
    )


@importer("record_session")
def record_session(actor: Actor, f: Fields) -> object:
    """Record what happened: at a booked session if one starts then, else a new one."""
    episode = open_episode_of(actor, f)
    starts_at = f.moment("starts_at")
    booked = Attendance.objects.filter(
        episode=episode, session__starts_at=starts_at, outcome="scheduled"
    ).first()
    outcome, what = f.text("outcome", "attended"), content(f)
    following, discharge_reason = next_appointment(f), f.text("discharge_reason", "")
    if booked is not None:
        return actions.record_attendance(
            actor=actor,
            attendance=booked,
            outcome=outcome,
            content=what,
            next_appointment=following,
            discharge_reason=discharge_reason,
        )
    return actions.record_session(
        actor=actor,
        episode=episode,
        starts_at=starts_at,
        outcome=outcome,
        content=what,
        next_appointment=following,
        discharge_reason=discharge_reason,
        duration_minutes=f.number("duration_minutes", 45),
        location=f.text("location", ""),
    )


@importer("amend_notes")
def amend_notes(actor: Actor, f: Fields) -> object:
    return actions.amend_notes(
        actor=actor,
        attendance=attendance_of(actor, f),
        notes=f.text("notes"),
        reason=f.text("reason", ""),
    )


@importer("mark_entered_in_error")
def mark_entered_in_error(actor: Actor, f: Fields) -> object:
    return actions.mark_entered_in_error(
        actor=actor, attendance=attendance_of(actor, f), reason=f.text("reason", "")
    )
