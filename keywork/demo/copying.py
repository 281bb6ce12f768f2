"""Writing the demo's bulk rows fast: on PostgreSQL with `COPY`, which reads rows as a stream
instead of parsing an `INSERT` with tens of thousands of parameters; elsewhere with Django's
`bulk_create`. Either way the objects come back saved, with their primary keys set when
asked for, so that rows written later can point at them.

`COPY` cannot say which keys it gave, so when they are needed they are taken from the
table's own sequence first (one query for the lot) and written with the rows; rows nothing
points at are written without, and the table numbers them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models.base import ModelState
from django.utils import timezone
from psycopg.types.json import Jsonb

BATCH = 2000

M = TypeVar("M", bound=models.Model)


def new(model: type[M], **values: Any) -> M:
    """An unsaved instance of `model`, as `model(**values)` makes it, made several times
    faster: the demo makes millions (a link is given as the object, or as its `_id`)."""
    obj = model.__new__(model)
    fields = obj.__dict__
    state = fields["_state"] = ModelState()
    for attname, default in _defaults(model):
        fields[attname] = default() if callable(default) else default
    links = _links(model)
    for name, value in values.items():
        if name in links:  # a link, given as the object (its key may come when it is saved)
            fields[links[name]] = None if value is None else value.pk
            state.fields_cache[name] = value
        else:
            fields[name] = value
    return obj


@cache
def _defaults(model: type[models.Model]) -> list[tuple[str, Any]]:
    return [
        (f.attname, f.default if f.has_default() else f.get_default())
        for f in model._meta.concrete_fields
    ]


@cache
def _links(model: type[models.Model]) -> dict[str, str]:
    return {f.name: f.attname for f in model._meta.concrete_fields if f.is_relation}


def insert(model: type[models.Model], objs: Sequence[models.Model], *, keys: bool = True) -> None:
    """Save `objs` (new instances of `model`) in bulk; with `keys`, each gets its primary key
    (on PostgreSQL, rows written with `keys=False` are not given theirs)."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=BATCH)
        return
    meta = model._meta
    assert meta.pk is not None
    fields = [f for f in meta.concrete_fields if keys or f is not meta.pk]
    if keys:
        _take_keys(model, objs)
    links = [(f.attname, f.name) for f in fields if f.is_relation]
    values = [_converter(f) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    statement = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
    alias = connection.alias
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for obj in objs:
            _link(obj, links)
            copy.write_row([value(obj) for value in values])
            obj._state.adding, obj._state.db = False, alias


def _take_keys(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    meta = model._meta
    assert meta.pk is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        keys = [row[0] for row in cursor.fetchall()]
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key


def _link(obj: models.Model, links: list[tuple[str, str]]) -> None:
    """A link to an object saved since it was linked takes that object's key (as
    `bulk_create` does)."""
    cached = obj._state.fields_cache
    for attname, name in links:
        if getattr(obj, attname) is None and cached.get(name) is not None:
            setattr(obj, name, cached[name])  # the key, and the object kept with it


def _converter(field: models.Field[Any, Any]) -> Callable[[models.Model], Any]:
    """How to read a field's value for the database: as it is for what psycopg writes
    itself; a time of writing for a field stamped when added; JSON wrapped as such; through
    the field's own preparation otherwise."""
    attname = field.attname
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        now = timezone.now()
        return lambda obj: getattr(obj, attname) or now
    kind = field.get_internal_type()
    if kind == "JSONField":
        return lambda obj: None if (v := getattr(obj, attname)) is None else Jsonb(v)
    if kind in PLAIN:
        return lambda obj: getattr(obj, attname)
    return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)


# Values psycopg writes as they are.
PLAIN = {
    "AutoField",
    "BigAutoField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}
