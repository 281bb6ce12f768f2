"""The quality-measure report page and its downloads (CSV, JSON, FHIR)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from keywork.clients import policies
from keywork.core.charts import figures
from keywork.core.dates import add_months, today
from keywork.core.errors import AccessDenied, RuleViolation
from keywork.core.views import query_without
from keywork.measures import disclosure, fhir, snapshots
from keywork.measures.asked import (
    ReportForm,
    as_seen_by,
    in_the_background,
    period_and_scope,
    sees_identities,
    show_refusal,
)
from keywork.measures.downloads import FHIR_JSON, FORMATS, audit_list, download
from keywork.measures.framework import Result
from keywork.measures.models import Run, Work
from keywork.measures.output import reasons_counted
from keywork.measures.registry import MEASURES
from keywork.measures.runs import NotCountedList, asked, changed_since, compute, kept, result
from keywork.measures.snapshots import Kept
from keywork.measures.tasks import compute_run

LIST_PAGE = 50  # clients not counted shown at a time


def default_period() -> dict[str, str]:
    """This month and the two before it."""
    end = today()
    return {"start": add_months(end.replace(day=1), -2).isoformat(), "end": end.isoformat()}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, code: str) -> HttpResponse:
    """The report for the period and scope asked. A service-wide one is computed by the task
    worker: the page shows its progress until it is done, then the kept result (with when it
    was computed) until someone asks for it again."""
    measure = MEASURES.get(code)
    if measure is None:
        raise Http404("No such measure.")
    if not policies.can_see_reports(request.user):
        raise Http404(
            "The quality measures are for the service's practitioners, manager and commissioner."
        )
    given = {**default_period(), **request.GET.dict()}
    form = ReportForm(given)
    context: dict[str, Any] = {
        "measure": measure,
        "form": form,
        "query": query_without(request, "page"),
    }
    if not form.is_valid():
        return render(request, "measures/report.html", context, status=400)
    try:
        period, scope = period_and_scope(request.user, given)
    except RuleViolation as error:
        show_refusal(form, error)
        return render(request, "measures/report.html", context, status=400)
    if not in_the_background(scope):
        found = compute(measure, period, scope)
    else:
        run = kept(measure, period, scope)
        if request.method == "HEAD":  # the waiting page asking whether it is done
            return state_of(run) if run is not None else HttpResponse(status=404)
        if request.method == "POST" or run is None:
            compute_run.enqueue(asked(measure, period, scope).pk)
            return redirect(request.get_full_path())
        if run.state != Run.State.DONE:
            context["waiting"] = run
            return render(request, "measures/report.html", context, status=202)
        found = result(run)
        context.update(kept=run, changed=changed_since(run))
    return _shown(request, as_seen_by(request.user, found), context)


def kept_figures(request: HttpRequest, page: str, key: str) -> Kept | HttpResponse:
    """A page of figures kept over a whole service (keywork/measures/snapshots.py): a POST
    asks for them again and comes back; a HEAD answers the waiting page's script; else the
    kept figures, with any newer ones on their way."""
    if request.method == "POST":
        snapshots.ask(page, key)
        return redirect(request.get_full_path())
    kept = snapshots.kept(page, key)
    if request.method == "HEAD":
        return state_of(kept.coming if kept.shown is None else None)
    return kept


def state_of(work: Work | None) -> HttpResponse:
    """For a waiting page's script: 202 while the work it waits for is being done, with
    what it is doing; 200 once it is not."""
    if work is None:
        return HttpResponse(status=200)
    working = work.state in (Work.State.QUEUED, Work.State.RUNNING)
    response = HttpResponse(status=202 if working else 200)
    response["X-Keywork-Progress"] = work.progress or work.get_state_display()
    return response


def _shown(request: HttpRequest, found: Result, context: dict[str, Any]) -> HttpResponse:
    wanted = request.GET.get("format", "")
    if wanted in FORMATS:
        return _downloaded(request, found, wanted)
    identities = sees_identities(request.user)
    by_keyworker = Paginator(found.breakdowns.get("keyworker", []), LIST_PAGE)
    context["keyworkers"] = by_keyworker.get_page(request.GET.get("keyworkers"))
    context["keyworkers_query"] = query_without(request, "keyworkers")
    if identities:  # the list names clients: read, and audited, a page at a time
        listed: Any = NotCountedList(found)
        context["page"] = page = Paginator(listed, LIST_PAGE).get_page(request.GET.get("page"))
        audit_list(request.user, found, list(page.object_list))
    context.update(
        result=found,
        identities=identities,
        reasons=reasons_counted(found, identities=identities),
        chart=_chart(found),
    )
    return render(request, "measures/report.html", context)


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
