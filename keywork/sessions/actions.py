"""The only writers of keywork sessions: schedule one-to-ones and groups, record what
happened (a group's register line by line), record reintegration work, amend the notes, mark
an entry in error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.utils import timezone

from keywork.access.models import Team, Worker
from keywork.access.queries import check_competent
from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.catalogue.models import Entry
from keywork.clients import actions as clients
from keywork.clients import policies
from keywork.clients.models import Episode, ExitReason
from keywork.core.actors import Actor, user_or_none
from keywork.core.dates import uk
from keywork.core.errors import AccessDenied, RuleViolation, invalid
from keywork.core.records import check_version, lock, mark_in_error
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
    episode: Episode,
    worker: Worker,
    starts_at: dt.datetime,
    minutes: int,
    location: str,
    kind: str = KeyworkSession.Kind.ONE_TO_ONE,
) -> Attendance:
    """A meeting of this worker with this client, booked (the attendance is scheduled)."""
    session = KeyworkSession.objects.create(
        team=episode.team,
        kind=kind,
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
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
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
    weeks: int = 1,
) -> list[KeyworkSession]:
    """Book a group session with its facilitators and the clients invited to it; with
    `weeks` above one, the same group weekly, each week's attendance list the same."""
    worker = policies.worker_of(actor)
    if worker is None or worker.team_id != team.pk or not worker.is_practitioner:
        raise AccessDenied("only keyworkers in the team book its group sessions")
    rules.check_group(
        title=title,
        weeks=weeks,
        duration_minutes=duration_minutes,
        facilitators_in_team=bool(facilitators)
        and all(
            f.team_id == team.pk and f.is_practitioner and f.user.is_active for f in facilitators
        ),
        clients_in_team=bool(episodes)
        and all(e.team_id == team.pk and e.is_open for e in episodes),
    )
    booked = []
    for week in range(weeks):
        session = KeyworkSession.objects.create(
            team=team,
            kind=KeyworkSession.Kind.GROUP,
            title=title,
            starts_at=starts_at + dt.timedelta(weeks=week),
            duration_minutes=duration_minutes,
            location=location,
        )
        session.facilitators.set(facilitators)
        for episode in episodes:
            attendance = Attendance.objects.create(session=session, episode=episode)
            trail.record(
                actor=actor,
                verb=Verb.CREATE,
                client=episode.client,
                obj=attendance,
                detail={"title": title, "starts_at": session.starts_at.isoformat()},
            )
        booked.append(session)
    return booked


