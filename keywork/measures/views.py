"""The quality-measure report page, its CSV and JSON downloads, and the shared parsing of
a period and a scope (the command uses the same)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from keywork.access.models import Service, Team, Worker
from keywork.audit import trail
from keywork.clients import policies
from keywork.clients.models import Client
from keywork.core.actors import Actor
from keywork.core.dates import add_months, today
from keywork.core.errors import AccessDenied
from keywork.core.forms import plausible
from keywork.measures import disclosure, fhir
from keywork.measures.framework import Measure, Period, Result, Scope, compute, subjects
from keywork.measures.output import as_csv, as_json, reasons_counted
from keywork.measures.registry import MEASURES


class BadRequest(ValueError):
    """A period or scope that cannot be reported on; the message names the field."""


class ReportForm(forms.Form):
    start = forms.DateField(label="From", validators=[plausible])
    end = forms.DateField(label="To", validators=[plausible])
    service = forms.CharField(required=False)
    team = forms.CharField(required=False, label="Team")
    keyworker = forms.CharField(required=False, label="Keyworker")
    include_alcohol_only = forms.BooleanField(required=False, label="Include alcohol-only clients")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "the period ends before it starts")
        elif start and end and end >= add_months(start, 12 * settings.KEYWORK_REPORT_MAX_YEARS):
            years = settings.KEYWORK_REPORT_MAX_YEARS
            self.add_error("end", f"a report covers at most {years} years; choose a shorter period")
        return data


def show_refusal(form: ReportForm, error: Exception) -> None:
    """Put a refusal ("field: message") on the form's field it names, else on the form."""
    field, _, message = str(error).partition(": ")
    form.add_error(field if field in form.fields else None, message or str(error))


def _first_error(form: ReportForm) -> str:
    field, errors = next(iter(form.errors.items()))
    name = {"start": "--from", "end": "--to"}.get(field, field)
    return f"{name}: {errors[0]}"


def service_for(actor: Actor, code: str) -> Service:
    """The actor's own service; for the operator, the one named or the only one."""
    worker = policies.worker_of(actor)
    if worker is not None:
        assert worker.service is not None  # can_see_reports
        return worker.service
    if code:
        found = Service.objects.filter(code=code).first()
        if found is None:
            raise BadRequest(f"service: no service '{code}'")
        return found
    services = list(Service.objects.all()[:2])
    if len(services) != 1:
        raise BadRequest("service: say which service (--service CODE)")
    return services[0]


def scope_of(actor: Actor, data: dict[str, Any]) -> Scope:
    """The scope asked for, within what this user may see."""
    service = service_for(actor, data.get("service") or "")
    team = None
    if data.get("team"):
        team = Team.objects.filter(service=service, code=data["team"]).first()
        if team is None:
            raise BadRequest(f"team: no team '{data['team']}' in {service.name}")
    own = policies.report_team_of(actor)
    if own is not None:
        if team is not None and team != own:
            raise AccessDenied("you see the reports of your own team only")
        team = own
    keyworker = None
    if data.get("keyworker"):
        keyworker = (
            Worker.objects.filter(service=service, user__username=data["keyworker"])
            .select_related("user")
            .first()
        )
        if keyworker is None or (team is not None and keyworker.team_id != team.pk):
            raise BadRequest(f"keyworker: no keyworker '{data['keyworker']}' in that scope")
    return Scope(service, team, keyworker, bool(data.get("include_alcohol_only")))


def period_and_scope(actor: Actor, given: dict[str, Any]) -> tuple[Period, Scope]:
    """The period and scope asked for, within what this user may see."""
    if not policies.can_see_reports(actor):
        raise AccessDenied(
            "the quality measures are for the service's practitioners, manager and commissioner"
        )
    form = ReportForm(given)
    if not form.is_valid():
        raise BadRequest(_first_error(form))
    data = form.cleaned_data
    return Period(data["start"], data["end"]), scope_of(actor, data)


def compute_for(actor: Actor, measure: Measure, given: dict[str, Any]) -> Result:
    """The result as this user may see it: a commissioner's with its small numbers withheld
    (keywork/measures/disclosure.py), on the page and in every download."""
    found = compute(measure, *period_and_scope(actor, given))
    return found if sees_identities(actor) else disclosure.result(found)


def sees_identities(actor: Actor) -> bool:
    return policies.sees_identities_in_reports(actor)


def _audit_reads(actor: Actor, result: Result, clients: list[int]) -> None:
    """Showing who is behind the numbers is a read of each client's record."""
    if clients:
        trail.record_read(
            actor=actor,
            what=f"{result.measure.code} report",
            clients=[Client(pk=pk) for pk in clients],
        )


def audit_list(actor: Actor, result: Result) -> bool:
    """Audit the list of clients not counted, if this user is shown it; say whether."""
    identities = sees_identities(actor)
    if identities:
        _audit_reads(actor, result, [row.client for row in result.not_counted])
    return identities


FHIR_JSON = "application/fhir+json"
FORMATS = ("json", "csv", "fhir", "fhir-subject-list")


def download(actor: Actor, result: Result, fmt: str) -> tuple[str, str]:
    """The result as (text, content type) in one of FORMATS. Those shown a client are
    audited as reads; the subject list names every client, so a commissioner is refused it."""
    identities = sees_identities(actor)
    if fmt == "fhir":
        return json.dumps(fhir.report(result), indent=2), FHIR_JSON
    if fmt == "fhir-subject-list":
        if not identities:
            raise AccessDenied("the subject list names clients; you see the summary report")
        listed = subjects(result.measure, result.period, result.scope)
        _audit_reads(actor, result, [row.client for row in listed])
        return json.dumps(fhir.report(result, listed), indent=2), FHIR_JSON
    audit_list(actor, result)
    if fmt == "csv":
        return as_csv(result, identities=identities), "text/csv"
    return json.dumps(as_json(result, identities=identities), indent=2), "application/json"


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
        except (BadRequest, AccessDenied) as error:
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
    return {
        "labels": [t.label for t in months],
        "proportion": [
            round(float(t.proportion) * 100, 1) if t.proportion is not None else None
            for t in months
        ],
        "numerator": disclosure.numbers([t.numerator for t in months]),
        "denominator": disclosure.numbers([t.denominator for t in months]),
    }
