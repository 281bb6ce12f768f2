"""The dashboard page and the list behind each of its figures."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from keywork.audit import trail
from keywork.clients import policies
from keywork.clients.models import Client
from keywork.core.charts import figures
from keywork.core.errors import RuleViolation
from keywork.core.paging import Uncounted
from keywork.core.replica import reads_from_the_replica
from keywork.measures import disclosure, snapshots
from keywork.measures.asked import (
    ReportForm,
    in_the_background,
    period_and_scope,
    sees_identities,
    show_refusal,
)
from keywork.measures.dashboard import LISTS, Dashboard, dashboard, from_figures, key_of
from keywork.measures.views import LIST_PAGE, default_period, kept_figures

KEEP = ("start", "end", "team", "keyworker")


def _asked(request: HttpRequest) -> tuple[ReportForm, dict[str, str]]:
    if not policies.can_see_reports(request.user):
        raise Http404(
            "The dashboards are for the service's practitioners, manager and commissioner."
        )
    given = {**default_period(), **request.GET.dict()}
    return ReportForm(given), given


def _kept(given: dict[str, str]) -> str:
    """The period and scope, for the links between the dashboard and its lists."""
    return urlencode({k: given[k] for k in KEEP if given.get(k)})


def _refused(
    request: HttpRequest,
    form: ReportForm,
    error: RuleViolation,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    show_refusal(form, error)
    return render(request, template, {**context, "form": form}, status=400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@reads_from_the_replica
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """A team's or a keyworker's dashboard is worked out as the page is asked for; the
    whole service's is kept (keywork/measures/snapshots.py): the page shows the kept figures,
    or the progress of the task worker working them out when there are none yet."""
    form, given = _asked(request)
    if not form.is_valid():
        return render(request, "measures/dashboard.html", {"form": form}, status=400)
    try:
        period, scope = period_and_scope(request.user, given)
    except RuleViolation as error:
        return _refused(request, form, error, "measures/dashboard.html", {})
    query = _kept(given)
    context: dict[str, Any] = {"form": form, "query": query}
    if not in_the_background(scope):
        board = dashboard(scope, period)
    else:
        kept = kept_figures(request, "dashboard", snapshots.key_of(**key_of(scope, period)))
        if isinstance(kept, HttpResponse):
            return kept
        context.update(kept.context())
        if kept.shown is None:
            return render(request, "measures/dashboard.html", context, status=202)
        board = from_figures(kept.shown.figures, scope, period)
    identities = sees_identities(request.user)
    if not identities:
        board = disclosure.board(board)  # a commissioner's small numbers withheld
    context.update(board=board, identities=identities, charts=_charts(board))
    return render(request, "measures/dashboard.html", context)


def _charts(board: Dashboard) -> dict[str, Any]:
    return {
        "phases": figures(
            "bar",
            [name for _, name, _ in board.phases],
            {"Open episodes": disclosure.numbers([n for *_, n in board.phases])},
        ),
        "mix": figures(
            "bar",
            [name for _, name, _ in board.mix],
            {"Interventions": disclosure.numbers([n for *_, n in board.mix])},
        ),
        "outcomes": _change(board.outcomes, "At the start (mean)"),
        "recovery": _change(board.recovery, "At the first check (mean)"),
    }


def _change(rows: list[tuple[str, str, Any, Any, Any]], first: str) -> dict[str, Any]:
    """Start and latest means, side by side for each item."""
    return figures(
        "bar",
        [label for _, label, _, _, _ in rows],
        {first: [s for _, _, s, _, _ in rows], "Latest (mean)": [t for _, _, _, t, _ in rows]},
    )


@login_required
@reads_from_the_replica
def dashboard_list(request: HttpRequest, code: str) -> HttpResponse:
    if code not in LISTS:
        raise Http404("No such list.")
    title, given_columns, lister = LISTS[code]
    columns = given_columns() if callable(given_columns) else given_columns
    form, given = _asked(request)
    context: dict[str, Any] = {"title": title, "columns": columns}
    if not form.is_valid():
        return render(
            request, "measures/dashboard_list.html", {**context, "form": form}, status=400
        )
    try:
        period, scope = period_and_scope(request.user, given)
    except RuleViolation as error:
        return _refused(request, form, error, "measures/dashboard_list.html", context)
    if not sees_identities(request.user):
        return HttpResponse(
            "The lists behind the figures name clients; you see the figures.",
            status=403,
            content_type="text/plain",
        )
    found, row = lister(scope, period, request.GET.dict())
    page = Uncounted(found, LIST_PAGE).get_page(request.GET.get("page"))
    rows = [row(thing) for thing in page.object_list]
    shown = Client.objects.filter(local_id__in=[r[0] for r in rows]).only("pk")  # one page
    trail.record_read(actor=request.user, what=f"dashboard: {title.lower()}", clients=shown)
    query = _kept(given)
    context.update(form=form, rows=rows, page=page, scope=scope, period=period, query=query)
    context["paged"] = urlencode({k: v for k, v in given.items() if k != "page"})
    return render(request, "measures/dashboard_list.html", context)
