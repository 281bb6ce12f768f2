from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from keywork.access import audit, policies
from keywork.clients import queries as client_queries
from keywork.core.errors import RuleViolation
from keywork.sessions import actions
from keywork.sessions.forms import SessionForm


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
