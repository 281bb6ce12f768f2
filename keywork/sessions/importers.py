"""Import lines for keywork sessions; each calls the action the web form calls."""

from __future__ import annotations

from keywork.clients import queries
from keywork.clients.importers import (
    client_of,
    latest_episode_of,
    open_episode_of,
    team_of,
    workers,
)
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import Fields, importer
from keywork.sessions import actions
from keywork.sessions.actions import NextAppointment, RegisterLine
from keywork.sessions.models import Attendance, KeyworkSession
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


@importer("amend_session_notes")
def amend_session_notes(actor: Actor, f: Fields) -> object:
    return actions.amend_session_notes(
        actor=actor,
        attendance=attendance_of(actor, f),
        notes=f.text("notes"),
        reason=f.text("reason", ""),
        expected_version=f.optional_number("version"),
    )


@importer("mark_session_in_error")
def mark_session_in_error(actor: Actor, f: Fields) -> object:
    return actions.mark_session_in_error(
        actor=actor, attendance=attendance_of(actor, f), reason=f.text("reason", "")
    )


@importer("schedule_group")
def schedule_group(actor: Actor, f: Fields) -> object:
    ids = list(f.texts("clients"))
    episodes, missing = queries.open_episodes_by_id(actor, ids)
    if missing:
        raise invalid("clients", f"no open episode you can see for {', '.join(missing)}")
    return actions.schedule_group(
        actor=actor,
        team=team_of(f),
        title=f.text("title", ""),
        starts_at=f.moment("starts_at"),
        facilitators=workers(f, "facilitators"),
        episodes=episodes,
        duration_minutes=f.number("duration_minutes", 90),
        location=f.text("location", ""),
        weeks=f.number("weeks", 1),
    )


def group_of(f: Fields) -> KeyworkSession:
    """The team's group starting at `starts_at` (named by `title` if two start then)."""
    starts_at = f.moment("starts_at")
    found = KeyworkSession.objects.filter(
        team=team_of(f), kind=KeyworkSession.Kind.GROUP, starts_at=starts_at
    )
    if "title" in f.data:
        found = found.filter(title=f.text("title"))
    groups = list(found[:2])
    if not groups:
        raise invalid("starts_at", f"no group session at {starts_at:%d/%m/%Y %H:%M}")
    if len(groups) > 1:
        raise invalid("title", "more than one group starts then: name it by its title")
    return groups[0]


def register_line(session: KeyworkSession, f: Fields) -> RegisterLine:
    local_id = f.text("client")
    listed = session.attendances.select_related("episode__client").filter(
        episode__client__local_id=local_id
    )
    attendance = listed.first()
    if attendance is None:
        raise invalid("register", f"'{local_id}' is not on this group's list")
    return RegisterLine(attendance, f.text("outcome"), f.text("notes", ""), next_appointment(f))


@importer("record_group")
def record_group(actor: Actor, f: Fields) -> object:
    """A group's register: the content the group covered, and a line per client."""
    session = group_of(f)
    return actions.record_group(
        actor=actor,
        session=session,
        content=content(f),
        register=[register_line(session, line) for line in f.records("register")],
    )


@importer("record_reintegration")
def record_reintegration(actor: Actor, f: Fields) -> object:
    return actions.record_reintegration(
        actor=actor,
        episode=latest_episode_of(actor, f),
        starts_at=f.moment("starts_at"),
        content=content(f),
        duration_minutes=f.number("duration_minutes", 45),
        location=f.text("location", ""),
    )
