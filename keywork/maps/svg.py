"""A map drawn by the server as SVG: on the record, in print and in any export, so that a
map reads without scripts. Boxes are placed where they were put (their x and y are the
box's centre); lines run between the boxes' edges with their label at the middle; the
drawing's title and a plain description of it are part of the SVG for screen readers."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from keywork.maps.rules import HEIGHT, WIDTH

BOX_WIDTH, LINE_HEIGHT, PADDING, WRAP = 160, 16, 8, 22
# The outline of a box by its kind: a shape and a dash, never colour alone.
OUTLINE = {
    "feeling": ("12", "0"),
    "thought": ("12", "4 3"),
    "person": ("24", "0"),
    "trigger": ("0", "0"),
    "warning_sign": ("0", "6 3"),
    "coping": ("6", "0"),
    "strength": ("6", "2 2"),
    "goal": ("2", "0"),
    "step": ("2", "8 3"),
    "support": ("24", "4 3"),
    "activity": ("6", "8 2"),
    "note": ("0", "1 3"),
}


def _lines(text: str) -> list[str]:
    return textwrap.wrap(text, WRAP, break_long_words=True)[:6] or [""]


def _height(lines: list[str]) -> int:
    return len(lines) * LINE_HEIGHT + 2 * PADDING


def _edge(node: dict[str, Any], dx: float, dy: float) -> tuple[float, float]:
    """Where a line from the box's centre towards (dx, dy) leaves the box."""
    cx, cy = node["x"], node["y"]
    half_w, half_h = BOX_WIDTH / 2, _height(_lines(node["text"])) / 2
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(
        half_w / abs(dx) if dx else math.inf,
        half_h / abs(dy) if dy else math.inf,
    )
    return cx + dx * scale, cy + dy * scale


def _box(node: dict[str, Any]) -> str:
    lines = _lines(node["text"])
    height = _height(lines)
    x, y = node["x"] - BOX_WIDTH / 2, node["y"] - height / 2
    radius, dash = OUTLINE.get(node.get("kind", ""), ("4", "0"))
    text = "".join(
        f'<tspan x="{node["x"]}" dy="{0 if i == 0 else LINE_HEIGHT}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    first = node["y"] - height / 2 + PADDING + LINE_HEIGHT - 4
    return (
        f'<g class="map-node" data-node="{escape(node["id"])}">'
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_WIDTH}" height="{height}" rx="{radius}" '
        f'stroke-dasharray="{dash}"/>'
        f'<text x="{node["x"]}" y="{first:.0f}" text-anchor="middle">{text}</text></g>'
    )


def _line(link: dict[str, Any], at: dict[str, dict[str, Any]], key: str) -> str:
    start, end = at[link["from"]], at[link["to"]]
    dx, dy = end["x"] - start["x"], end["y"] - start["y"]
    x1, y1 = _edge(start, dx, dy)
    x2, y2 = _edge(end, -dx, -dy)
    label = ""
    if link.get("label"):
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        label = (
            f'<text class="map-label" x="{mx:.0f}" y="{my - 4:.0f}" text-anchor="middle">'
            f"{escape(link['label'])}</text>"
        )
    return (
        f'<g class="map-link"><line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" '
        f'marker-end="url(#{key}-arrow)"/>{label}</g>'
    )


def described(nodes: Sequence[dict[str, Any]], links: Sequence[dict[str, Any]]) -> str:
    """The map in words: each box, then each line as 'A, label, B'."""
    text = {n["id"]: n["text"] for n in nodes}
    boxes = "; ".join(n["text"] for n in nodes) or "no boxes yet"
    lines = "; ".join(
        " ".join(part for part in (text[k["from"]], k.get("label", ""), text[k["to"]]) if part)
        for k in links
    )
    return f"Boxes: {boxes}." + (f" Lines: {lines}." if lines else "")


def drawing(
    title: str,
    nodes: Sequence[dict[str, Any]],
    links: Sequence[dict[str, Any]],
    key: str = "map",
) -> SafeString:
    """The whole map as an SVG element (its text escaped); `key` makes its ids its own, for
    a page that shows several maps."""
    at = {n["id"]: n for n in nodes}
    body = "".join(_line(k, at, key) for k in links) + "".join(_box(n) for n in nodes)
    return mark_safe(  # every text in it is escaped above
        f'<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{key}-title {key}-desc">'
        f'<title id="{key}-title">{escape(title)}</title>'
        f'<desc id="{key}-desc">{escape(described(nodes, links))}</desc>'
        f'<defs><marker id="{key}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/>'
        "</marker></defs>"
        f"{body}</svg>"
    )
