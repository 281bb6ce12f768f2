"""The only writers of maps: start one from a mapping tool, save a new version of it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.careplans.models import Goal
from keywork.catalogue.models import Entry
from keywork.clients import policies
from keywork.clients.models import Episode
from keywork.core.actors import Actor
from keywork.core.errors import AccessDenied, RuleViolation, invalid
from keywork.core.inputs import about
from keywork.core.writes import action
from keywork.maps import rules
from keywork.maps.models import Kind, Map, MapVersion
from keywork.sessions.models import Attendance, Outcome

Verb = AuditEvent.Verb


@dataclass(frozen=True, kw_only=True)
class Node:
    id: str = about("the box's id, unique on the map (links name it)")
    text: str = about("what the box says, in the client's words")
    kind: str = about("what it stands for: " + ", ".join(Kind.values), default="")
    x: int = about("across the page, 0 to 800", default=400)
    y: int = about("down the page, 0 to 500", default=250)


@dataclass(frozen=True, kw_only=True)
class Link:
    source: str = about("the box it starts from", line="from")
    target: str = about("the box it goes to", line="to")
    label: str = about("what the line says", default="")


@dataclass(frozen=True, kw_only=True)
class StartMapInput:
    tool: str = about("the mapping tool's code (a guide map, or `tool.free-map`)")
    title: str = about("the map's name; the tool's name if none", default="")
    attendance: int | None = about("the session it is drawn at (the attendance's id)", default=None)


@dataclass(frozen=True, kw_only=True)
class MapDrawing:
    """The whole map as it is now: every box and line (a box left out is taken off)."""

    based_on: int = about("the version it was changed from")
    nodes: tuple[Node, ...] = about("the boxes", default=())
    links: tuple[Link, ...] = about("the lines between them", default=())
    attendance: int | None = about(
        "the session it is changed at (the attendance's id)", default=None
    )
    goals: tuple[int, ...] = about("the care-plan goals it serves (their ids)", default=())
    note: str = about("what changed, and why", default="")
    on_summary: bool = about(
        "whether the client agrees to have it on their printed summary", default=False
    )


def _worker(actor: Actor, episode: Episode) -> Any:
    worker = policies.worker_of(actor)
    if worker is None or not policies.can_work_with(actor, episode):
        raise AccessDenied("only keyworkers in the client's team draw its maps")
    return worker


def _tool(code: str) -> Entry:
    tool = Entry.objects.filter(code=code, kind=Entry.Kind.MAPPING_TOOL).first()
    if tool is None or not tool.offered:
        raise invalid("tool", f"'{code}' is not a mapping tool of the catalogue")
    return tool


def _attendance(episode: Episode, pk: int | None) -> Attendance | None:
    """The session a map is drawn at: the client's, attended, not entered in error."""
    if pk is None:
        return None
    found = Attendance.objects.filter(pk=pk, episode=episode).first()
    if found is None or found.outcome != Outcome.ATTENDED or found.entered_in_error_at:
        raise invalid("attendance", "choose a session this client attended")
    return found


def _goals(episode: Episode, pks: tuple[int, ...]) -> list[Goal]:
    found = list(Goal.objects.filter(pk__in=pks, care_plan__episode=episode))
    if len(found) != len(set(pks)):
        raise invalid("goals", "choose goals of this client's care plan")
    return found


def _drawing(nodes: list[dict[str, Any]], links: list[dict[str, Any]]) -> None:
    rules.check_nodes(nodes, Kind.values)
    rules.check_links(links, {n["id"] for n in nodes})


def _version(
    the_map: Map, number: int, nodes: list[dict[str, Any]], links: list[dict[str, Any]], **more: Any
) -> MapVersion:
    return MapVersion.objects.create(map=the_map, number=number, nodes=nodes, links=links, **more)


def _guide(attributes: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A mapping tool's guide map (its attributes' `guide`): boxes and lines to start from."""
    guide = attributes.get("guide", {})
    nodes = [{"kind": "", **node} for node in guide.get("nodes", [])]
    links = [{"label": "", **link} for link in guide.get("links", [])]
    return nodes, links


def guide_problem(entry: dict[str, Any]) -> str | None:
    """What is wrong with a catalogue entry's guide map, checked when the catalogue loads as
    a map started from it would be; None when nothing is."""
    attributes = entry.get("attributes", {})
    if "guide" not in attributes:
        return None
    if entry.get("kind") != Entry.Kind.MAPPING_TOOL:
        return "only a mapping tool has a guide map"
    try:
        _drawing(*_guide(attributes))
    except RuleViolation as error:
        return f"guide: {error.message}"
    except (KeyError, TypeError) as error:
        return f"guide: every box needs an id, text, x and y, every line a from and a to ({error})"
    return None


@action
def start_map(*, actor: Actor, episode: Episode, given: StartMapInput) -> Map:
    """A map from a mapping tool: its first version holds the guide's prompts."""
    worker = _worker(actor, episode)
    if not episode.is_open:
        raise RuleViolation("EPISODE", "maps are drawn in an open episode")
    tool = _tool(given.tool)
    attendance = _attendance(episode, given.attendance)
    nodes, links = _guide(tool.attributes)
    _drawing(nodes, links)
    title = given.title.strip() or tool.name
    the_map = Map.objects.create(episode=episode, tool=tool, title=title[:120], started_by=worker)
    _version(the_map, 1, nodes, links, attendance=attendance, saved_by=worker)
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        client=episode.client,
        obj=the_map,
        detail={"tool": tool.code, "attendance": given.attendance},
    )
    return the_map


@action
def save_map(*, actor: Actor, the_map: Map, given: MapDrawing) -> MapVersion:
    """A new version of the map; the earlier ones stay as they were (rule 13)."""
    episode = the_map.episode
    worker = _worker(actor, episode)
    latest = the_map.versions.order_by("-number").values_list("number", flat=True).first() or 0
    rules.check_based_on(given.based_on, latest)
    nodes = [asdict(n) | {"text": n.text.strip()} for n in given.nodes]
    links = [{"from": k.source, "to": k.target, "label": k.label.strip()} for k in given.links]
    _drawing(nodes, links)
    version = _version(
        the_map,
        latest + 1,
        nodes,
        links,
        attendance=_attendance(episode, given.attendance),
        note=given.note.strip()[:300],
        on_summary=given.on_summary,
        saved_by=worker,
    )
    version.goals.set(_goals(episode, given.goals))
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=episode.client,
        obj=the_map,
        detail={
            "version": version.number,
            "boxes": len(nodes),
            "lines": len(links),
            "on_summary": given.on_summary,
        },
    )
    return version
