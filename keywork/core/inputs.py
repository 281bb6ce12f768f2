"""Typed inputs: what an action is given, as one frozen dataclass per action.

Every action takes `actor`, the records it acts on (model instances) and at most one input,
`given`, declared beside it in the app's `actions.py`. The web form builds the input from
its cleaned data; the import reads it from a line with `read()`, by the field types:

- text, whole numbers, true/false, numbers (`Decimal`), dates and date-times;
- a list (`tuple[T, ...]`) or a mapping (`dict[str, T]`) of those;
- another input (an object on the line, or its fields on the line itself with `flat`);
- a record named by its key (a worker by username, a team by code): the app that owns the
  model registers how it is found, with `reference()`.

`about()` documents a field (the import's table in `docs/import.md` is made from it) and may
give it another name on the line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import MISSING, dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Union

from django.utils import timezone

from keywork.core.dates import parse_date
from keywork.core.errors import invalid


def about(
    help: str = "",
    *,
    default: Any = MISSING,
    default_factory: Any = MISSING,
    line: str | None = None,
    flat: bool = False,
    choices: Any = None,
    on_line: bool = True,
) -> Any:
    """A field with its words for the import's table; `line` names it on an import line
    when that differs, `flat` reads a nested input from the line's own fields, `choices`
    (a model's choices, or a list) lists the values it takes (the action checks them);
    a field a form gives as a record and a line names otherwise is not `on_line`."""
    values = tuple(choices.values if hasattr(choices, "choices") else choices or ())
    metadata = {"help": help, "line": line, "flat": flat, "choices": values, "on_line": on_line}
    return dataclasses.field(default=default, default_factory=default_factory, metadata=metadata)


def version() -> Any:
    """The field of a change to a record that others may change too: the version of the
    record it was made from (a stale one is refused, `CONFLICT`)."""
    return about("the version of the record the change was made from", default=None, line="version")


@dataclass(frozen=True, kw_only=True)
class Reason:
    """Why: marking a record entered in error, removing a second factor, breaking the glass."""

    reason: str = about("why, in words the client could read", default="")


@dataclass(frozen=True, kw_only=True)
class Note:
    """A reviewer's note on a decision someone else made."""

    note: str = about("what the review found", default="")


# Records named by a key ------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """How a model is found from a line: `find` maps keys to records (those it found)."""

    key: str  # "username", "team code": the table's words
    find: Callable[[list[str]], dict[str, Any]]


REFERENCES: dict[type, Reference] = {}


def reference(model: type, key: str, find: Callable[[list[str]], dict[str, Any]]) -> None:
    """Register how a line names a `model` (called from the owning app's `ready()`)."""
    REFERENCES[model] = Reference(key, find)


def _found(model: type, name: str, keys: list[str]) -> list[Any]:
    ref = REFERENCES[model]
    found = ref.find(keys)
    missing = [k for k in keys if k not in found]
    if missing:
        raise invalid(name, f"no {model.__name__.lower()} with {ref.key} " + _listed(missing))
    return [found[k] for k in keys]


def _listed(keys: Iterable[str]) -> str:
    return ", ".join(f"'{k}'" for k in keys)


# Reading a line --------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str  # on the line
    attr: str  # on the input
    type: Any
    required: bool
    default: Any
    help: str
    flat: bool
    choices: tuple[str, ...]


@cache
def fields_of(schema: type) -> tuple[Field, ...]:
    hints = typing.get_type_hints(schema)
    shown = []
    for f in dataclasses.fields(schema):
        if not f.init or not f.metadata.get("on_line", True):
            continue
        has_default = f.default is not MISSING or f.default_factory is not MISSING
        default = f.default if f.default is not MISSING else None
        if f.default_factory is not MISSING:
            default = f.default_factory()
        meta = f.metadata
        shown.append(
            Field(
                name=meta.get("line") or f.name,
                attr=f.name,
                type=hints[f.name],
                required=not has_default,
                default=default,
                help=meta.get("help", ""),
                flat=bool(meta.get("flat")),
                choices=meta.get("choices", ()),
            )
        )
    return tuple(shown)


def line_names(schema: type) -> set[str]:
    """Every name the schema reads from a line (a flat input's fields included)."""
    names: set[str] = set()
    for f in fields_of(schema):
        names |= line_names(_bare(f.type)) if f.flat else {f.name}
    return names


def read(schema: type, data: dict[str, Any]) -> Any:
    """Build `schema` from a line's fields, refusing a missing or unreadable one by name."""
    values = {}
    for f in fields_of(schema):
        if f.flat:
            values[f.attr] = read(_bare(f.type), data)
        elif data.get(f.name) is not None:
            values[f.attr] = _value(f.type, data[f.name], f.name)
        elif f.required and not _optional(f.type):
            raise invalid(f.name, "is required")
        elif f.required:
            values[f.attr] = None
    return schema(**values)


def _bare(kind: Any) -> Any:
    """`X` for `X | None`."""
    if _optional(kind):
        return next(a for a in typing.get_args(kind) if a is not type(None))
    return kind


def _optional(kind: Any) -> bool:
    return _origin(kind) is Union and type(None) in typing.get_args(kind)


def _origin(kind: Any) -> Any:
    origin = typing.get_origin(kind)
    return Union if origin is types.UnionType else origin


def _value(kind: Any, value: Any, name: str) -> Any:
    origin, args = _origin(kind), typing.get_args(kind)
    if origin is Union:
        return None if value in (None, "") else _value(_bare(kind), value, name)
    if origin in (tuple, list, Sequence):
        items = _list(value, name)
        if origin is tuple and (len(args) != 2 or args[1] is not Ellipsis):
            return _fixed(args, items, name)
        return (list if origin is list else tuple)(_items(args[0], items, name))
    if origin is dict:
        if not isinstance(value, dict):
            raise invalid(name, "must be an object")
        return {key: _value(args[1], item, f"{name}: {key}") for key, item in value.items()}
    if _is_schema(kind):
        if not isinstance(value, dict):
            raise invalid(name, "must be an object")
        refuse_unknown(value, line_names(kind), name)
        return read(kind, value)
    if kind in REFERENCES:
        return _found(kind, name, [_text(value, name)])[0]
    return SCALARS[kind](value, name)


def _is_schema(kind: Any) -> bool:
    return isinstance(kind, type) and dataclasses.is_dataclass(kind)


def _items(kind: Any, items: list[Any], name: str) -> list[Any]:
    if kind in REFERENCES:  # one query for the lot
        return _found(kind, name, [_text(v, name) for v in items])
    return [_value(kind, item, name) for item in items]


def _fixed(kinds: tuple[Any, ...], items: list[Any], name: str) -> tuple[Any, ...]:
    if len(items) != len(kinds):
        raise invalid(name, f"must be a list of {len(kinds)} values")
    return tuple(_value(kind, item, name) for kind, item in zip(kinds, items, strict=True))


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise invalid(name, "must be a list")
    return value


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise invalid(name, "must be text")
    return value


def _number(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(name, "must be a whole number")
    return int(value)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(name, "must be true or false")
    return value


def _decimal(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise invalid(name, f"'{value}' is not a number")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise invalid(name, f"'{value}' is not a number") from None


def _date(value: Any, name: str) -> dt.date:
    return parse_date(_text(value, name), field=name)


def _moment(value: Any, name: str) -> dt.datetime:
    text = _text(value, name)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise invalid(name, f"'{text}' is not a date and time (YYYY-MM-DDTHH:MM)") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


SCALARS: dict[Any, Callable[[Any, str], Any]] = {
    str: _text,
    int: _number,
    bool: _flag,
    Decimal: _decimal,
    dt.date: _date,
    dt.datetime: _moment,
}


def refuse_unknown(data: dict[str, Any], known: set[str], where: str = "") -> None:
    """A field no input reads is refused: a misspelt field is not silently dropped."""
    unknown = sorted(set(data) - known)
    if unknown:
        place = f" in {where}" if where else ""
        raise invalid(
            unknown[0], f"is not a field{place}; the fields are {', '.join(sorted(known))}"
        )


# Describing a field ----------------------------------------------------------------------

WORDS: dict[Any, str] = {
    str: "text",
    int: "whole number",
    bool: "true/false",
    Decimal: "number",
    dt.date: "date",
    dt.datetime: "date-time",
}


def kind_words(kind: Any) -> str:
    """The table's words for a field's type."""
    origin, args = _origin(kind), typing.get_args(kind)
    if origin is Union:
        return kind_words(_bare(kind))
    if origin in (tuple, list, Sequence):
        if origin is not tuple or (len(args) == 2 and args[1] is Ellipsis):
            return f"list of {kind_words(args[0])}"
        return "[" + ", ".join(kind_words(a) for a in args) + "]"
    if origin is dict:
        return f"object of {kind_words(args[1])}"
    if _is_schema(kind):
        return "object"
    if kind in REFERENCES:
        return REFERENCES[kind].key
    return WORDS.get(kind, getattr(kind, "__name__", str(kind)))
