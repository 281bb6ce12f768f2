from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keywork.clients import policies
from keywork.clients import queries as client_queries
from keywork.clients.views import episode_change, open_client, record_change, record_in_error
from keywork.core.dates import today
from keywork.core.inputs import Reason
from keywork.prescribing import actions, queries
from keywork.prescribing.forms import (
    DoseChangeForm,
    EndPrescriptionForm,
    PrescriptionForm,
)
from keywork.prescribing.models import Prescription
from keywork.prescribing.rules import daily_dose

RECORDS = Prescription.objects.select_related("episode", "medication", "prescriber__user")


@login_required
def prescribing(request: HttpRequest, local_id: str) -> HttpResponse:
    """The client's prescriptions with every dose change, and today's national figures."""
    client = open_client(request, local_id, "prescribing")
    records = queries.prescriptions_of(client)
    latest = client_queries.latest_episode(client)
    can_work = latest is not None and policies.can_work_with(request.user, latest)
    context = {
        "client": client,
        "records": [(p, queries.warning_of(p)) for p in records],
        "now": daily_dose([queries.facts(p) for p in records if not p.in_error], today()),
        "can_work": can_work,
        "can_start": can_work and latest is not None and (latest.is_open or latest.completed),
        "after_completion": latest is not None and latest.completed,
    }
    return render(request, "prescribing/list.html", context)


@login_required
def start(request: HttpRequest, local_id: str) -> HttpResponse:
    return episode_change(
        request,
        local_id,
        form_class=PrescriptionForm,
        allowed=policies.can_work_with,
        perform=lambda episode, form: actions.start_prescription(
            actor=request.user, episode=episode, given=form.given()
        ),
        title="Record a prescription",
        done="Prescription recorded.",
        latest=True,  # after a successful completion: relapse-prevention prescribing
    )


@login_required
def change_dose(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return record_change(
        request,
        local_id,
        RECORDS,
        pk,
        form_class=DoseChangeForm,
        perform=lambda record, form: actions.change_dose(
            actor=request.user,
            prescription=record,
            given=actions.ChangeDoseInput(
                from_date=form.cleaned_data["from_date"],
                dose=form.dose(),
                reason=form.cleaned_data["reason"],
                expected_version=form.expected_version(),
            ),
        ),
        title="Change the dose",
        done="Dose changed; the earlier doses are kept.",
        back="prescribing",
        version=actions.prescription_version,
    )


@login_required
def end(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return record_change(
        request,
        local_id,
        RECORDS,
        pk,
        form_class=EndPrescriptionForm,
        perform=lambda record, form: actions.end_prescription(
            actor=request.user,
            prescription=record,
            given=actions.EndPrescriptionInput(
                on=form.cleaned_data["on"], reason=form.cleaned_data["reason"]
            ),
        ),
        title="End the prescription",
        done="Prescription ended.",
        back="prescribing",
    )


@login_required
def in_error(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return record_in_error(
        request,
        local_id,
        RECORDS,
        pk,
        mark=lambda record, reason: actions.mark_prescription_in_error(
            actor=request.user, prescription=record, given=Reason(reason=reason)
        ),
        back="prescribing",
    )
