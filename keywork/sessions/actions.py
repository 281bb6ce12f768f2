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
from keywork.careplans.actions import check_reason_for
from keywork.catalogue import rules as catalogue_rules
from keywork.catalogue.models import Entry
from keywork.clients import actions as clients
from keywork.clients import policies
from keywork.clients.models import Episode, ExitReason
from keywork.core.actors import Actor, user_or_none
from keywork.core.dates import uk
from keywork.core.errors import AccessDenied, RuleViolation, invalid
from keywork.core.inputs import Reason, about, version
from keywork.core.records import check_version, lock, mark_in_error
from keywork.core.writes import action
from keywork.sessions import rules
from keywork.sessions.models import (
    AppointmentMove,
    Attendance,
    CarePlanWork,
    KeyworkSession,
    NoteRevision,
    Outcome,
    Place,
    ReEngagement,
)

Verb = AuditEvent.Verb
CANCELLED_BY = {"client": Outcome.CANCELLED_BY_CLIENT, "service": Outcome.CANCELLED_BY_SERVICE}
RECORDED = [o for o in Outcome.values if o != Outcome.SCHEDULED]


@dataclass(frozen=True, kw_only=True)
class SessionContent:
    """What an attended keywork session records (rule 9), as catalogue codes and text."""

    care_plan_work: str = about("care-plan work done", default="", choices=CarePlanWork)
    information_advice: str = about("information and advice given", default="")
    harm_reduction: str = about("harm reduction work", default="")
    motivational_work: str = about("motivational work", default="")
    topics: tuple[str, ...] = about("topics covered (catalogue codes)", default=())
    interventions: tuple[str, ...] = about("interventions delivered (catalogue codes)", default=())
    techniques: tuple[str, ...] = about("techniques and mapping tools used", default=())
    notes: str = about("the session's notes", default="")


@dataclass(frozen=True, kw_only=True)
class Appointment:
    """A one-to-one appointment: when, how long, where."""

    starts_at: dt.datetime = about("when it starts")
    duration_minutes: int = about("how long, in minutes", default=45)
    place: str = about("where or how it meets", default=Place.OFFICE, choices=Place)
    location: str = about("where, in words (a room, an address)", default="")


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


def _book(episode: Episode, worker: Worker, appointment: Appointment) -> Attendance:
    """A one-to-one appointment of this worker with this client, booked (the attendance
    saved, scheduled)."""
    attendance = _meeting(
        episode,
        worker,
        appointment.starts_at,
        appointment.duration_minutes,
        appointment.location,
        place=appointment.place,
    )
    attendance.save()
    return attendance


def _meeting(
    episode: Episode,
    worker: Worker,
    starts_at: dt.datetime,
    minutes: int,
    location: str,
    kind: str = KeyworkSession.Kind.ONE_TO_ONE,
    place: str = Place.OFFICE,
) -> Attendance:
    """The session of a meeting of this worker with this client, with the client's
    attendance not yet saved: the caller saves it once, booked or with its outcome."""
    if place not in Place.values:
        raise invalid("place", f"'{place}' is not one of {', '.join(Place.values)}")
    session = KeyworkSession.objects.create(
        team_id=episode.team_id,  # the id alone: the team is not read to be named
        kind=kind,
        starts_at=starts_at,
        duration_minutes=minutes,
        location=location,
        place=place,
    )
    session.facilitators.add(worker)
    return Attendance(session=session, episode=episode)


@action
def schedule_session(*, actor: Actor, episode: Episode, given: Appointment) -> Attendance:
    """Book a one-to-one appointment with the acting worker."""
    worker = _practitioner(actor, episode)
    if not episode.is_open:
        raise RuleViolation("EPISODE", "the episode is discharged: book no more appointments")
    attendance = _book(episode, worker, given)
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        client=episode.client,
        obj=attendance,
        detail={"starts_at": given.starts_at.isoformat()},
    )
    return attendance


@dataclass(frozen=True, kw_only=True)
class ScheduleGroupInput:
    """A group session, or the same group weekly."""

    title: str = about("the group's title, at most 120 characters")
    starts_at: dt.datetime = about("when the (first) group starts")
    facilitators: Sequence[Worker] = about("the keyworkers in the team who run it")
    duration_minutes: int = about("how long, 15 to 480 minutes", default=90)
    location: str = about("where", default="")
    weeks: int = about("how many weekly sessions to book, up to 52", default=1)


