from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from keywork.access import audit, policies
from keywork.access.models import Role
from keywork.clients import queries
from keywork.clients.models import Episode

PAGE_SIZE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The caseload: mine by default, or the team's (or service's) open episodes."""
    worker = policies.worker_of(request.user)
    if worker is None or worker.role in (Role.ADMINISTRATOR, Role.COMMISSIONER):
        return render(request, "clients/no_caseload.html", {"worker": worker})
    default = "mine" if worker.is_practitioner else "team"
    scope = request.GET.get("scope", default)
    if scope not in ("mine", "team"):
        scope = default
    search = request.GET.get("q", "")
    sort = request.GET.get("sort", "name")
    reengaging = request.GET.get("reengaging") == "1"
    episodes = queries.caseload(
        request.user, scope=scope, search=search, sort=sort, reengaging=reengaging
    )
    page = Paginator(episodes, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record_read(actor=request.user, what="caseload", clients=[e.client for e in page])
    return render(
        request,
        "clients/caseload.html",
        {
            "page": page,
            "scope": scope,
            "search": search,
            "sort": sort,
            "reengaging": reengaging,
            "worker": worker,
        },
    )


@login_required
def client_record(request: HttpRequest, local_id: str) -> HttpResponse:
    client = queries.visible_client(request.user, local_id)
    if client is None:
        raise Http404("No client with that id on the records you can see.")
    audit.record_read(actor=request.user, what="client record", clients=[client])
    record = queries.record_of(client)
    current = record["current"]
    can_record = isinstance(current, Episode) and policies.can_work_with(request.user, current)
    context = {"client": client, "can_record": can_record, **record}
    return render(request, "clients/record.html", context)
