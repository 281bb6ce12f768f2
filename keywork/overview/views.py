"""The pages that gather every app's part of the record: the caseload, the client record,
the team view, the client's printable summary and the service manager's access reviews."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from keywork.access import queries as access_queries
from keywork.access.models import Worker
from keywork.audit import trail
from keywork.careplans.models import Owner
from keywork.careplans.queries import current_plan, review_due
from keywork.checkups.queries import due_checkups
from keywork.clients import actions, breakglass, policies
from keywork.clients import queries as client_queries
from keywork.clients.models import BreakGlass, Client
from keywork.clients.views import open_client
from keywork.core.dates import today
from keywork.core.forms import ActionForm
from keywork.core.inputs import Note
from keywork.core.paging import Pages
from keywork.core.views import changed, query_without
from keywork.maps.queries import on_summary as maps_on_summary
from keywork.measures import snapshots
from keywork.measures.views import kept_figures
from keywork.overview import queries
from keywork.referrals.actions import review_consent_override
from keywork.referrals.models import Referral
from keywork.sessions.queries import next_appointment

PAGE_SIZE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The caseload: mine by default, or the team's (or service's) open episodes."""
    worker = policies.worker_of(request.user)
    if worker is None or not policies.has_caseload(request.user):
        return render(request, "overview/no_caseload.html", {"worker": worker})
    default = "mine" if worker.is_practitioner else "team"
    scope = request.GET.get("scope", default)
    if scope not in ("mine", "team"):
        scope = default
    search = request.GET.get("q", "")[: queries.SEARCH_MAX]
    sort = request.GET.get("sort", "name")
    show = request.GET.get("show", "")
    if show not in queries.ONLY:
        show = ""
    keyworker = request.GET.get("keyworker", "")[:150]
    episodes = queries.caseload(
        request.user, scope=scope, search=search, sort=sort, show=show, keyworker=keyworker
    )
    page = Pages(episodes, PAGE_SIZE).get_page(request.GET.get("page"))
    checkups = list(due_checkups(request.user, today())) if scope == "mine" else []
    shown = [e.client for e in page] + [c.episode.client for c in checkups]
    trail.record_read(actor=request.user, what="caseload", clients=shown)
    return render(
        request,
        "overview/caseload.html",
        {
            "page": page,
            "query": urlencode(
                {"scope": scope, "q": search, "sort": sort, "show": show, "keyworker": keyworker}
            ),
            "scope": scope,
            "search": search,
            "search_max": queries.SEARCH_MAX,
            "sort": sort,
            "show": show,
            "filters": queries.ONLY,
            "today": today(),
            "soon": today() + queries.REVIEW_SOON,
            "worker": worker,
            "checkups": checkups,
            "registers": policies.registers_clients(request.user),
            "keyworker": keyworker,
            "keyworkers": _keyworkers(worker) if scope != "mine" else [],
        },
    )


def _keyworkers(worker: Worker) -> list[Worker] | None:
    """The caseload's keyworker list: the team's (a manager's: the service's); None when
    there are more than a list holds, and the username is typed."""
    assert worker.service_id is not None
    team = worker.team if worker.team_id else None
    return access_queries.practitioners_to_choose(worker.service_id, team)


@login_required
def client_record(request: HttpRequest, local_id: str) -> HttpResponse:
    try:
        client = open_client(request, local_id, "client record")
    except Http404:
        asked = Client.objects.filter(local_id=local_id).first()
        if asked is not None and policies.can_break_glass(request.user, asked):
            return breakglass.offer(request, asked)
        raise
    record = queries.record_of(client)
    current, latest = record.current, record.latest
    context = {
        "client": client,
        "can_record": current is not None and policies.can_work_with(request.user, current),
        "can_allocate": current is not None and policies.can_allocate(request.user, current),
        "can_work": latest is not None and policies.can_work_with(request.user, latest),
        "can_change_details": policies.can_change_details_of(request.user, client, latest),
        "can_open_episode": current is None and policies.registers_clients(request.user),
        "today": today(),
        **record.context(),
    }
    return render(request, "overview/record.html", context)