@action
def schedule_group(
    *, actor: Actor, team: Team, episodes: Sequence[Episode], given: ScheduleGroupInput
) -> list[KeyworkSession]:
    """Book a group session with its facilitators and the clients invited to it; with
    `weeks` above one, the same group weekly, each week's attendance list the same."""
    worker = policies.worker_of(actor)
    if worker is None or worker.team_id != team.pk or not worker.is_practitioner:
        raise AccessDenied("only keyworkers in the team book its group sessions")
    rules.check_group(
        title=given.title,
        weeks=given.weeks,
        duration_minutes=given.duration_minutes,
        facilitators_in_team=bool(given.facilitators)
        and all(
            f.team_id == team.pk and f.is_practitioner and f.user.is_active
            for f in given.facilitators
        ),
        clients_in_team=bool(episodes)
        and all(e.team_id == team.pk and e.is_open for e in episodes),
    )
    booked = []
    for week in range(given.weeks):
        session = KeyworkSession.objects.create(
            team=team,
            kind=KeyworkSession.Kind.GROUP,
            title=given.title,
            starts_at=given.starts_at + dt.timedelta(weeks=week),
            duration_minutes=given.duration_minutes,
            location=given.location,
        )
        session.facilitators.set(given.facilitators)
        for episode in episodes:
            attendance = Attendance.objects.create(session=session, episode=episode)
            trail.record(
                actor=actor,
                verb=Verb.CREATE,
                client=episode.client,
                obj=attendance,
                detail={"title": given.title, "starts_at": session.starts_at.isoformat()},
            )
        booked.append(session)
    return booked


def _check_ticked(episode: Episode, worker: Worker, ticked: list[Entry], day: dt.date) -> None:
    """What the worker delivered on the session, by the rules an intervention record keeps:
    never medical treatment (rule 7), nothing a group outside the service delivers, only
    what the worker is competent for (rule 4), recovery support with its reason (rule 8)."""
    for entry in ticked:
        field = "interventions"
        catalogue_rules.check_not_medical(name=entry.name, attributes=entry.attributes, field=field)
        catalogue_rules.check_delivered_by(
            name=entry.name, attributes=entry.attributes, has_practitioner=True, field=field
        )
        catalogue_rules.check_after_completion(
            name=entry.name,
            attributes=entry.attributes,
            completed=episode.completed,
            discharged_on=episode.discharged_on,
            day=day,
            field=field,
        )
        check_competent(worker, entry, day)
    _check_recovery_support(episode, ticked, day)


def _check_recovery_support(episode: Episode, ticked: list[Entry], day: dt.date) -> None:
    """Rule 8 on a session as on an intervention record: recovery support needs the need
    assessed and a goal in the care plan; facilitated access to mutual aid is an arranged
    first contact, recorded as an intervention with it, never a tick."""
    for entry in ticked:
        if entry.attributes.get("requires_first_contact"):
            raise RuleViolation(
                "R8",
                f"{entry.name} is an arranged first contact: record it as an intervention with "
                "the group, the date and how it was supported, not as a tick on a session",
                field="interventions",
            )
        check_reason_for(episode, entry, day, field="interventions")


def _entries(content: SessionContent, *, phases: bool = False) -> dict[str, Entry]:
    """The catalogue entries the content names, by code (with the phases each is listed for,
    when asked)."""
    codes = {*content.topics, *content.interventions, *content.techniques}
    found = Entry.objects.offered().select_related("tier", "parent").filter(code__in=codes)
    if phases:
        found = found.prefetch_related("phases")
    return {entry.code: entry for entry in found}


@dataclass(frozen=True, kw_only=True)
class RecordAttendanceInput:
    """What happened at a session: whether the client came, what was done, what is next."""

    outcome: str = about("what happened", default=Outcome.ATTENDED, choices=RECORDED)
    content: SessionContent | None = about(
        "if attended, rule 9's minimum content", default=None, flat=True
    )
    next_appointment: Appointment | None = about(
        "if attended, the next appointment (unless discharged)", default=None
    )
    discharge_reason: str = about(
        "discharge the client with this session, for this exit reason", default=""
    )


