"""The map forms. The editor is a list of boxes and a list of lines, usable with the keyboard
alone; the drawing script (keywork/static/keywork/maps.js) edits the same fields."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from keywork.clients.models import Episode
from keywork.core.forms import ActionForm
from keywork.maps import queries
from keywork.maps.actions import Link, MapDrawing, Node, StartMapInput
from keywork.maps.models import Kind, Map, MapVersion
from keywork.maps.rules import HEIGHT, MAX_LINKS, MAX_NODES, WIDTH

SPARE = 3  # empty rows for new boxes and lines, beyond the map's own


# A map's editor has hundreds of fields, and its lines' lists name every box (a 60-box map:
# some 8,000 options). Django draws each widget and option through a template; these draw
# the same HTML directly, which keeps the page within its time.
class PlainInput(forms.TextInput):
    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        given = self.build_attrs(self.attrs, attrs)
        shown = "" if value is None else self.format_value(value)
        return format_html(
            '<input type="{}" name="{}" value="{}"{}>',
            self.input_type,
            name,
            shown or "",
            flatatt(given),
        )


class PlainNumber(PlainInput):
    input_type = "number"


class PlainHidden(PlainInput):
    input_type = "hidden"


def options(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each choice's key and its <option>, escaped once for every list that offers it."""
    return [
        (str(k), f'<option value="{escape(k)}">{escape(label)}</option>') for k, label in choices
    ]