def _entries(content: SessionContent) -> dict[str, Entry]:
    codes = {*content.topics, *content.interventions, *content.techniques}
    found = (
        Entry.objects.offered()
        .select_related("tier", "parent")
        .prefetch_related("phases")
        .filter(code__in=codes)
    )
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
    if outcome == Outcome.ATTENDED:
        _attended(attendance, worker, day, content, next_appointment, bool(discharge_reason))
    elif content is not None and content.notes:
        attendance.notes = content.notes
    attendance.outcome, attendance.recorded_by = outcome, worker
    attendance.recorded_at = timezone.now()
    attendance.save()
    open_reengagement = ReEngagement.objects.filter(episode=episode, ended_on__isnull=True)
    if outcome == Outcome.DID_NOT_ATTEND and not open_reengagement.exists():
        ReEngagement.objects.create(episode=episode, started_on=day, started_by=attendance)
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
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
    booked = _booked_after(attendance)
    rules.check_next_appointment(
        next_at=next_appointment.starts_at if next_appointment else None,
        session_at=attendance.session.starts_at,
        discharging=discharging,
        already_booked=booked is not None,
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
    elif booked is not None and not discharging:
        attendance.next_session = booked.session
    _keep_content(attendance, content, entries, day)


def _booked_after(attendance: Attendance) -> Attendance | None:
    """The client's next appointment already booked after this session, if any."""
    return (
        Attendance.objects.filter(
            episode=attendance.episode,
            outcome=Outcome.SCHEDULED,
            entered_in_error_at__isnull=True,
            session__starts_at__gt=attendance.session.starts_at,
        )
        .select_related("session")
        .order_by("session__starts_at")
        .first()
    )


def _keep_content(
    attendance: Attendance, content: SessionContent, entries: dict[str, Entry], day: dt.date
) -> None:
    """Link what was covered; contact made ends any open re-engagement."""
    attendance.topics.set([entries[c] for c in content.topics])
    attendance.interventions.set([entries[c] for c in content.interventions])
    attendance.techniques.set([entries[c] for c in content.techniques])
    ReEngagement.objects.filter(
        episode=attendance.episode, ended_on__isnull=True, started_on__lte=day
    ).update(ended_on=day, ended_by=attendance)


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


@dataclass(frozen=True)
class RegisterLine:
    """One invited client's line in a group's register."""

    attendance: Attendance
    outcome: str
    notes: str = ""
    next_appointment: NextAppointment | None = None


@action
def record_group(
    *,
    actor: Actor,
    session: KeyworkSession,
    content: SessionContent | None,
    register: Sequence[RegisterLine],
) -> list[Attendance]:
    """Take a group's register: what the group covered (shared by everyone who came) and, for
    each client listed, the outcome, their own notes and their next appointment. Each line is
    recorded as a one-to-one is, so every rule holds for every client; a refused line names
    the client and refuses the whole register."""
    if session.kind != KeyworkSession.Kind.GROUP:
        raise invalid("session", "this is not a group session")
    if not register:
        raise invalid("register", "record the outcome for at least one client")
    recorded = []
    for line in register:
        if line.attendance.session_id != session.pk:
            raise invalid(
                "register", f"{line.attendance.episode.client} is not on this group's list"
            )
        try:
            recorded.append(
                record_attendance(
                    actor=actor,
                    attendance=line.attendance,
                    outcome=line.outcome,
                    content=_own_content(content, line),
                    next_appointment=line.next_appointment,
                )
            )
        except AccessDenied:
            raise
        except RuleViolation as error:
            client = line.attendance.episode.client
            raise RuleViolation(
                error.code,
                f"{client.name} ({client.local_id}): {error.message}",
                field=error.field,
                suggestion=error.suggestion,
            ) from error
    return recorded


def _own_content(shared: SessionContent | None, line: RegisterLine) -> SessionContent | None:
    """The group's content with this client's own notes after the group's."""
    if line.outcome != Outcome.ATTENDED:
        return SessionContent("", "", "", "", notes=line.notes)
    if shared is None:
        return None
    notes = "\n\n".join(part for part in (shared.notes.strip(), line.notes.strip()) if part)
    return replace(shared, notes=notes)


@action
def record_reintegration(
    *,
    actor: Actor,
    episode: Episode,
    starts_at: dt.datetime,
    content: SessionContent,
    duration_minutes: int = 45,
    location: str = "",
) -> Attendance:
    """Record reintegration work: community integration and recovery capital, at any phase
    and after discharge (rule 2). Interventions keep rule 4 as in a keywork session."""
    worker = _practitioner(actor, episode)
    day = timezone.localdate(starts_at)
    rules.check_outcome_time(outcome=Outcome.ATTENDED, starts_at=starts_at, now=timezone.now())
    if day < episode.referral_date:
        raise RuleViolation("EPISODE", "this work is before the client was referred")
    if episode.exit_reason == ExitReason.DIED and day > (episode.discharged_on or day):
        raise RuleViolation("EPISODE", "the client has died: no work is recorded after that")
    entries = _entries(content)
    rules.check_entry_kinds(content, {code: e.kind for code, e in entries.items()})
    phases = {code: {p.code for p in e.phases.all()} for code, e in entries.items()}
    rules.check_reintegration(content, phases)
    for code in content.interventions:
        check_competent(worker, entries[code], day)
    attendance = _one_to_one(
        episode, worker, starts_at, duration_minutes, location, KeyworkSession.Kind.REINTEGRATION
    )
    attendance.outcome, attendance.recorded_by = Outcome.ATTENDED, worker
    attendance.recorded_at, attendance.notes = timezone.now(), content.notes
    attendance.save(update_fields=["outcome", "recorded_by", "recorded_at", "notes"])
    _keep_content(attendance, content, entries, day)
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        client=episode.client,
        obj=attendance,
        detail={"topics": list(content.topics), "interventions": list(content.interventions)},
    )
    return attendance


def notes_version(attendance: Attendance) -> int:
    """How many times the notes have been amended: the version an amendment starts from."""
    return NoteRevision.objects.filter(attendance=attendance).count()


@action
def amend_session_notes(
    *,
    actor: Actor,
    attendance: Attendance,
    notes: str,
    reason: str,
    expected_version: int | None = None,
) -> NoteRevision:
    """Change a session's notes with a reason; the old notes are kept and shown (rule 13).
    `expected_version` is the number of amendments the editor saw (none: 0)."""
    _practitioner(actor, attendance.episode)
    lock(attendance)
    if expected_version is not None:
        check_version(
            expected=expected_version,
            current=notes_version(attendance),
            what="The notes of this session",
            theirs=lambda: {"Notes": attendance.notes},
        )
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
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=attendance.episode.client,
        obj=attendance,
        detail={"reason": reason},
    )
    return revision


@action
def mark_session_in_error(*, actor: Actor, attendance: Attendance, reason: str) -> Attendance:
    """A mistaken entry stays on the record, marked, and no longer counts (rule 13)."""
    _practitioner(actor, attendance.episode)
    mark_in_error(attendance, "session", reason, entered_in_error_by=user_or_none(actor))
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=attendance.episode.client,
        obj=attendance,
        detail={"reason": reason},
    )
    return attendance


# The sessions app's part in a discharge (registered in keywork/sessions/apps.py) --------


def last_seen(episode: Episode) -> dt.date | None:
    """The day of the last appointment attended or missed (not one entered in error)."""
    seen = (
        episode.attendances.filter(
            outcome__in=(Outcome.ATTENDED, Outcome.DID_NOT_ATTEND),
            entered_in_error_at__isnull=True,
        )
        .order_by("-session__starts_at")
        .values_list("session__starts_at", flat=True)
        .first()
    )
    return timezone.localdate(seen) if seen else None


def cancel_after_discharge(actor: Actor, episode: Episode, on: dt.date) -> dict[str, int]:
    """Appointments booked after the discharge day are cancelled by the service."""
    after = timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min))
    cancelled = episode.attendances.filter(
        outcome=Outcome.SCHEDULED, session__starts_at__gte=after
    ).update(
        outcome=Outcome.CANCELLED_BY_SERVICE,
        recorded_by=policies.worker_of(actor),
        recorded_at=timezone.now(),
        notes=f"Cancelled: discharged on {uk(on)}.",
    )
    return {"cancelled": cancelled}
