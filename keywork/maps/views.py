"""A client's maps: the list, one map with its versions, starting one and changing it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from keywork.clients import policies
from keywork.clients import queries as client_queries
from keywork.clients.views import episode_change, open_client, record_change
from keywork.maps import actions, queries
from keywork.maps.forms import MapForm, StartMapForm
from keywork.maps.models import Map
from keywork.maps.svg import drawing

RECORDS = Map.objects.select_related("episode", "tool")


@login_required
def maps(request: HttpRequest, local_id: str) -> HttpResponse:
    client = open_client(request, local_id, "maps")
    latest = client_queries.latest_episode(client)
    found = queries.maps_of(latest) if latest else []
    shown = [(m, queries.drawn(m)) for m in found]
    can_draw = (
        latest is not None and latest.is_open and policies.can_work_with(request.user, latest)
    )
    context = {"client": client, "maps": shown, "can_draw": can_draw}
    return render(request, "maps/list.html", context)


@login_required
def one_map(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    """A map as drawn at one version (the latest unless asked), with every version listed."""
    client = open_client(request, local_id, "a map")
    the_map = RECORDS.filter(pk=pk, episode__client=client).first()
    if the_map is None:
        raise Http404("No such map on this client's record.")
    versions = list(
        the_map.versions.select_related("saved_by__user", "attendance__session")
        .prefetch_related("goals")
        .order_by("-number")
    )
    asked = request.GET.get("version", "")
    version = next((v for v in versions if str(v.number) == asked), versions[0])
    text = {n["id"]: n["text"] for n in version.nodes}
    context = {
        "client": client,
        "map": the_map,
        "version": version,
        "versions": versions,
        "svg": drawing(the_map.title, version.nodes, version.links),
        "lines": [(text[k["from"]], k["label"], text[k["to"]]) for k in version.links],
        "can_draw": the_map.episode.is_open
        and policies.can_work_with(request.user, the_map.episode),
    }
    return render(request, "maps/map.html", context)


@login_required
def start(request: HttpRequest, local_id: str) -> HttpResponse:
    return episode_change(
        request,
        local_id,
        form_class=StartMapForm,
        allowed=policies.can_work_with,
        perform=lambda episode, form: actions.start_map(
            actor=request.user, episode=episode, given=form.given()
        ),
        title="Start a map",
        done="Map started from its guide: put it in the client's words.",
        initial={"attendance": request.GET.get("attendance", "")},
        then=lambda the_map: reverse("change_map", args=[local_id, the_map.pk]),
    )


@login_required
def change(request: HttpRequest, local_id: str, pk: int) -> HttpResponse:
    return record_change(
        request,
        local_id,
        RECORDS,
        pk,
        form_class=MapForm,
        perform=lambda the_map, form: actions.save_map(
            actor=request.user, the_map=the_map, given=form.given()
        ),
        title="Change the map",
        done="Map saved as a new version; the earlier ones stay.",
        back="map",
        template="maps/edit.html",
        back_to_record=True,
    )
