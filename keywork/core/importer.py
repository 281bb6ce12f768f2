"""JSON Lines import: one change per line, each through the same action as the web form.

A line is `{"action": "<name>", ...fields}`. Each app registers the lines it accepts in
its `importers.py` (found in every installed app, as Django finds `admin.py`): the action's
typed input (`keywork.core.inputs`) and the finders of the records it acts on. This module
reads each line into them, and reports, for every refused line, the line number, the rule
code and the message. A refused line applies nothing."""

from __future__ import annotations

import dataclasses
import inspect
import json
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.management.base import CommandError
from django.utils.module_loading import autodiscover_modules

from keywork.core.actors import Actor
from keywork.core.errors import RuleViolation
from keywork.core.inputs import Field, fields_of, kind_words, line_names, read, refuse_unknown
from keywork.core.writes import Channel, refused_before_action, via

LINES: dict[str, Line] = {}


@dataclass(frozen=True)
class Line:
    """What a line named `name` holds (its schemas, read in order) and what applies it."""

    name: str
    schemas: tuple[type, ...]
    apply: Callable[..., object]  # (actor, *what was read) -> the record
    about: str

    def read(self, data: dict[str, Any]) -> list[Any]:
        known = {"action"}.union(*(line_names(schema) for schema in self.schemas))
        refuse_unknown(data, known)
        return [read(schema, data) for schema in self.schemas]


class Finder(Protocol):
    """A schema naming an existing record (a client's open episode, a session): its fields
    are read from the line, then `find` looks the record up as the acting user sees it."""

    def find(self, actor: Actor) -> Any: ...


def importer(name: str, *schemas: type) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Register a handler for lines whose "action" is `name`: it is called with the actor
    and each schema read from the line, in order."""

    def register(handler: Callable[..., object]) -> Callable[..., object]:
        LINES[name] = Line(name, schemas, handler, _first_paragraph(handler))
        return handler

    return register


def through(action: Callable[..., object], **finders: type) -> None:
    """The usual line: named after `action`, it finds each record the action acts on with
    its finder and calls the action with the input (`given`) read from the line."""
    given = typing.get_type_hints(inspect.unwrap(action)).get("given")
    names = list(finders)

    def apply(actor: Actor, *read: Any) -> object:
        records = {name: found.find(actor) for name, found in zip(names, read, strict=False)}
        extra = {"given": read[-1]} if given else {}
        return action(actor=actor, **records, **extra)

    schemas = (*finders.values(), *([given] if given else []))
    name = action.__name__
    LINES[name] = Line(name, schemas, apply, _first_paragraph(action))


@dataclass
class Refusal:
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.code}: {self.message}"


@dataclass
class ImportReport:
    applied: int = 0
    refused: list[Refusal] = field(default_factory=list)


def _with_nul(value: Any, name: str) -> str | None:
    """The field of a line that holds a NUL character, if any does."""
    if isinstance(value, str):
        return name if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _with_nul(key, str(key)) or _with_nul(item, str(key))
            if found:
                return found
    if isinstance(value, list):
        for item in value:
            found = _with_nul(item, name)
            if found:
                return found
    return None


def _lines(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as error:
            yield number, {"__error__": f"not valid JSON ({error.msg} at column {error.colno})"}
            continue
        if not isinstance(data, dict):
            yield number, {"__error__": "not a JSON object"}
        elif field := _with_nul(data, "line"):
            message = f"{field}: contains a NUL character, which is not allowed in text"
            yield number, {"__error__": message}
        else:
            yield number, data


def _audit(actor: Actor, number: int, data: dict[str, Any], error: RuleViolation) -> None:
    """A line refused before it reached an action is audited here (an action audits its
    own refusals), with the client it named."""
    asked = data.get("client")
    refused_before_action(
        "import",
        actor,
        error,
        client=asked if isinstance(asked, str) else "",
        detail={"line": number, "action": str(data.get("action", ""))[:80]},
    )


def run_import(actor: Actor, lines: Iterable[str]) -> Iterator[tuple[int, Refusal | None]]:
    """Apply each line through its action; yield (line number, refusal or None)."""
    autodiscover_modules("importers")  # each app's lines, registered once imported
    with via(Channel("import")):
        for number, data in _lines(lines):
            try:
                if "__error__" in data:
                    raise RuleViolation("INVALID", data["__error__"])
                name = data.get("action")
                line = LINES.get(name) if isinstance(name, str) else None
                if line is None:
                    known = ", ".join(sorted(LINES))
                    raise RuleViolation("INVALID", f"action: '{name}' is not one of {known}")
                line.apply(actor, *line.read(data))
            except RuleViolation as error:
                _audit(actor, number, data, error)
                yield number, Refusal(number, error.code, error.message)
            else:
                yield number, None


def _first_paragraph(func: Callable[..., object]) -> str:
    return " ".join((inspect.getdoc(func) or "").split("\n\n")[0].split())


# The table of fields in docs/import.md -----------------------------------------------------


def fields_table() -> str:
    """Every line the import takes and its fields, from the schemas (docs/import.md holds
    this text; a test checks they are the same)."""
    autodiscover_modules("importers")
    parts = []
    for line in LINES.values():
        rows = [row for schema in line.schemas for row in _rows(schema)]
        parts.append(
            f"### `{line.name}`\n\n{line.about}\n\n"
            "| field | type | required or default | about |\n|---|---|---|---|\n" + "\n".join(rows)
        )
    return "\n\n".join(parts) + "\n"


FIELDS_START, FIELDS_END = (
    "<!-- fields: made by `keywork import_fields` -->\n",
    "<!-- end of fields -->",
)


def with_fields(doc: str) -> str:
    """The doc with the tables between its markers made afresh."""
    start, end = doc.find(FIELDS_START), doc.find(FIELDS_END)
    if start < 0 or end < start:
        raise CommandError(f"the doc has no '{FIELDS_START.strip()}' ... '{FIELDS_END}' markers")
    return doc[: start + len(FIELDS_START)] + "\n" + fields_table() + "\n" + doc[end:]


def _rows(schema: type, prefix: str = "") -> Iterator[str]:
    for f in fields_of(schema):
        if f.flat:
            yield from _rows(_inner(f.type), prefix)
            continue
        about = f.help + (f"; one of {_codes(f.choices)}" if f.choices else "")
        yield f"| {prefix}{f.name} | {kind_words(f.type)} | {_default(f)} | {about} |"
        inner = _inner(f.type)
        if inner is not None and not f.flat:
            many = typing.get_origin(f.type) not in (None, typing.Union, types.UnionType)
            yield from _rows(inner, f"{prefix}{f.name}{'[]' if many else ''}.")


def _inner(kind: Any) -> Any:
    """The schema a field holds (itself, in a list, or optional), if any."""
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return kind
    found = (_inner(arg) for arg in typing.get_args(kind) if arg is not Ellipsis)
    return next((schema for schema in found if schema is not None), None)


def _default(f: Field) -> str:
    if f.required:
        return "required" if not _optional_type(f.type) else "—"
    if f.default in (None, "", (), [], {}):
        return "—"
    if isinstance(f.default, bool):
        return str(f.default).lower()
    return f"`{f.default}`"


def _optional_type(kind: Any) -> bool:
    return type(None) in typing.get_args(kind)


def _codes(values: Iterable[str]) -> str:
    return ", ".join(f"`{v}`" for v in values)
