from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keywork.assessments import actions, queries
from keywork.assessments.forms import AssessmentForm
from keywork.assessments.models import RISK_AREAS, SECTIONS
from keywork.clients import policies
from keywork.clients.views import episode_change, open_client


@login_required
def assess(request: HttpRequest, local_id: str) -> HttpResponse:
    return episode_change(
        request,
        local_id,
        form_class=AssessmentForm,
        allowed=policies.can_work_with,
        perform=lambda episode, form: actions.assess(
            actor=request.user,
            episode=episode,
            given=form.assessment(),
        ),
        title="Comprehensive assessment",
        done="Assessment recorded; earlier assessments are kept.",
        template="assessments/assess.html",
        version=actions.assessment_version,
    )


@login_required
def assessments(request: HttpRequest, local_id: str) -> HttpResponse:
    """Every assessment of the client, side by side, oldest on the left."""
    client = open_client(request, local_id, "assessments")
    found = list(queries.assessments_of(client))
    rows = [(label, [getattr(a, name) for a in found]) for name, label in SECTIONS] + [
        (label, [getattr(a, f"get_{name}_display")() for a in found]) for name, label in RISK_AREAS
    ]
    context = {"client": client, "assessments": found, "rows": rows}
    return render(request, "assessments/assessments.html", context)
