"""The only writers of keywork sessions: schedule, record what happened, amend the notes,
mark an entry in error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from keywork.access import audit, policies
from keywork.access.audit import Actor, user_or_none
from keywork.access.models import AuditEvent, Team, Worker
from keywork.access.queries import check_competent
from keywork.catalogue.models import Entry
from keywork.clients import actions as clients
from keywork.clients.models import Episode
from keywork.core.errors import AccessDenied, RuleViolation
from keywork.core.writes import action
from keywork.sessions import rules
from keywork.sessions.models import (
    Attendance,
    CarePlanWork,
    KeyworkSession,
    NoteRevision,
    Outcome,
    ReEngagement,
)
from keywork.sessions.rules import SessionContent

Verb = AuditEvent.Verb


@dataclass(frozen=True)
class NextAppointment:
    starts_at: dt.datetime
    duration_minutes: int = 45
    location: str = ""


def _practitioner(actor: Actor, episode: Episode) -> Worker:
    worker = policies.worker_of(actor)
    if worker is None or not policies.can_work_with(actor, episode):
        raise AccessDenied("only keyworkers in the client's team record their sessions")
    return worker


def _require_open(episode: Episode, day: dt.date) -> None:
    if episode.discharged_on is not None and day > episode.discharged_on:
        raise RuleViolation(
            "EPISODE", "the episode was discharged before this session: it cannot be recorded on it"
        )
    if day < episode.referral_date:
        raise RuleViolation("EPISODE", "this session is before the client was referred")


def _one_to_one(
    episode: Episode, worker: Worker, starts_at: dt.datetime, minutes: int, location: str
) -> Attendance:
    session = KeyworkSession.objects.create(
        team=episode.team,
        kind=KeyworkSession.Kind.ONE_TO_ONE,
        starts_at=starts_at,
        duration_minutes=minutes,
        location=location,
    )
    session.facilitators.add(worker)
    return Attendance.objects.create(session=session, episode=episode)


@action
def schedule_session(
    *,
    actor: Actor,
    episode: Episode,
    starts_at: dt.datetime,
    duration_minutes: int = 45,
    location: str = "",
) -> Attendance:
    """Book a one-to-one appointment with the acting worker."""
    worker = _practitioner(actor, episode)
    if not episode.is_open:
        raise RuleViolation("EPISODE", "the episode is discharged: book no more appointments")
    attendance = _one_to_one(episode, worker, starts_at, duration_minutes, location)
    audit.record(
        actor=actor,
        verb=Verb.CREATE,
        what="schedule_session",
        client=episode.client,
        obj=attendance,
        detail={"starts_at": starts_at.isoformat()},
    )
    return attendance


@action
def schedule_group(
    *,
    actor: Actor,
    team: Team,
    title: str,
    starts_at: dt.datetime,
    facilitators: Sequence[Worker],
    episodes: Sequence[Episode],
    duration_minutes: int = 90,
    location: str = "",
) -> KeyworkSession:
    """Book a group session with its facilitators and the clients invited to it."""
    worker = policies.worker_of(actor)
    if worker is None or worker.team_id != team.pk or not worker.is_practitioner:
        raise AccessDenied("only keyworkers in the team book its group sessions")
    if not title.strip():
        raise RuleViolation("INVALID", "title: a group session has a name", field="title")
    if not facilitators or any(f.team_id != team.pk or not f.is_practitioner for f in facilitators):
        raise RuleViolation(
            "INVALID", "facilitators: one or more keyworkers of this team", field="facilitators"
        )
    if not episodes or any(e.team_id != team.pk or not e.is_open for e in episodes):
        raise RuleViolation(
            "INVALID", "clients: invite clients with open episodes in this team", field="episodes"
        )
    session = KeyworkSession.objects.create(
        team=team,
        kind=KeyworkSession.Kind.GROUP,
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location,
    )
    session.facilitators.set(facilitators)
    for episode in episodes:
        attendance = Attendance.objects.create(session=session, episode=episode)
        audit.record(
            actor=actor,
            verb=Verb.CREATE,
            what="schedule_group",
            client=episode.client,
            obj=attendance,
            detail={"title": title, "starts_at": starts_at.isoformat()},
        )
    return session


def _entries(content: SessionContent) -> dict[str, Entry]:
    codes = {*content.topics, *content.interventions, *content.techniques}
    found = Entry.objects.offered().select_related("tier", "parent").filter(code__in=codes)
    return {entry.code: entry for entry in found}


@action
def record_attendance(
    *,
    actor: Actor,
    attendance: Attendance,
    outcome: str,
    content: SessionContent | None = None,
    next_appointment: NextAppointment | None = None,
    discharge_reason: str = "",
) -> Attendance:
    """Record what happened at a booked session. An attended session keeps rule 9's minimum
    content and books the next appointment (unless the client is discharged with it); every
    intervention must be one the worker is competent to deliver that day (rule 4); a missed
    appointment starts re-engagement."""
    episode, session = attendance.episode, attendance.session
    worker = _practitioner(actor, episode)
    if (
        session.kind == KeyworkSession.Kind.GROUP
        and not session.facilitators.filter(pk=worker.pk).exists()
    ):
        raise AccessDenied("only the group's facilitators record its attendance")
    rules.check_not_recorded(outcome=attendance.outcome, in_error=attendance.in_error)
    if outcome not in Outcome.values or outcome == Outcome.SCHEDULED:
        raise RuleViolation("INVALID", f"outcome: '{outcome}' is not an outcome", field="outcome")
    rules.check_outcome_time(outcome=outcome, starts_at=session.starts_at, now=timezone.now())
    day = timezone.localdate(session.starts_at)
    _require_open(episode, day)
    attendance.outcome, attendance.recorded_by = outcome, worker
    attendance.recorded_at = timezone.now()
    if outcome == Outcome.ATTENDED:
        _attended(attendance, worker, day, content, next_appointment, bool(discharge_reason))
    elif content is not None and content.notes:
        attendance.notes = content.notes
    attendance.save()
    open_reengagement = ReEngagement.objects.filter(episode=episode, ended_on__isnull=True)
    if outcome == Outcome.DID_NOT_ATTEND and not open_reengagement.exists():
        ReEngagement.objects.create(episode=episode, started_on=day, started_by=attendance)
    audit.record(
        actor=actor,
        verb=Verb.CHANGE,
        what="record_session",
        client=episode.client,
        obj=attendance,
        detail={
            "outcome": outcome,
            "interventions": list(content.interventions) if content else [],
        },
    )
    if discharge_reason:
        clients.discharge(actor=actor, episode=episode, on=day, exit_reason=discharge_reason)
    return attendance


def _attended(
    attendance: Attendance,
    worker: Worker,
    day: dt.date,
    content: SessionContent | None,
    next_appointment: NextAppointment | None,
    discharging: bool,
) -> None:
    if content is None:
        raise RuleViolation("R9", "an attended session records its minimum content")
    rules.check_minimum_content(content, care_plan_choices=set(CarePlanWork.values))
    entries = _entries(content)
    rules.check_entry_kinds(content, {code: e.kind for code, e in entries.items()})
    for code in content.interventions:
        check_competent(worker, entries[code], day)
    rules.check_next_appointment(
        next_at=next_appointment.starts_at if next_appointment else None,
        session_at=attendance.session.starts_at,
        discharging=discharging,
    )
    for name in ("care_plan_work", "information_advice", "harm_reduction", "motivational_work"):
        setattr(attendance, name, getattr(content, name))
    attendance.notes = content.notes
    if next_appointment is not None:
        following = _one_to_one(
            attendance.episode,
            worker,
            next_appointment.starts_at,
            next_appointment.duration_minutes,
            next_appointment.location,
        )
        attendance.next_session = following.session
    attendance.topics.set([entries[c] for c in content.topics])
    attendance.interventions.set([entries[c] for c in content.interventions])
    attendance.techniques.set([entries[c] for c in content.techniques])
    ReEngagement.objects.filter(episode=attendance.episode, ended_on__isnull=True).update(
        ended_on=day, ended_by=attendance
    )


@action
def record_session(
    *,
    actor: Actor,
    episode: Episode,
    starts_at: dt.datetime,
    outcome: str = Outcome.ATTENDED,
    content: SessionContent | None = None,
    next_appointment: NextAppointment | None = None,
    discharge_reason: str = "",
    duration_minutes: int = 45,
    location: str = "",
) -> Attendance:
    """Record a one-to-one session that was not booked beforehand (a drop-in, a phone call)."""
    worker = _practitioner(actor, episode)
    _require_open(episode, timezone.localdate(starts_at))
    attendance = _one_to_one(episode, worker, starts_at, duration_minutes, location)
    return record_attendance(
        actor=actor,
        attendance=attendance,
        outcome=outcome,
        content=content,
        next_appointment=next_appointment,
        discharge_reason=discharge_reason,
    )


@action
def amend_notes(*, actor: Actor, attendance: Attendance, notes: str, reason: str) -> NoteRevision:
    """Change a session's notes with a reason; the old notes are kept and shown (rule 13)."""
    _practitioner(actor, attendance.episode)
    if attendance.in_error:
        raise RuleViolation("R13", "this entry is marked entered in error; it is not amended")
    rules.check_amendment(reason=reason, old=attendance.notes, new=notes)
    revision = NoteRevision.objects.create(
        attendance=attendance,
        old_notes=attendance.notes,
        new_notes=notes,
        reason=reason,
        amended_by=user_or_none(actor),
    )
    attendance.notes = notes
    attendance.save(update_fields=["notes"])
    audit.record(
        actor=actor,
        verb=Verb.CHANGE,
        what="amend_notes",
        client=attendance.episode.client,
        obj=attendance,
        detail={"reason": reason},
    )
    return revision


@action
def mark_entered_in_error(*, actor: Actor, attendance: Attendance, reason: str) -> Attendance:
    """A mistaken entry stays on the record, marked, and no longer counts (rule 13)."""
    _practitioner(actor, attendance.episode)
    if attendance.in_error:
        raise RuleViolation("R13", "this entry is already marked entered in error")
    if not reason.strip():
        raise RuleViolation("R13", "say why the entry is in error", field="reason")
    attendance.entered_in_error_at = timezone.now()
    attendance.entered_in_error_by = user_or_none(actor)
    attendance.entered_in_error_reason = reason
    attendance.save(
        update_fields=["entered_in_error_at", "entered_in_error_by", "entered_in_error_reason"]
    )
    audit.record(
        actor=actor,
        verb=Verb.CHANGE,
        what="mark_entered_in_error",
        client=attendance.episode.client,
        obj=attendance,
        detail={"reason": reason},
    )
    return attendance
