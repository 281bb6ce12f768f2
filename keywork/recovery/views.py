"""A client's recovery capital: the checks over time (a chart and its table), taking one,
and marking one entered in error."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from keywork.clients import policies
from keywork.clients import queries as client_queries
from keywork.clients.views import episode_change, open_client, record_in_error
from keywork.core.dates import today
from keywork.core.inputs import Reason
from keywork.recovery import actions, queries
from keywork.recovery.chart import charts_of, rows_of
from keywork.recovery.forms import CheckForm
from keywork.recovery.models import Check

RECORDS = Check.objects.select_related("episode")


@login_required
def checks(request: HttpRequest, local_id: str) -> HttpResponse:
    client = open_client(request, local_id, "recovery capital")
    latest = client_queries.latest_episode(client)
    found = queries.checks_of(latest, with_errors=True) if latest else []
    counted = [c for c in found if not c.in_error]
    can_work = latest is not None and policies.can_work_with(request.user, latest)
    last = counted[-1] if counted else None
    context = {
        "client": client,
        "episode": latest,
        "checks": found,
        "rows": rows_of(found),
        "charts": charts_of(counted),
        "due": queries.due_of(latest, counted) if latest else None,
        "low": queries.low_of(last),
        "last": last,
        "today": today(),
        "can_work": can_work,
        "can_take": can_work and latest is not None and latest.is_open,
    }
    return render(request, "recovery/list.html", context)


@login_required
def take(request: HttpRequest, local_id: str) -> HttpResponse:
    stage = request.GET.get("stage", "")
    return episode_change(
        request,
        local_id,
        form_class=CheckForm,
        allowed=policies.can_work_with,
        perform=lambda episode, form: actions.take_check(
            actor=request.user, episode=episode, given=form.given()
        ),
        title="Take a recovery capital check",
        done="Recovery capital check recorded.",
        initial={"stage": stage} if stage else None,
        template="recovery/take.html",
        then=lambda check: reverse("recovery", args=[local_id]),
    )


@login_required
def in_error(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return record_in_error(
        request,
        local_id,
        RECORDS,
        pk,
        mark=lambda record, reason: actions.mark_check_in_error(
            actor=request.user, check=record, given=Reason(reason=reason)
        ),
        back="recovery",
    )
