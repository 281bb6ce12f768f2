"""The quality-measure report page and its downloads (CSV, JSON, FHIR)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from keywork.clients import policies
from keywork.core.charts import figures
from keywork.core.dates import add_months, today
from keywork.core.errors import AccessDenied, RuleViolation
from keywork.measures import disclosure, fhir
from keywork.measures.asked import ReportForm, compute_for, show_refusal
from keywork.measures.downloads import FHIR_JSON, FORMATS, audit_list, download
from keywork.measures.framework import Result
from keywork.measures.output import reasons_counted
from keywork.measures.registry import MEASURES


def default_period() -> dict[str, str]:
    """This month and the two before it."""
    end = today()
    return {"start": add_months(end.replace(day=1), -2).isoformat(), "end": end.isoformat()}


@login_required
def report(request: HttpRequest, code: str) -> HttpResponse:
    measure = MEASURES.get(code)
    if measure is None:
        raise Http404("No such measure.")
    if not policies.can_see_reports(request.user):
        raise Http404(
            "The quality measures are for the service's practitioners, manager and commissioner."
        )
    given = {**default_period(), **request.GET.dict()}
    form = ReportForm(given)
    context: dict[str, Any] = {"measure": measure, "form": form}
    if form.is_valid():
        try:
            result = compute_for(request.user, measure, given)
        except RuleViolation as error:
            show_refusal(form, error)
            return render(request, "measures/report.html", context, status=400)
        wanted = request.GET.get("format", "")
        if wanted in FORMATS:
            return _downloaded(request, result, wanted)
        identities = audit_list(request.user, result)
        context.update(
            result=result,
            identities=identities,
            reasons=reasons_counted(result, identities=identities),
            chart=_chart(result),
            query=request.GET.urlencode(),
        )
    return render(request, "measures/report.html", context, status=200 if form.is_valid() else 400)


def _downloaded(request: HttpRequest, result: Result, wanted: str) -> HttpResponse:
    try:
        text, content_type = download(request.user, result, wanted)
    except AccessDenied as error:
        return HttpResponse(str(error), status=403, content_type="text/plain")
    response = HttpResponse(text, content_type=content_type)
    if wanted != "json":
        suffix = "csv" if wanted == "csv" else "json"
        name = f"{result.measure.code}-{wanted}-{result.period.start}-{result.period.end}.{suffix}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def measure_definition(request: HttpRequest, code: str) -> HttpResponse:
    """The FHIR Measure resource that a report's `measure` points at."""
    measure = MEASURES.get(code)
    if measure is None or not policies.can_see_reports(request.user):
        raise Http404("No such measure.")
    return HttpResponse(json.dumps(fhir.definition(measure), indent=2), content_type=FHIR_JSON)


def _chart(result: Result) -> dict[str, Any]:
    months = result.breakdowns.get("month", [])
    counted = zip(
        disclosure.numbers([t.numerator for t in months]),
        disclosure.numbers([t.denominator for t in months]),
        strict=True,
    )
    return figures(
        "bar",
        [t.label for t in months],
        {
            "% counted": [
                round(float(t.proportion) * 100, 1) if t.proportion is not None else None
                for t in months
            ]
        },
        y_max=100,
        y_title="% of clients in drug treatment",
        after=[f"{n} of {d}" for n, d in counted],
    )
