from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from keywork.audit import trail
from keywork.careplans import actions, queries
from keywork.careplans.forms import CarePlanForm, ReviewForm
from keywork.careplans.models import CarePlan, Owner
from keywork.clients import policies
from keywork.clients import queries as client_queries
from keywork.clients.views import episode_change
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
            plan=form.plan(),
            expected_version=form.expected_version(),
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
            reviewed_on=form.cleaned_data["reviewed_on"],
            summary=form.cleaned_data["summary"],
            progress=form.updates(),
            next_review_on=form.cleaned_data["next_review_on"],
            move_to=form.cleaned_data["move_to"],
            move_reason=form.cleaned_data["move_reason"],
        ),
        title="Review the care plan",
        done="Review recorded.",
        template="careplans/review.html",
    )


@login_required
def care_plan(request: HttpRequest, local_id: str) -> HttpResponse:
    """The current care plan, its reviews, and every earlier version."""
    client = client_queries.visible_client(request.user, local_id)
    if client is None:
        raise Http404("No client with that id on the records you can see.")
    trail.record_read(actor=request.user, what="care plan", clients=[client])
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
def summary(request: HttpRequest, local_id: str) -> HttpResponse:
    """ "Your keyworking": one printable page for the client, with what seed 004 says a client
    should know: who the keyworker is and how to reach them, what support to expect, when
    the next appointment is, what is being done and by whom, and what is expected of them."""
    client = client_queries.visible_client(request.user, local_id)
    if client is None:
        raise Http404("No client with that id on the records you can see.")
    record = client_queries.record_of(client)
    episode = record["current"]
    if episode is None:
        raise Http404("The client has no open episode to summarise.")
    trail.record_read(actor=request.user, what="your keyworking summary", clients=[client])
    plan = record["plan"]
    assert plan is None or isinstance(plan, CarePlan)
    actions_due = list(plan.actions.order_by("due_on", "position")) if plan else []
    context = {
        "client": client,
        "episode": episode,
        "plan": plan,
        "goals": list(plan.goals.prefetch_related("milestones")) if plan else [],
        "by_others": [a for a in actions_due if a.owner != Owner.CLIENT],
        "by_client": [a for a in actions_due if a.owner == Owner.CLIENT],
        "printed_on": today(),
        **{k: record[k] for k in ("next_appointment", "review_due")},
    }
    return render(request, "careplans/summary.html", context)
