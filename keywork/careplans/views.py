from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keywork.careplans import actions, queries
from keywork.careplans.forms import ActionDoneForm, CarePlanForm, ReviewForm
from keywork.careplans.models import PlanAction
from keywork.clients import policies
from keywork.clients.views import episode_change, open_client, record_change
from keywork.core.dates import today


@login_required
def agree(request: HttpRequest, local_id: str) -> HttpResponse:
    return episode_change(
        request,
        local_id,
        form_class=CarePlanForm,
        allowed=policies.can_work_with,
        perform=lambda episode, form: actions.agree_care_plan(
            actor=request.user,
            episode=episode,
            given=form.plan(),
        ),
        title="Agree the care plan",
        done="Care plan agreed; earlier versions are kept.",
        template="careplans/agree.html",
        version=actions.plan_version,
    )


@login_required
def review(request: HttpRequest, local_id: str) -> HttpResponse:
    return episode_change(
        request,
        local_id,
        form_class=ReviewForm,
        allowed=policies.can_work_with,
        perform=lambda episode, form: actions.review_care_plan(
            actor=request.user,
            episode=episode,
            given=actions.ReviewCarePlanInput(
                reviewed_on=form.cleaned_data["reviewed_on"],
                summary=form.cleaned_data["summary"],
                progress=form.updates(),
                next_review_on=form.cleaned_data["next_review_on"],
                move_to=form.cleaned_data["move_to"],
                move_reason=form.cleaned_data["move_reason"],
            ),
        ),
        title="Review the care plan",
        done="Review recorded.",
        template="careplans/review.html",
    )


@login_required
def care_plan(request: HttpRequest, local_id: str) -> HttpResponse:
    """The current care plan, its reviews, and every earlier version."""
    client = open_client(request, local_id, "care plan")
    plans = list(queries.plans_of(client))
    current = plans[0] if plans and plans[0].episode.is_open else None
    opened = client.episodes.filter(discharged_on=None).first()
    can_change = opened is not None and policies.can_work_with(request.user, opened)
    context = {
        "client": client,
        "plans": plans,
        "current": current,
        "due": queries.review_due(current, current.reviews.all()) if current else None,
        "today": today(),
        "can_change": can_change,
    }
    return render(request, "careplans/care_plan.html", context)


@login_required
def action_done(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    """Mark an action of the current care plan done."""
    return record_change(
        request,
        local_id,
        PlanAction.objects.select_related("care_plan__episode"),
        pk,
        form_class=ActionDoneForm,
        perform=lambda plan_action, form: actions.complete_plan_action(
            actor=request.user,
            plan_action=plan_action,
            given=actions.ActionDoneInput(done_on=form.cleaned_data["done_on"]),
        ),
        title="Mark the action done",
        done="Action marked done.",
        back="care_plan",
    )
