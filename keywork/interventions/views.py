from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keywork.clients import policies
from keywork.clients import queries as client_queries
from keywork.clients.views import episode_change, open_client, record_change, record_in_error
from keywork.core.forms import ActionForm
from keywork.core.inputs import Reason
from keywork.interventions import actions, queries
from keywork.interventions.forms import (
    AmendInterventionForm,
    CountSessionForm,
    EndInterventionForm,
    InterventionForm,
    OfferForm,
)
from keywork.interventions.models import Intervention, Offer

RECORDS = Intervention.objects.select_related("episode", "entry__reports_as", "practitioner__user")


@login_required
def interventions(request: HttpRequest, local_id: str) -> HttpResponse:
    """Every intervention recorded for the client, with what each counts as nationally."""
    client = open_client(request, local_id, "interventions")
    latest = client_queries.latest_episode(client)
    context = {
        "client": client,
        "records": list(queries.interventions_of(client)),
        "can_work": latest is not None and policies.can_work_with(request.user, latest),
        "can_start": latest is not None
        and (latest.is_open or latest.completed)
        and policies.can_work_with(request.user, latest),
        "after_completion": latest is not None and latest.completed,
        "offers": list(queries.offers_of(client)),
    }
    return render(request, "interventions/list.html", context)


@login_required
def offer(request: HttpRequest, local_id: str) -> HttpResponse:
    return episode_change(
        request,
        local_id,
        form_class=OfferForm,
        allowed=policies.can_work_with,
        perform=lambda episode, form: actions.record_offer(
            actor=request.user, episode=episode, given=form.given()
        ),
        title="Record an offer",
        done="Offer recorded.",
    )


@login_required
def start(request: HttpRequest, local_id: str) -> HttpResponse:
    return episode_change(
        request,
        local_id,
        form_class=InterventionForm,
        allowed=policies.can_work_with,
        perform=lambda episode, form: actions.start_intervention(
            actor=request.user, episode=episode, given=form.given()
        ),
        title="Record an intervention",
        done="Intervention recorded.",
        latest=True,  # support after a successful completion carries on after discharge
    )


def intervention_change(
    request: HttpRequest,
    local_id: str,
    pk: int,
    *,
    form_class: type[ActionForm],
    perform: Callable[[Any, Any], object],
    title: str,
    done: str,
) -> HttpResponse:
    return record_change(
        request,
        local_id,
        RECORDS,
        pk,
        form_class=form_class,
        perform=perform,
        title=title,
        done=done,
        back="interventions",
        version=actions.intervention_version,
    )


@login_required
def end(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return intervention_change(
        request,
        local_id,
        pk,
        form_class=EndInterventionForm,
        perform=lambda record, form: actions.end_intervention(
            actor=request.user,
            intervention=record,
            given=actions.EndInterventionInput(
                on=form.cleaned_data["on"], exit=form.cleaned_data["exit"]
            ),
        ),
        title="End the intervention",
        done="Intervention ended.",
    )


@login_required
def count_session(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return intervention_change(
        request,
        local_id,
        pk,
        form_class=CountSessionForm,
        perform=lambda record, form: actions.add_intervention_session(
            actor=request.user, intervention=record, attendance=form.cleaned_data["session"]
        ),
        title="Count a session",
        done="Session counted.",
    )


@login_required
def amend(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return intervention_change(
        request,
        local_id,
        pk,
        form_class=AmendInterventionForm,
        perform=lambda record, form: actions.amend_intervention(
            actor=request.user,
            intervention=record,
            given=actions.as_amendment(
                form.given(),
                reason=form.cleaned_data["reason"],
                expected_version=form.expected_version(),
            ),
        ),
        title="Amend the intervention",
        done="Intervention amended; what it was is kept.",
    )


@login_required
def in_error(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return record_in_error(
        request,
        local_id,
        RECORDS,
        pk,
        mark=lambda record, reason: actions.mark_intervention_in_error(
            actor=request.user, intervention=record, given=Reason(reason=reason)
        ),
        back="interventions",
    )


@login_required
def offer_in_error(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return record_in_error(
        request,
        local_id,
        Offer.objects.select_related("episode", "entry"),
        pk,
        mark=lambda record, reason: actions.mark_offer_in_error(
            actor=request.user, offer=record, given=Reason(reason=reason)
        ),
        back="interventions",
    )
