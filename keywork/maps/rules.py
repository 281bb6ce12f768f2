"""What a map may hold: pure checks over plain values, each refusal naming the field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from keywork.core.errors import RuleViolation, invalid

WIDTH, HEIGHT = 800, 500  # the page a map is drawn on
MAX_NODES, MAX_LINKS = 150, 300
TEXT_MAX, LABEL_MAX = 200, 80


def check_nodes(nodes: Sequence[dict[str, Any]], kinds: Sequence[str]) -> None:
    """Every box has text, a known kind (or none) and a place on the page; ids are unique."""
    if len(nodes) > MAX_NODES:
        raise invalid("nodes", f"a map holds at most {MAX_NODES} boxes")
    seen: set[str] = set()
    for number, node in enumerate(nodes, start=1):
        where = f"box {number}"
        if not node["id"] or node["id"] in seen:
            raise invalid("nodes", f"{where}: every box needs an id of its own")
        seen.add(node["id"])
        text = node["text"].strip()
        if not text:
            raise invalid("nodes", f"{where}: write what the box says, or remove it")
        if len(text) > TEXT_MAX:
            raise invalid("nodes", f"{where}: at most {TEXT_MAX} characters")
        if node["kind"] and node["kind"] not in kinds:
            raise invalid("nodes", f"{where}: '{node['kind']}' is not a kind of box")
        if not (0 <= node["x"] <= WIDTH and 0 <= node["y"] <= HEIGHT):
            raise invalid("nodes", f"{where}: its place is off the page ({WIDTH} by {HEIGHT})")


def check_links(links: Sequence[dict[str, Any]], node_ids: set[str]) -> None:
    """Every line joins two different boxes of the map, once, with a short label."""
    if len(links) > MAX_LINKS:
        raise invalid("links", f"a map holds at most {MAX_LINKS} lines")
    pairs: set[tuple[str, str]] = set()
    for number, link in enumerate(links, start=1):
        where = f"line {number}"
        ends = (link["from"], link["to"])
        if not set(ends) <= node_ids:
            raise invalid("links", f"{where}: it must join two boxes of the map")
        if ends[0] == ends[1]:
            raise invalid("links", f"{where}: it joins a box to itself")
        if ends in pairs:
            raise invalid("links", f"{where}: those two boxes are already joined that way")
        pairs.add(ends)
        if len(link["label"]) > LABEL_MAX:
            raise invalid("links", f"{where}: a label of at most {LABEL_MAX} characters")


def check_based_on(based_on: int, latest: int) -> None:
    """A map saved from an earlier version than the latest would lose the change between."""
    if based_on != latest:
        raise RuleViolation(
            "STALE",
            f"the map was saved again (version {latest}) since you opened version "
            f"{based_on}: open it again to see the change",
            field="based_on",
        )
