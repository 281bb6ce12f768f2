from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from keywork.access.models import Worker
from keywork.audit import trail
from keywork.clients import policies
from keywork.clients import queries as client_queries
from keywork.clients.models import Client, Episode
from keywork.clients.views import episode_change, record_change, record_in_error
from keywork.core.dates import implausible
from keywork.core.errors import invalid
from keywork.core.inputs import Reason
from keywork.core.views import changed
from keywork.sessions import actions, queries
from keywork.sessions.forms import (
    AmendNotesForm,
    AppointmentForm,
    CancelAppointmentForm,
    GroupBookingForm,
    GroupRegisterForm,
    MoveAppointmentForm,
    ReintegrationForm,
    SessionForm,
)
from keywork.sessions.models import Attendance, KeyworkSession, Outcome


def _work_on(
    request: HttpRequest, local_id: str, *, open_only: bool
) -> tuple[Client, Episode, Worker]:
    """The client, the episode to record on (the open one; or, where work carries on after
    discharge, the latest) and the acting worker, who must be in the episode's team."""
    client = client_queries.visible_client(request.user, local_id)
    episode = None
    if client is not None:
        latest = client_queries.latest_episode(client)
        episode = latest if latest and (latest.is_open or not open_only) else None
    worker = policies.worker_of(request.user)
    if client is None or episode is None or worker is None:
        raise Http404("No episode to record on for that client on the records you can see.")
    if not policies.can_work_with(request.user, episode):
        raise Http404("Only keyworkers in the client's team record their work.")
    return client, episode, worker


@login_required
def record_session(request: HttpRequest, local_id: str) -> HttpResponse:
    """Record a session; opened from a booked appointment, its time is the appointment's, so
    the outcome is recorded on it (the action records on the appointment booked then)."""
    client, episode, worker = _work_on(request, local_id, open_only=True)
    form = SessionForm(request.POST or None, worker=worker, phase=episode.phase)
    booked = _booked(episode, request.GET.get("appointment"))
    if booked is not None and not request.POST:
        when = timezone.localtime(booked.session.starts_at)
        form.initial.update(date=when.date(), time=when.time())
    if changed(
        request,
        form,
        lambda: actions.record_session(
            actor=request.user,
            episode=episode,
            given=actions.RecordSessionInput(
                starts_at=form.starts_at(),
                outcome=form.cleaned_data["outcome"],
                content=form.content(),
                next_appointment=form.next_appointment(),
                discharge_reason=form.cleaned_data["discharge_reason"],
            ),
        ),
        "Session recorded.",
    ):
        return redirect("client", local_id=client.local_id)
    trail.record_read(actor=request.user, what="record session form", clients=[client])
    return render(
        request,
        "sessions/record_session.html",
        {"form": form, "client": client, "episode": episode, "booked": booked},
    )


def _booked(episode: Episode, pk: str | None) -> Attendance | None:
    if not (pk or "").isdigit():
        return None
    return BOOKED.filter(episode=episode, pk=int(pk or 0)).first()


BOOKED = Attendance.objects.select_related("episode__client", "session").filter(
    outcome=Outcome.SCHEDULED, entered_in_error_at__isnull=True
)


@login_required
def book_appointment(request: HttpRequest, local_id: str) -> HttpResponse:
    return episode_change(
        request,
        local_id,
        form_class=AppointmentForm,
        allowed=policies.can_work_with,
        perform=lambda episode, form: actions.schedule_session(
            actor=request.user, episode=episode, given=form.appointment()
        ),
        title="Book an appointment",
        done="Appointment booked.",
    )


def _as_booked(attendance: Attendance) -> dict[str, object]:
    session = attendance.session
    when = timezone.localtime(session.starts_at)
    return {
        "date": when.date(),
        "time": when.time(),
        "duration_minutes": session.duration_minutes,
        "place": session.place,
        "location": session.location,
    }


