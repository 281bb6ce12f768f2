from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keywork.checkups import actions, queries
from keywork.checkups.forms import CheckUpForm, ReturnForm, ScheduleForm
from keywork.checkups.models import CheckUp
from keywork.clients import policies
from keywork.clients import queries as client_queries
from keywork.clients.views import episode_change, open_client, record_change, record_in_error
from keywork.core.dates import today
from keywork.core.inputs import Reason

RECORDS = CheckUp.objects.select_related("episode")


@login_required
def checkups(request: HttpRequest, local_id: str) -> HttpResponse:
    """The client's recovery check-ups after a successful completion, and what each found."""
    client = open_client(request, local_id, "recovery check-ups")
    latest = client_queries.latest_episode(client)
    records = queries.checkups_of(client)
    can_work = latest is not None and policies.can_work_with(request.user, latest)
    after_completion = can_work and latest is not None and latest.completed
    context = {
        "client": client,
        "episode": latest,
        "records": records,
        "today": today(),
        "can_work": can_work,
        "after_completion": after_completion,
    }
    return render(request, "checkups/list.html", context)


@login_required
def schedule(request: HttpRequest, local_id: str) -> HttpResponse:
    return episode_change(
        request,
        local_id,
        form_class=ScheduleForm,
        allowed=policies.can_work_with,
        perform=lambda episode, form: actions.schedule_checkups(
            actor=request.user,
            episode=episode,
            given=actions.ScheduleCheckupsInput(**form.cleaned_data),
        ),
        title="Set up recovery check-ups",
        done="Recovery check-ups set up.",
        latest=True,
    )


@login_required
def record(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return record_change(
        request,
        local_id,
        RECORDS,
        pk,
        form_class=CheckUpForm,
        perform=lambda checkup, form: actions.record_checkup(
            actor=request.user, checkup=checkup, given=form.given()
        ),
        title="Record a recovery check-up",
        done="Check-up recorded.",
        back="checkups",
    )


@login_required
def return_to_treatment(request: HttpRequest, local_id: str) -> HttpResponse:
    return episode_change(
        request,
        local_id,
        form_class=ReturnForm,
        allowed=policies.can_work_with,
        perform=lambda episode, form: actions.return_to_treatment(
            actor=request.user,
            episode=episode,
            given=actions.ReturnToTreatmentInput(**form.cleaned_data),
        ),
        title="Return to treatment",
        done="Back in treatment: a new episode is open, linked to the last one.",
        latest=True,
    )


@login_required
def in_error(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return record_in_error(
        request,
        local_id,
        RECORDS,
        pk,
        mark=lambda checkup, reason: actions.mark_checkup_in_error(
            actor=request.user, checkup=checkup, given=Reason(reason=reason)
        ),
        back="checkups",
    )
