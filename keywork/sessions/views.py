from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from keywork.access import audit, policies
from keywork.clients import queries as client_queries
from keywork.core.errors import RuleViolation
from keywork.sessions import actions
from keywork.sessions.forms import AmendNotesForm, EnteredInErrorForm, SessionForm
from keywork.sessions.models import Attendance


@login_required
def record_session(request: HttpRequest, local_id: str) -> HttpResponse:
    client = client_queries.visible_client(request.user, local_id)
    episode = client.episodes.filter(discharged_on=None).first() if client else None
    worker = policies.worker_of(request.user)
    if client is None or episode is None or worker is None:
        raise Http404("No open episode for that client on the records you can see.")
    if not policies.can_work_with(request.user, episode):
        raise Http404("Only keyworkers in the client's team record their sessions.")
    form = SessionForm(request.POST or None, worker=worker, phase=episode.phase)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_session(
                actor=request.user,
                episode=episode,
                starts_at=form.starts_at(),
                outcome=form.cleaned_data["outcome"],
                content=form.content(),
                next_appointment=form.next_appointment(),
                discharge_reason=form.cleaned_data["discharge_reason"],
            )
        except RuleViolation as error:
            form.refuse(error)
        else:
            messages.success(request, "Session recorded.")
            return redirect("client", local_id=client.local_id)
    audit.record_read(actor=request.user, what="record session form", clients=[client])
    return render(
        request,
        "sessions/record_session.html",
        {"form": form, "client": client, "episode": episode},
    )


def _attendance(request: HttpRequest, local_id: str, pk: int) -> Attendance:
    client = client_queries.visible_client(request.user, local_id)
    found = (
        Attendance.objects.select_related("episode", "session")
        .filter(pk=pk, episode__client=client)
        .first()
        if client
        else None
    )
    if found is None or not policies.can_work_with(request.user, found.episode):
        raise Http404("No such session on the records you can change.")
    return found


@login_required
def amend_notes(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    attendance = _attendance(request, local_id, pk)
    form = AmendNotesForm(request.POST or None, initial={"notes": attendance.notes})
    if request.method == "POST" and form.is_valid():
        try:
            actions.amend_notes(
                actor=request.user,
                attendance=attendance,
                notes=form.cleaned_data["notes"],
                reason=form.cleaned_data["reason"],
            )
        except RuleViolation as error:
            form.refuse(error)
        else:
            messages.success(request, "Notes amended; the earlier version is kept.")
            return redirect("client", local_id=local_id)
    return _entry_page(request, attendance, form, "Amend the notes")


@login_required
def entered_in_error(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    attendance = _attendance(request, local_id, pk)
    form = EnteredInErrorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.mark_entered_in_error(
                actor=request.user, attendance=attendance, reason=form.cleaned_data["reason"]
            )
        except RuleViolation as error:
            form.refuse(error)
        else:
            messages.success(request, "Marked as entered in error; it stays on the record.")
            return redirect("client", local_id=local_id)
    return _entry_page(request, attendance, form, "Mark as entered in error")


def _entry_page(
    request: HttpRequest, attendance: Attendance, form: Any, title: str
) -> HttpResponse:
    client = attendance.episode.client
    audit.record_read(actor=request.user, what=title.lower(), clients=[client])
    context = {"form": form, "client": client, "attendance": attendance, "title": title}
    return render(request, "sessions/entry_form.html", context)