@action
def record_attendance(
    *, actor: Actor, attendance: Attendance, given: RecordAttendanceInput
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
    if given.outcome not in Outcome.values or given.outcome == Outcome.SCHEDULED:
        raise RuleViolation(
            "INVALID", f"outcome: '{given.outcome}' is not an outcome", field="outcome"
        )
    rules.check_outcome_time(outcome=given.outcome, starts_at=session.starts_at, now=timezone.now())
    day = timezone.localdate(session.starts_at)
    _require_open(episode, day)
    entries = None
    if given.outcome == Outcome.ATTENDED:
        entries = _attended(
            attendance,
            worker,
            day,
            given.content,
            given.next_appointment,
            bool(given.discharge_reason),
        )
    elif given.content is not None and given.content.notes:
        attendance.notes = given.content.notes
    attendance.outcome, attendance.recorded_by = given.outcome, worker
    attendance.recorded_at = timezone.now()
    attendance.save()
    if entries is not None and given.content is not None:
        _keep_content(attendance, given.content, entries, day)
    open_reengagement = ReEngagement.objects.filter(episode=episode, ended_on__isnull=True)
    if given.outcome == Outcome.DID_NOT_ATTEND and not open_reengagement.exists():
        ReEngagement.objects.create(episode=episode, started_on=day, started_by=attendance)
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=episode.client,
        obj=attendance,
        detail={
            "outcome": given.outcome,
            "interventions": list(given.content.interventions) if given.content else [],
        },
    )
    if given.discharge_reason:
        clients.discharge(
            actor=actor,
            episode=episode,
            given=clients.DischargeInput(on=day, exit_reason=given.discharge_reason),
        )
    return attendance


def _attended(
    attendance: Attendance,
    worker: Worker,
    day: dt.date,
    content: SessionContent | None,
    next_appointment: Appointment | None,
    discharging: bool,
) -> dict[str, Entry]:
    """Check an attended session's content and book what follows it; the catalogue entries
    its content names, to link once the attendance is saved."""
    if content is None:
        raise RuleViolation("R9", "an attended session records its minimum content")
    rules.check_minimum_content(content, care_plan_choices=set(CarePlanWork.values))
    entries = _entries(content)
    rules.check_entry_kinds(content, {code: e.kind for code, e in entries.items()})
    _check_ticked(attendance.episode, worker, [entries[c] for c in content.interventions], day)
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
        following = _book(attendance.episode, worker, next_appointment)
        attendance.next_session = following.session
    elif booked is not None and not discharging:
        attendance.next_session = booked.session
    return entries


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
    """Link what was covered (an attendance's content is recorded once, so nothing is there
    to replace); contact made ends any open re-engagement."""
    attendance.topics.add(*[entries[c] for c in content.topics])
    attendance.interventions.add(*[entries[c] for c in content.interventions])
    attendance.techniques.add(*[entries[c] for c in content.techniques])
    ReEngagement.objects.filter(
        episode=attendance.episode, ended_on__isnull=True, started_on__lte=day
    ).update(ended_on=day, ended_by=attendance)


@dataclass(frozen=True, kw_only=True)
class RecordSessionInput(RecordAttendanceInput):
    """A one-to-one session: when, and what happened."""

    starts_at: dt.datetime = about("when it started (a booked appointment's time records it)")
    duration_minutes: int = about("how long, in minutes (not booked)", default=45)
    place: str = about("where or how it met (not booked)", default=Place.OFFICE, choices=Place)
    location: str = about("where, in words (not booked)", default="")


def booked_at(episode: Episode, starts_at: dt.datetime) -> Attendance | None:
    """The client's one-to-one booked to start then, its outcome still to record."""
    found = (
        Attendance.objects.select_related("session")
        .filter(episode=episode, session__starts_at=starts_at, outcome=Outcome.SCHEDULED)
        .filter(session__kind=KeyworkSession.Kind.ONE_TO_ONE, entered_in_error_at__isnull=True)
        .first()
    )
    if found is not None:
        found.episode = episode  # the caller's, with what it has read of it already
    return found


@action
def record_session(*, actor: Actor, episode: Episode, given: RecordSessionInput) -> Attendance:
    """Record a one-to-one session: on the appointment booked for that time if there is one
    (never a second session beside it), else a session not booked beforehand (a drop-in, a
    phone call)."""
    worker = _practitioner(actor, episode)
    attendance = booked_at(episode, given.starts_at)
    if attendance is None:
        _require_open(episode, timezone.localdate(given.starts_at))
        attendance = _meeting(
            episode,
            worker,
            given.starts_at,
            given.duration_minutes,
            given.location,
            place=given.place,
        )
    return record_attendance(actor=actor, attendance=attendance, given=given)


