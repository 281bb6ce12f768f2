from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keywork.clients import policies
from keywork.clients import queries as client_queries
from keywork.clients.views import episode_change, open_client, record_in_error
from keywork.core.dates import today
from keywork.core.inputs import Reason
from keywork.outcomes import actions, queries
from keywork.outcomes.chart import charts_of
from keywork.outcomes.forms import OutcomeForm
from keywork.outcomes.models import DAY_ITEMS, LABELS, RATINGS, SUBSTANCES, YES_NO, OutcomeProfile

RECORDS = OutcomeProfile.objects.select_related("episode")


def rows_of(profiles: list[OutcomeProfile]) -> list[tuple[str, list[object]]]:
    """The table of every item over time: one row per item, one column per profile."""
    rows: list[tuple[str, list[object]]] = []
    for group, (label, unit) in SUBSTANCES.items():
        if any(group in p.use for p in profiles):
            rows.append((f"{label}: days used", [p.days_used(group) for p in profiles]))
            rows.append((f"{label}: {unit} a day", [p.amount_used(group) for p in profiles]))
    for name in (*DAY_ITEMS, *RATINGS):
        rows.append((LABELS[name], [getattr(p, name) for p in profiles]))
    for name in YES_NO:
        rows.append((LABELS[name], ["Yes" if getattr(p, name) else "No" for p in profiles]))
    return rows


@login_required
def outcomes(request: HttpRequest, local_id: str) -> HttpResponse:
    """The client's outcome profiles: the change over time as charts and as a table."""
    client = open_client(request, local_id, "outcome profiles")
    latest = client_queries.latest_episode(client)
    profiles = queries.profiles_of(latest, with_errors=True) if latest else []
    counted = [p for p in profiles if not p.in_error]
    can_work = latest is not None and policies.can_work_with(request.user, latest)
    context = {
        "client": client,
        "episode": latest,
        "profiles": profiles,
        "rows": rows_of(profiles),
        "charts": charts_of(counted),
        "due": queries.due_of(latest, counted) if latest else None,
        "today": today(),
        "can_work": can_work,
        "can_take": can_work and latest is not None and latest.is_open,
    }
    return render(request, "outcomes/list.html", context)


@login_required
def take(request: HttpRequest, local_id: str) -> HttpResponse:
    stage = request.GET.get("stage", "")
    return episode_change(
        request,
        local_id,
        form_class=OutcomeForm,
        allowed=policies.can_work_with,
        perform=lambda episode, form: actions.take_outcomes(
            actor=request.user, episode=episode, given=form.given()
        ),
        title="Take outcomes",
        done="Outcome profile recorded.",
        initial={"stage": stage} if stage else None,
    )


@login_required
def in_error(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return record_in_error(
        request,
        local_id,
        RECORDS,
        pk,
        mark=lambda record, reason: actions.mark_outcomes_in_error(
            actor=request.user, profile=record, given=Reason(reason=reason)
        ),
        back="outcomes",
    )
