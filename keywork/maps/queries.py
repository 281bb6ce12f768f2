"""Reads of maps: a client's maps with their latest versions, the tools to offer first."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Prefetch, QuerySet
from django.utils.safestring import SafeString

from keywork.careplans.models import CarePlan, Goal
from keywork.catalogue.models import Entry
from keywork.clients.models import Episode
from keywork.maps.models import Map, MapVersion
from keywork.maps.svg import drawing
from keywork.sessions.models import Attendance, Outcome


def maps_of(episode: Episode) -> list[Map]:
    """The episode's maps, newest first, each with `shown`: its versions, newest first."""
    versions = MapVersion.objects.select_related("saved_by__user", "attendance__session")
    found = Map.objects.filter(episode=episode).select_related("tool", "started_by__user")
    return list(
        found.prefetch_related(
            Prefetch("versions", queryset=versions.order_by("-number"), to_attr="shown")
        ).order_by("-started_at", "-pk")
    )


def on_summary(episode: Episode) -> list[tuple[Map, SafeString]]:
    """The maps the client agreed to have on their printed summary (their latest version
    says so), each drawn as it is now."""
    return [(m, drawn(m)) for m in maps_of(episode) if m.shown[0].on_summary]  # type: ignore[attr-defined]


def drawn(the_map: Map) -> SafeString:
    """A map of `maps_of` drawn as its latest version is, its ids its own on the page."""
    latest = the_map.shown[0]  # type: ignore[attr-defined]
    return drawing(the_map.title, latest.nodes, latest.links, f"map-{the_map.pk}")


def tools_for(episode: Episode) -> list[Entry]:
    """The mapping tools, those listed for the client's phase first (then the rest, by name:
    a free map is always possible)."""
    tools = list(
        Entry.objects.filter(kind=Entry.Kind.MAPPING_TOOL, retired_at=None)
        .prefetch_related("phases")
        .order_by("name")
    )
    return sorted(tools, key=lambda t: not listed_for(t, episode))


def listed_for(tool: Entry, episode: Episode) -> bool:
    """Whether the tool is listed for the client's phase (its phases prefetched)."""
    return episode.phase_id in {p.pk for p in tool.phases.all()}


def sessions_of(episode: Episode) -> QuerySet[Attendance]:
    """The client's attended sessions a map may be drawn at, the latest first."""
    return (
        Attendance.objects.filter(
            episode=episode, outcome=Outcome.ATTENDED, entered_in_error_at=None
        )
        .select_related("session")
        .order_by("-session__starts_at")[:20]
    )


def goals_of(episode: Episode) -> list[Goal]:
    """The goals of the client's care plan in force (its latest version)."""
    plan = CarePlan.objects.filter(episode=episode).order_by("-version").first()
    return list(plan.goals.order_by("position")) if plan else []


def tools_at(attendance_ids: Sequence[int]) -> dict[int, list[str]]:
    """The maps drawn or changed at each session, as the mapping tools used there (rule 5):
    {attendance id: ["Triggers and coping map (“My triggers”)", ...]}."""
    if not attendance_ids:
        return {}
    found: dict[int, list[str]] = {}
    rows = (
        MapVersion.objects.filter(attendance_id__in=attendance_ids)
        .values_list("attendance_id", "map__tool__name", "map__title")
        .order_by("attendance_id", "map_id")
    )
    for pk, tool, title in rows:
        shown = found.setdefault(pk, [])
        if (said := f"{tool} (map “{title}”)") not in shown:
            shown.append(said)
    return found