@dataclass(frozen=True, kw_only=True)
class MoveAppointmentInput:
    """A booked appointment at another time, and why; the old time is kept."""

    starts_at: dt.datetime = about("the new time", line="moved_to")
    duration_minutes: int | None = about("how long, in minutes (as it was)", default=None)
    place: str = about("where or how (as it was)", default="", choices=Place)
    location: str | None = about("where, in words (as it was)", default=None)
    reason: str = about("why it moves", default="")


@action
def move_appointment(
    *, actor: Actor, attendance: Attendance, given: MoveAppointmentInput
) -> Attendance:
    """Move a booked one-to-one to another time (or place), with a reason; each move is kept."""
    session = attendance.session
    _practitioner(actor, attendance.episode)
    lock(session)
    rules.check_move(
        kind=session.kind,
        outcome=attendance.outcome,
        in_error=attendance.in_error,
        reason=given.reason,
        moved_to=given.starts_at,
        now=timezone.now(),
    )
    _require_open(attendance.episode, timezone.localdate(given.starts_at))
    if given.place and given.place not in Place.values:
        raise invalid("place", f"'{given.place}' is not one of {', '.join(Place.values)}")
    AppointmentMove.objects.create(
        session=session,
        was_at=session.starts_at,
        now_at=given.starts_at,
        reason=given.reason.strip(),
        moved_by=user_or_none(actor),
    )
    session.starts_at = given.starts_at
    session.duration_minutes = given.duration_minutes or session.duration_minutes
    session.place = given.place or session.place
    session.location = session.location if given.location is None else given.location
    session.save()
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=attendance.episode.client,
        obj=attendance,
        detail={"moved_to": given.starts_at.isoformat(), "reason": given.reason.strip()},
    )
    return attendance


@dataclass(frozen=True, kw_only=True)
class CancelAppointmentInput:
    """A booked appointment called off: by whom, and why."""

    by: str = about("who called it off", choices=CANCELLED_BY)
    reason: str = about("why", default="")


@action
def cancel_appointment(
    *, actor: Actor, attendance: Attendance, given: CancelAppointmentInput
) -> Attendance:
    """Cancel a booked appointment, by the client or by the service, with the reason (kept
    as its note); it stays in the diary and on the record, cancelled."""
    worker = _practitioner(actor, attendance.episode)
    rules.check_not_recorded(outcome=attendance.outcome, in_error=attendance.in_error)
    rules.check_cancellation(by=given.by, reason=given.reason, choices=CANCELLED_BY)
    attendance.outcome = CANCELLED_BY[given.by]
    attendance.notes = given.reason.strip()
    attendance.recorded_by, attendance.recorded_at = worker, timezone.now()
    attendance.save(update_fields=["outcome", "notes", "recorded_by", "recorded_at"])
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=attendance.episode.client,
        obj=attendance,
        detail={"outcome": attendance.outcome, "reason": attendance.notes},
    )
    return attendance


@dataclass(frozen=True)
class RegisterLine:
    """One invited client's line in a group's register."""

    attendance: Attendance
    outcome: str
    notes: str = ""
    next_appointment: Appointment | None = None


@dataclass(frozen=True, kw_only=True)
class RecordGroupInput:
    content: SessionContent | None
    register: Sequence[RegisterLine]


