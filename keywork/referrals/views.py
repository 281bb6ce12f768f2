from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keywork.access.models import Worker
from keywork.clients import policies
from keywork.clients import queries as client_queries
from keywork.clients.views import episode_change, open_client, record_change, record_in_error
from keywork.core.dates import today
from keywork.core.inputs import Reason
from keywork.referrals import actions, queries
from keywork.referrals.forms import MoveReferralForm, ReferralForm
from keywork.referrals.models import WAITING, Referral

RECORDS = Referral.objects.select_related("episode", "destination", "colleague__user")
PREFILLED = ("destination", "agency", "intervention", "reason")


@login_required
def referrals(request: HttpRequest, local_id: str) -> HttpResponse:
    client = open_client(request, local_id, "referrals")
    latest = client_queries.latest_episode(client)
    can_work = latest is not None and policies.can_work_with(request.user, latest)
    context = {
        "client": client,
        "records": queries.referrals_of(client),
        "waiting": WAITING,
        "today": today(),
        "can_work": can_work,
        "can_start": can_work and latest is not None and latest.is_open,
    }
    return render(request, "referrals/list.html", context)


@login_required
def make(request: HttpRequest, local_id: str) -> HttpResponse:
    """A referral; a refusal by rule 4 links here with it filled in."""
    initial: dict[str, object] = {k: request.GET[k] for k in PREFILLED if k in request.GET}
    colleague = Worker.objects.filter(user__username=request.GET.get("colleague", "")).first()
    if colleague is not None:
        initial["colleague"] = colleague.pk
    return episode_change(
        request,
        local_id,
        form_class=ReferralForm,
        allowed=policies.can_work_with,
        perform=lambda episode, form: actions.make_referral(
            actor=request.user, episode=episode, given=form.given()
        ),
        title="Make a referral",
        done="Referral made.",
        initial=initial,
    )


@login_required
def move(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return record_change(
        request,
        local_id,
        RECORDS,
        pk,
        form_class=MoveReferralForm,
        perform=lambda record, form: actions.move_referral(
            actor=request.user,
            referral=record,
            given=actions.MoveReferralInput(
                status=form.cleaned_data["status"],
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
                expected_version=form.expected_version(),
            ),
        ),
        title="What happened with the referral",
        done="Referral updated.",
        back="referrals",
        version=actions.referral_version,
    )


@login_required
def in_error(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return record_in_error(
        request,
        local_id,
        RECORDS,
        pk,
        mark=lambda record, reason: actions.mark_referral_in_error(
            actor=request.user, referral=record, given=Reason(reason=reason)
        ),
        back="referrals",
    )