@login_required
def move_appointment(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return record_change(
        request,
        local_id,
        BOOKED,
        pk,
        form_class=MoveAppointmentForm,
        perform=lambda attendance, form: actions.move_appointment(
            actor=request.user, attendance=attendance, given=form.move()
        ),
        title="Move the appointment",
        done="Appointment moved; the old time is kept.",
        back="client",
        initial=_as_booked,
    )


@login_required
def cancel_appointment(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return record_change(
        request,
        local_id,
        BOOKED,
        pk,
        form_class=CancelAppointmentForm,
        perform=lambda attendance, form: actions.cancel_appointment(
            actor=request.user, attendance=attendance, given=form.cancellation()
        ),
        title="Cancel the appointment",
        done="Appointment cancelled.",
        back="client",
    )


ENTRIES = Attendance.objects.select_related("episode__client", "session")


@login_required
def amend_notes(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return record_change(
        request,
        local_id,
        ENTRIES,
        pk,
        form_class=AmendNotesForm,
        perform=lambda attendance, form: actions.amend_session_notes(
            actor=request.user,
            attendance=attendance,
            given=actions.AmendSessionNotesInput(
                notes=form.cleaned_data["notes"],
                reason=form.cleaned_data["reason"],
                expected_version=form.expected_version(),
            ),
        ),
        title="Amend the notes",
        done="Notes amended; the earlier version is kept.",
        back="client",
        version=actions.notes_version,
        initial=lambda attendance: {"notes": attendance.notes},
    )


@login_required
def entered_in_error(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return record_in_error(
        request,
        local_id,
        ENTRIES,
        pk,
        mark=lambda attendance, reason: actions.mark_session_in_error(
            actor=request.user, attendance=attendance, given=Reason(reason=reason)
        ),
        back="client",
    )


@login_required
def record_reintegration(request: HttpRequest, local_id: str) -> HttpResponse:
    """Reintegration work on the open episode, or after discharge on the latest one."""
    client, episode, worker = _work_on(request, local_id, open_only=False)
    form = ReintegrationForm(request.POST or None, worker=worker, phase=None)
    if changed(
        request,
        form,
        lambda: actions.record_reintegration(
            actor=request.user,
            episode=episode,
            given=actions.RecordReintegrationInput(
                starts_at=form.starts_at(), content=form.content()
            ),
        ),
        "Reintegration work recorded.",
    ):
        return redirect("client", local_id=client.local_id)
    trail.record_read(actor=request.user, what="record reintegration form", clients=[client])
    context = {"form": form, "client": client, "episode": episode}
    return render(request, "sessions/reintegration.html", context)


def _team_practitioner(request: HttpRequest) -> Worker:
    worker = policies.worker_of(request.user)
    if worker is None or not policies.runs_groups(request.user):
        raise Http404("Group sessions are run by keyworkers in a team.")
    return worker


@login_required
def groups(request: HttpRequest) -> HttpResponse:
    worker = _team_practitioner(request)
    now = timezone.now()
    listed = list(queries.groups_of(worker.team, now=now))  # type: ignore[arg-type]
    context = {
        "upcoming": [g for g in listed if g.starts_at >= now],
        "past": [g for g in reversed(listed) if g.starts_at < now],
        "worker": worker,
    }
    return render(request, "sessions/groups.html", context)


@login_required
def book_group(request: HttpRequest) -> HttpResponse:
    worker = _team_practitioner(request)
    caseload = list(
        policies.caseload_of(request.user)
        .select_related("client")
        .order_by("client__family_name", "client__given_name")
    )
    form = GroupBookingForm(request.POST or None, worker=worker, caseload=caseload)
    booked: list[KeyworkSession] = []
    if changed(
        request,
        form,
        lambda: booked.extend(
            actions.schedule_group(
                actor=request.user,
                team=worker.team,  # type: ignore[arg-type]
                episodes=form.mine() + _team_episodes(request, form.ids()),
                given=actions.ScheduleGroupInput(
                    title=form.cleaned_data["title"],
                    starts_at=form.starts_at(),
                    facilitators=list(form.cleaned_data["facilitators"]),
                    duration_minutes=form.cleaned_data["duration_minutes"],
                    location=form.cleaned_data["location"],
                    weeks=form.cleaned_data["weeks"],
                ),
            )
        ),
        "Group booked.",
    ):
        return redirect("group", pk=booked[0].pk)
    trail.record_read(actor=request.user, what="book a group", clients=[e.client for e in caseload])
    return render(request, "sessions/book_group.html", {"form": form})


def _team_episodes(request: HttpRequest, ids: list[str]) -> list[Episode]:
    """The open episodes of these client ids in the user's team; an unknown id is refused."""
    found, missing = client_queries.open_episodes_by_id(request.user, ids)
    if missing:
        raise invalid("other_clients", f"no open episode in your team for {', '.join(missing)}")
    return found


@login_required
def group(request: HttpRequest, pk: int) -> HttpResponse:
    """A group's page: who facilitates, who is listed and what is recorded for each; the
    facilitators take the register here."""
    worker = _team_practitioner(request)
    session = KeyworkSession.objects.filter(
        pk=pk, team=worker.team, kind=KeyworkSession.Kind.GROUP
    ).first()
    if session is None:
        raise Http404("No such group session in your team.")
    lines = queries.group_lines(session)
    facilitators = list(session.facilitators.select_related("user"))
    to_record = [a for a in lines if a.outcome == Outcome.SCHEDULED and not a.in_error]
    form = None
    if worker in facilitators and to_record:
        form = GroupRegisterForm(request.POST or None, worker=worker, lines=to_record)
        if changed(
            request,
            form,
            lambda: actions.record_group(
                actor=request.user,
                session=session,
                given=actions.RecordGroupInput(content=form.content(), register=form.register()),
            ),
            "Register recorded.",
        ):
            return redirect("group", pk=session.pk)
    trail.record_read(
        actor=request.user, what="group session", clients=[a.episode.client for a in lines]
    )
    context = {
        "session": session,
        "lines": lines,
        "facilitators": facilitators,
        "form": form,
        "to_record": to_record,
        "now": timezone.now(),
    }
    return render(request, "sessions/group.html", context)


def _day_asked(text: str) -> dt.date | None:
    """The day the diary is asked from (?from=YYYY-MM-DD), or None for today."""
    try:
        day = dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and implausible(day) is None else None


@login_required
def diary(request: HttpRequest) -> HttpResponse:
    """A keyworker's diary (today and the week ahead, and past appointments with no outcome),
    or a colleague's, or the whole team's: chosen from a list of the team."""
    worker = _team_practitioner(request)
    team = worker.team
    assert team is not None
    colleagues = list(
        Worker.objects.filter(team=team, user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
    )
    asked = request.GET.get("who", "")
    chosen = next((w for w in colleagues if w.user.username == asked), None)
    whose = None if asked == "team" else chosen or worker
    start = _day_asked(request.GET.get("from", ""))
    found = queries.diary_of(
        team, whose, now=timezone.now(), start=start, page=request.GET.get("page")
    )
    clients = {a.episode.client for _, day in found.days for a in day} | {
        a.episode.client for a in found.unrecorded
    }
    trail.record_read(actor=request.user, what="diary", clients=sorted(clients, key=str))
    context = {
        "diary": found,
        "colleagues": colleagues,
        "who": "team" if whose is None else whose.user.username,
        "me": worker,
        "day_query": urlencode({"who": "team", "from": found.days[0][0].isoformat()}),
        "today": timezone.localdate(),
        "now": timezone.now(),
    }
    return render(request, "sessions/diary.html", context)