@action
def record_group(
    *, actor: Actor, session: KeyworkSession, given: RecordGroupInput
) -> list[Attendance]:
    """Take a group's register: what the group covered (shared by everyone who came) and, for
    each client listed, the outcome, their own notes and their next appointment. Each line is
    recorded as a one-to-one is, so every rule holds for every client; a refused line names
    the client and refuses the whole register."""
    if session.kind != KeyworkSession.Kind.GROUP:
        raise invalid("session", "this is not a group session")
    if not given.register:
        raise invalid("register", "record the outcome for at least one client")
    recorded = []
    for line in given.register:
        if line.attendance.session_id != session.pk:
            raise invalid(
                "register", f"{line.attendance.episode.client} is not on this group's list"
            )
        try:
            recorded.append(
                record_attendance(
                    actor=actor,
                    attendance=line.attendance,
                    given=RecordAttendanceInput(
                        outcome=line.outcome,
                        content=_own_content(given.content, line),
                        next_appointment=line.next_appointment,
                    ),
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
        return SessionContent(notes=line.notes)
    if shared is None:
        return None
    notes = "\n\n".join(part for part in (shared.notes.strip(), line.notes.strip()) if part)
    return replace(shared, notes=notes)


@dataclass(frozen=True, kw_only=True)
class RecordReintegrationInput:
    """Reintegration work: at least one of topics or interventions listed for Reintegration
    in the catalogue, and notes of what was done."""

    starts_at: dt.datetime = about("when it started")
    content: SessionContent = about("what was done", flat=True)
    duration_minutes: int = about("how long, in minutes", default=45)
    location: str = about("where", default="")


@action
def record_reintegration(
    *, actor: Actor, episode: Episode, given: RecordReintegrationInput
) -> Attendance:
    """Record reintegration work: community integration and recovery capital, at any phase
    and after discharge (rule 2). Interventions keep rule 4 as in a keywork session."""
    worker = _practitioner(actor, episode)
    day = timezone.localdate(given.starts_at)
    rules.check_outcome_time(
        outcome=Outcome.ATTENDED, starts_at=given.starts_at, now=timezone.now()
    )
    if day < episode.referral_date:
        raise RuleViolation("EPISODE", "this work is before the client was referred")
    if episode.exit_reason == ExitReason.DIED and day > (episode.discharged_on or day):
        raise RuleViolation("EPISODE", "the client has died: no work is recorded after that")
    entries = _entries(given.content, phases=True)
    rules.check_entry_kinds(given.content, {code: e.kind for code, e in entries.items()})
    phases = {code: {p.code for p in e.phases.all()} for code, e in entries.items()}
    rules.check_reintegration(given.content, phases)
    _check_ticked(episode, worker, [entries[c] for c in given.content.interventions], day)
    attendance = _meeting(
        episode,
        worker,
        given.starts_at,
        given.duration_minutes,
        given.location,
        KeyworkSession.Kind.REINTEGRATION,
    )
    attendance.outcome, attendance.recorded_by = Outcome.ATTENDED, worker
    attendance.recorded_at, attendance.notes = timezone.now(), given.content.notes
    attendance.save()
    _keep_content(attendance, given.content, entries, day)
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        client=episode.client,
        obj=attendance,
        detail={
            "topics": list(given.content.topics),
            "interventions": list(given.content.interventions),
        },
    )
    return attendance


def notes_version(attendance: Attendance) -> int:
    """How many times the notes have been amended: the version an amendment starts from."""
    return NoteRevision.objects.filter(attendance=attendance).count()


@dataclass(frozen=True, kw_only=True)
class AmendSessionNotesInput:
    """New notes for a session, and why; the old ones are kept."""

    notes: str = about("the notes as they should read")
    reason: str = about("why they change", default="")
    expected_version: int | None = version()


@action
def amend_session_notes(
    *, actor: Actor, attendance: Attendance, given: AmendSessionNotesInput
) -> NoteRevision:
    """Change a session's notes with a reason; the old notes are kept and shown (rule 13).
    `expected_version` is the number of amendments the editor saw (none: 0)."""
    _practitioner(actor, attendance.episode)
    lock(attendance)
    if given.expected_version is not None:
        check_version(
            expected=given.expected_version,
            current=notes_version(attendance),
            what="The notes of this session",
            theirs=lambda: {"Notes": attendance.notes},
        )
    if attendance.in_error:
        raise RuleViolation("R13", "this entry is marked entered in error; it is not amended")
    rules.check_amendment(reason=given.reason, old=attendance.notes, new=given.notes)
    revision = NoteRevision.objects.create(
        attendance=attendance,
        old_notes=attendance.notes,
        new_notes=given.notes,
        reason=given.reason,
        amended_by=user_or_none(actor),
    )
    attendance.notes = given.notes
    attendance.save(update_fields=["notes"])
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=attendance.episode.client,
        obj=attendance,
        detail={"reason": given.reason},
    )
    return revision


@action
def mark_session_in_error(*, actor: Actor, attendance: Attendance, given: Reason) -> Attendance:
    """A mistaken entry stays on the record, marked, and no longer counts (rule 13)."""
    _practitioner(actor, attendance.episode)
    mark_in_error(attendance, "session", given.reason, entered_in_error_by=user_or_none(actor))
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=attendance.episode.client,
        obj=attendance,
        detail={"reason": given.reason},
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