TEAM_LISTS = ("waiting", "flags", "caseloads", "standing")  # each with its own pages


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def team(request: HttpRequest) -> HttpResponse:
    """The team leader's view (a service manager's covers the service): clients awaiting a
    new keyworker, allocations to review, and each keyworker's workload. A team's figures
    are worked out as the page is asked for; a service's are kept
    (keywork/measures/snapshots.py), and the clients awaiting a keyworker read as they are."""
    worker = policies.worker_of(request.user)
    if worker is None or not policies.can_see_team_view(request.user):
        raise Http404("The team view is for team leaders and service managers.")
    listed = policies.episodes_visible_to(request.user)
    context: dict[str, Any] = {"worker": worker, "query": request.GET.urlencode()}
    if worker.team_id is not None:
        figures = queries.team_figures({"team_id": worker.team_id})
    else:
        kept = kept_figures(request, "team", snapshots.key_of(service_id=worker.service_id))
        if isinstance(kept, HttpResponse):
            return kept
        context.update(kept.context())
        figures = {"workload": [], "flags": []}
        if kept.shown is not None:  # kept a row at a time: a page read at a time
            figures = {name: snapshots.Lines(kept.shown, name) for name in figures}
    pages = {name: request.GET.get(name) for name in TEAM_LISTS}
    waiting = Pages(client_queries.awaiting_reallocation(listed), PAGE_SIZE)
    awaiting = waiting.get_page(pages["waiting"])
    flags = Paginator(figures["flags"], PAGE_SIZE).get_page(pages["flags"])
    flagged = queries.flagged(listed, list(flags.object_list))
    led = access_queries.practitioners_led_by(worker).order_by(*access_queries.BY_NAME)
    led_page = Pages(led, PAGE_SIZE).get_page(pages["standing"])
    shown = {e.client.pk: e.client for e in [*awaiting, *(f.episode for f in flagged)]}
    trail.record_read(actor=request.user, what="team view", clients=shown.values())
    context.update(
        {
            "waiting": awaiting,
            "flags": flags,
            "flagged": flagged,
            "workload": (
                caseloads := Paginator(figures["workload"], PAGE_SIZE).get_page(pages["caseloads"])
            ),
            "workload_rows": queries.workload_rows(caseloads),
            "led": led_page,
            "standing": access_queries.standing(
                led.filter(pk__in=[w.pk for w in led_page]), timezone.localdate()
            ),
            # each list's pager keeps the other lists' pages
            "keep": {name: query_without(request, name) for name in TEAM_LISTS},
        }
    )
    return render(
        request, "overview/team.html", context, status=202 if context.get("computing") else 200
    )


@login_required
def summary(request: HttpRequest, local_id: str) -> HttpResponse:
    """ "Your keyworking": one printable page for the client, with what seed 004 says a client
    should know: who the keyworker is and how to reach them, what support to expect, when
    the next appointment is, what is being done and by whom, and what is expected of them."""
    client = open_client(request, local_id, "your keyworking summary")
    episode = (
        client.episodes.filter(discharged_on=None)
        .select_related("phase", "team", "service", "keyworker__user")
        .first()
    )
    if episode is None:
        raise Http404("The client has no open episode to summarise.")
    plan = current_plan(episode)
    actions_due = list(plan.actions.order_by("due_on", "position")) if plan else []
    context = {
        "client": client,
        "episode": episode,
        "plan": plan,
        "goals": list(plan.goals.prefetch_related("milestones")) if plan else [],
        "by_others": [a for a in actions_due if a.owner != Owner.CLIENT],
        "by_client": [a for a in actions_due if a.owner == Owner.CLIENT],
        "printed_on": today(),
        "next_appointment": next_appointment(episode),
        "review_due": review_due(plan, plan.reviews.all()) if plan else None,
        "maps": maps_on_summary(episode),
    }
    return render(request, "overview/summary.html", context)


class ReviewForm(ActionForm):
    kind = forms.ChoiceField(choices=[("glass", "break-glass"), ("override", "consent override")])
    pk = forms.IntegerField()
    note = forms.CharField(label="What the review found", required=False)


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    """The service manager's list: break-glass uses and consent overrides to sign off."""
    worker = policies.worker_of(request.user)
    if worker is None or worker.service_id is None or not policies.reviews_access(request.user):
        raise Http404("Access reviews are for the service manager.")
    service_id: int = worker.service_id
    form = ReviewForm(request.POST or None)
    if changed(request, form, lambda: _sign_off(request, service_id, form), "Signed off."):
        return redirect("access_reviews")
    grants = BreakGlass.objects.filter(service_id=service_id).select_related(
        "client", "worker__user", "reviewed_by__user"
    )
    overrides = Referral.objects.filter(
        episode__service_id=service_id, consent_to_share=False
    ).select_related("episode__client", "made_by__user", "review__reviewed_by__user")
    context = {
        "form": form,
        "grants": grants[:200],
        "overrides": overrides.order_by("-made_on")[:200],
        "now": timezone.now(),
    }
    return render(request, "overview/access_reviews.html", context)


def _sign_off(request: HttpRequest, service_id: int, form: ReviewForm) -> object:
    data = form.cleaned_data
    if data["kind"] == "glass":
        grant = BreakGlass.objects.filter(pk=data["pk"], service_id=service_id).first()
        if grant is None:
            raise Http404("No such access.")
        return actions.review_break_glass(
            actor=request.user, grant=grant, given=Note(note=data["note"])
        )
    referral = Referral.objects.filter(pk=data["pk"], episode__service_id=service_id).first()
    if referral is None:
        raise Http404("No such referral.")
    return review_consent_override(
        actor=request.user, referral=referral, given=Note(note=data["note"])
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Find anyone the user may see, discharged too, by name, date of birth, NHS number or
    client id."""
    asked = request.GET.get("q", "")
    found = queries.find_clients(request.user, asked)
    trail.record_read(actor=request.user, what="search", clients=found)
    context = {"asked": asked, "found": found, "most": queries.FOUND_MAX}
    return render(request, "overview/search.html", context)
