"""What a report asks for: a period and a scope (service, team, keyworker), within what the
user may see; the same for the report page, the dashboards and the commands. A period or a
scope that cannot be reported on is a RuleViolation naming the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from keywork.access.models import Service, Team, Worker
from keywork.clients import policies
from keywork.core.actors import Actor
from keywork.core.dates import add_months
from keywork.core.errors import AccessDenied, RuleViolation, invalid
from keywork.core.forms import plausible
from keywork.measures import disclosure
from keywork.measures.framework import Measure, Period, Result, Scope
from keywork.measures.runs import compute


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


def show_refusal(form: ReportForm, error: RuleViolation) -> None:
    """Put a refusal on the form's field it names, else on the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.shown)


def _first_error(form: ReportForm) -> RuleViolation:
    """The form's first error, for the command (whose options name the dates --from, --to)."""
    field, errors = next(iter(form.errors.items()))
    return invalid({"start": "--from", "end": "--to"}.get(field, field), str(errors[0]))


def service_for(actor: Actor, code: str) -> Service:
    """The actor's own service; for the operator, the one named or the only one."""
    worker = policies.worker_of(actor)
    if worker is not None:
        assert worker.service is not None  # can_see_reports
        return worker.service
    if code:
        found = Service.objects.filter(code=code).first()
        if found is None:
            raise invalid("service", f"no service '{code}'")
        return found
    services = list(Service.objects.all()[:2])
    if len(services) != 1:
        raise invalid("service", "say which service (--service CODE)")
    return services[0]


def scope_of(actor: Actor, data: dict[str, Any]) -> Scope:
    """The scope asked for, within what this user may see."""
    service = service_for(actor, data.get("service") or "")
    team = None
    if data.get("team"):
        team = Team.objects.filter(service=service, code=data["team"]).first()
        if team is None:
            raise invalid("team", f"no team '{data['team']}' in {service.name}")
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
            raise invalid("keyworker", f"no keyworker '{data['keyworker']}' in that scope")
    return Scope(service, team, keyworker, bool(data.get("include_alcohol_only")))


def period_and_scope(actor: Actor, given: dict[str, Any]) -> tuple[Period, Scope]:
    """The period and scope asked for, within what this user may see."""
    if not policies.can_see_reports(actor):
        raise AccessDenied(
            "the quality measures are for the service's practitioners, manager and commissioner"
        )
    form = ReportForm(given)
    if not form.is_valid():
        raise _first_error(form)
    data = form.cleaned_data
    return Period(data["start"], data["end"]), scope_of(actor, data)


def compute_for(actor: Actor, measure: Measure, given: dict[str, Any]) -> Result:
    """The result as this user may see it: a commissioner's with its small numbers withheld
    (keywork/measures/disclosure.py), on the page and in every download."""
    return as_seen_by(actor, compute(measure, *period_and_scope(actor, given)))


def as_seen_by(actor: Actor, found: Result) -> Result:
    return found if sees_identities(actor) else disclosure.result(found)


def in_the_background(scope: Scope) -> bool:
    """Service-wide reports are computed by the task worker; a team's or a keyworker's is
    small enough to compute while the page waits."""
    return scope.team is None and scope.keyworker is None


def sees_identities(actor: Actor) -> bool:
    return policies.sees_identities_in_reports(actor)
