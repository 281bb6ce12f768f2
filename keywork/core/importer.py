"""JSON Lines import: one change per line, each through the same action as the web form.

A line is `{"action": "<name>", ...fields}`. Each app registers the actions it accepts in
its `importers.py` (found in every installed app, as Django finds `admin.py`); this module
reads the fields and reports, for every refused line, the line number, the rule code and
the message. A refused line applies nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from keywork.core.actors import Actor
from keywork.core.dates import parse_date
from keywork.core.errors import RuleViolation, invalid
from keywork.core.writes import Channel, refused_before_action, via

Handler = Callable[[Actor, "Fields"], object]
HANDLERS: dict[str, Handler] = {}


def importer(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for lines whose "action" is `name`."""

    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler

    return register


class Fields:
    """The fields of one line, read with messages that name the field."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def text(self, name: str, default: str | None = None) -> str:
        value = self.data.get(name, default)
        if value is None:
            raise invalid(name, "is required")
        if not isinstance(value, str):
            raise invalid(name, "must be text")
        return value

    def number(self, name: str, default: int | None = None) -> int:
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(name, "must be a whole number")
        return int(value)

    def optional_number(self, name: str) -> int | None:
        return None if self.data.get(name) is None else self.number(name)

    def flag(self, name: str, default: bool | None = None) -> bool | None:
        value = self.data.get(name, default)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise invalid(name, "must be true or false")
        return bool(value)

    def date(self, name: str) -> dt.date:
        return parse_date(self.text(name), field=name)

    def optional_date(self, name: str) -> dt.date | None:
        return None if self.data.get(name) in (None, "") else self.date(name)

    def moment(self, name: str) -> dt.datetime:
        text = self.text(name)
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise invalid(name, f"'{text}' is not a date and time (YYYY-MM-DDTHH:MM)") from None
        return value if timezone.is_aware(value) else timezone.make_aware(value)

    def codes(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid(name, "must be a list of catalogue codes")
        return tuple(value)

    def texts(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid(name, "must be a list of text")
        return tuple(value)

    def records(self, name: str) -> list[Fields]:
        value = self.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise invalid(name, "must be a list of objects")
        return [Fields(v) for v in value]

    def record(self, name: str) -> Fields | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise invalid(name, "must be an object")
        return Fields(value)


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
                handler = HANDLERS.get(name) if isinstance(name, str) else None
                if handler is None:
                    known = ", ".join(sorted(HANDLERS))
                    raise RuleViolation("INVALID", f"action: '{name}' is not one of {known}")
                handler(actor, Fields(data))
            except RuleViolation as error:
                _audit(actor, number, data, error)
                yield number, Refusal(number, error.code, error.message)
            else:
                yield number, None