class PlainSelect(forms.Select):
    """A list drawn from options made once (`options(choices)`), the chosen one selected."""

    def __init__(self, drawn: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.drawn = drawn

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        given = self.build_attrs(self.attrs, attrs)
        chosen = "" if value is None else str(value)
        shown = "".join(
            html.replace("<option ", "<option selected ", 1) if key == chosen else html
            for key, html in self.drawn
        )
        head = format_html('<select name="{}"{}>', name, flatatt(given))
        return mark_safe(f"{head}{shown}</select>")  # every option escaped in options()


def _session_choices(episode: Episode) -> list[tuple[str, str]]:
    return [("", "Not at a session")] + [
        (str(a.pk), f"{a.session.starts_at:%d/%m/%Y %H:%M}, {a.session.get_kind_display()}")
        for a in queries.sessions_of(episode)
    ]


class StartMapForm(ActionForm):
    tool = forms.ChoiceField(label="Mapping tool", widget=forms.RadioSelect)
    title = forms.CharField(max_length=120, required=False, help_text="The tool's name if empty.")
    attendance = forms.ChoiceField(label="Drawn at", required=False)

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tools = queries.tools_for(episode)
        self.fields["tool"].choices = [  # type: ignore[attr-defined]
            (
                t.code,
                f"{t.name}: {t.attributes.get('guide', {}).get('prompt', t.description)}"
                + (" (for this phase)" if queries.listed_for(t, episode) else ""),
            )
            for t in tools
        ]
        self.fields["attendance"].choices = _session_choices(episode)  # type: ignore[attr-defined]

    def given(self) -> StartMapInput:
        data = self.cleaned_data
        return StartMapInput(
            tool=data["tool"], title=data["title"], attendance=_number(data["attendance"])
        )


def _number(value: str | None) -> int | None:
    return int(value) if value else None


class MapForm(ActionForm):
    """Every box (text, kind, place) and every line (from, to, label) of the map."""

    note = forms.CharField(max_length=300, required=False, label="What changed, and why")
    attendance = forms.ChoiceField(label="Changed at", required=False)
    goals = forms.MultipleChoiceField(
        label="Care-plan goals it serves", required=False, widget=forms.CheckboxSelectMultiple
    )
    on_summary = forms.BooleanField(
        label="The client agrees to have this map on their printed summary", required=False
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, record: Map, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        latest: MapVersion = record.versions.order_by("-number").first()  # type: ignore[assignment]
        self.fields["based_on"].initial = latest.number
        self.fields["on_summary"].initial = latest.on_summary
        self.fields["attendance"].choices = _session_choices(record.episode)  # type: ignore[attr-defined]
        goals = queries.goals_of(record.episode)
        self.fields["goals"].choices = [(str(g.pk), g.description) for g in goals]  # type: ignore[attr-defined]
        self.fields["goals"].initial = [str(pk) for pk in latest.goals.values_list("pk", flat=True)]
        boxes = self._rows("node", len(latest.nodes), MAX_NODES)
        self.node_rows = self._nodes(latest.nodes, boxes)
        self.link_rows = self._links(latest.links, latest.nodes, boxes)

    def _rows(self, name: str, kept: int, most: int) -> int:
        """How many rows of boxes or lines: the map's own and the spare ones, or as many as
        were sent (the drawing script adds rows), never more than a map may hold."""
        sent = (re.fullmatch(rf"{name}-(\d+)-\w+", key) for key in self.data)
        highest = max((int(m[1]) + 1 for m in sent if m), default=0)
        return min(max(kept + SPARE, highest), most + SPARE)

    def _nodes(self, nodes: list[dict[str, Any]], count: int) -> list[list[str]]:
        rows = []
        kinds = [("", "No kind"), *Kind.choices]
        drawn = options(kinds)
        for i, node in enumerate([*nodes, *({} for _ in range(count - len(nodes)))]):
            p = f"node-{i}"
            self.fields[f"{p}-id"] = forms.CharField(
                widget=PlainHidden, required=False, initial=node.get("id", f"new-{i}")
            )
            self.fields[f"{p}-text"] = forms.CharField(
                label=f"Box {i + 1}",
                max_length=200,
                required=False,
                initial=node.get("text", ""),
                widget=PlainInput,
            )
            self.fields[f"{p}-kind"] = forms.ChoiceField(
                label=f"Box {i + 1}: kind",
                choices=kinds,
                required=False,
                initial=node.get("kind"),
                widget=PlainSelect(drawn),
            )
            self.fields[f"{p}-x"] = forms.IntegerField(
                label=f"Box {i + 1}: across",
                min_value=0,
                max_value=WIDTH,
                initial=node.get("x", 100 + 150 * (i % 5)),
                required=False,
                widget=PlainNumber,
            )
            self.fields[f"{p}-y"] = forms.IntegerField(
                label=f"Box {i + 1}: down",
                min_value=0,
                max_value=HEIGHT,
                initial=node.get("y", 60 + 90 * (i // 5) % (HEIGHT - 100)),
                required=False,
                widget=PlainNumber,
            )
            rows.append([f"{p}-id", f"{p}-text", f"{p}-kind", f"{p}-x", f"{p}-y"])
        return rows

    def _links(
        self, links: list[dict[str, Any]], nodes: list[dict[str, Any]], boxes: int
    ) -> list[list[str]]:
        rows = []
        spare = [(f"new-{i}", f"Box {i + 1} (new)") for i in range(len(nodes), boxes)]
        ends = [("", "(none)"), *((n["id"], n["text"]) for n in nodes), *spare]
        count = self._rows("link", len(links), MAX_LINKS)
        drawn = options(ends)
        for i, link in enumerate([*links, *({} for _ in range(count - len(links)))]):
            p = f"link-{i}"
            self.fields[f"{p}-from"] = forms.ChoiceField(
                label=f"Line {i + 1}: from",
                choices=ends,
                required=False,
                initial=link.get("from"),
                widget=PlainSelect(drawn),
            )
            self.fields[f"{p}-label"] = forms.CharField(
                label=f"Line {i + 1}: says",
                max_length=80,
                required=False,
                initial=link.get("label", ""),
                widget=PlainInput,
            )
            self.fields[f"{p}-to"] = forms.ChoiceField(
                label=f"Line {i + 1}: to",
                choices=ends,
                required=False,
                initial=link.get("to"),
                widget=PlainSelect(drawn),
            )
            rows.append([f"{p}-from", f"{p}-label", f"{p}-to"])
        return rows

    @property
    def boxes(self) -> list[list[forms.BoundField]]:
        return [[self[name] for name in row] for row in self.node_rows]

    @property
    def lines(self) -> list[list[forms.BoundField]]:
        return [[self[name] for name in row] for row in self.link_rows]

    def given(self) -> MapDrawing:
        data = self.cleaned_data
        nodes = tuple(
            Node(
                id=data[f"{p}-id"] or p,
                text=data[f"{p}-text"],
                kind=data[f"{p}-kind"] or "",
                x=data[f"{p}-x"] if data[f"{p}-x"] is not None else WIDTH // 2,
                y=data[f"{p}-y"] if data[f"{p}-y"] is not None else HEIGHT // 2,
            )
            for p in (row[0].removesuffix("-id") for row in self.node_rows)
            if data[f"{p}-text"].strip()
        )
        links = tuple(
            Link(source=data[f"{p}-from"], target=data[f"{p}-to"], label=data[f"{p}-label"])
            for p in (row[0].removesuffix("-from") for row in self.link_rows)
            if data[f"{p}-from"] or data[f"{p}-to"]
        )
        return MapDrawing(
            based_on=data["based_on"],
            nodes=nodes,
            links=links,
            attendance=_number(data["attendance"]),
            goals=tuple(int(pk) for pk in data["goals"]),
            note=data["note"],
            on_summary=data["on_summary"],
        )
