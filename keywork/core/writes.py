"""The one way domain data is written: functions decorated with @action.

An action runs in one transaction: it checks access, runs the rules, saves, and writes its
audit row, so either all of it happens or none of it does. The test suite refuses any write
to a keywork table made outside an action (see keywork/conftest.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import inspect
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.db import connection, transaction
from django.db.models import QuerySet

from keywork.core.dates import check_plausible
from keywork.core.errors import RuleViolation, invalid

P = ParamSpec("P")
R = TypeVar("R")

_action_depth: ContextVar[int] = ContextVar("keywork_action_depth", default=0)
# The names of the actions running, outermost first: an audit row's `what` is the name of
# the action the caller called.
_running: ContextVar[tuple[str, ...]] = ContextVar("keywork_running_actions", default=())
_bulk: ContextVar[bool] = ContextVar("keywork_bulk_write", default=False)

# Every action, by its module and name (the tests walk them all).
ACTIONS: dict[str, Callable[..., Any]] = {}

# Told of every change refused (the audit app writes it down): the action's name, the
# arguments it was given, the refusal and anything more to say. Called after the action's
# transaction is undone.
RefusalListener = Callable[[str, dict[str, Any], RuleViolation, dict[str, Any]], None]
_refusal_listeners: list[RefusalListener] = []


def on_refusal(listener: RefusalListener) -> None:
    if listener not in _refusal_listeners:
        _refusal_listeners.append(listener)


# Work to do at the end of the outermost action, inside its transaction, just before it
# commits (the audit chain moves its head there once, however many rows the action wrote);
# and listeners told whenever an action's work is undone (its transaction or savepoint
# rolled back), so that nothing cached from inside it outlives it.
_end_hooks: ContextVar[list[Callable[[], None]] | None] = ContextVar(
    "keywork_action_end_hooks", default=None
)
_undo_listeners: list[Callable[[], None]] = []


def at_end_of_action(hook: Callable[[], None]) -> bool:
    """Run `hook` at the end of the outermost action, before it commits (inside a bulk
    write, at the end of the bulk write: the audit chain's head moves once, not once an
    action); False (and nothing registered) outside both."""
    hooks = _end_hooks.get()
    if hooks is None:
        return False
    hooks.append(hook)
    return True


def on_undo(listener: Callable[[], None]) -> None:
    if listener not in _undo_listeners:
        _undo_listeners.append(listener)


def _require_actor(func: Callable[..., Any]) -> None:
    """An action says who makes the change: a keyword-only `actor` with no default (None is
    the system, at the command line)."""
    actor = inspect.signature(func).parameters.get("actor")
    if actor is None or actor.kind is not actor.KEYWORD_ONLY or actor.default is not actor.empty:
        raise TypeError(f"the action {func.__qualname__} needs a keyword-only actor, no default")


def action(func: Callable[P, R]) -> Callable[P, R]:
    """Mark a function as a writer of domain data and run it in one transaction."""
    _require_actor(func)

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        depth = _action_depth.get() + 1
        token = _action_depth.set(depth)
        named = _running.set((*_running.get(), func.__name__))
        hooks = _end_hooks.set([]) if depth == 1 and not _bulk.get() else None
        try:
            try:
                for name, value in kwargs.items():
                    refuse_bad_values(name, value)
                # An action inside another runs in its transaction without a savepoint of
                # its own: nothing catches its refusal and carries on (the outer action is
                # refused with it), so the savepoint would be two queries for nothing.
                with transaction.atomic(savepoint=depth == 1):
                    result = func(*args, **kwargs)
                    if hooks is not None:  # the outermost action, about to commit
                        for hook in _end_hooks.get() or []:
                            hook()
                    return result
            finally:
                if hooks is not None:
                    _end_hooks.reset(hooks)
                _running.reset(named)
                _action_depth.reset(token)
        except BaseException as error:
            _undone()
            if isinstance(error, RuleViolation) and depth == 1 and not error.audited:
                # After the action's transaction is undone, and as an action of its own.
                _tell_refused(func.__name__, dict(kwargs), error, {})
            raise

    ACTIONS[f"{func.__module__}.{func.__name__}"] = wrapper
    return wrapper


def _undone() -> None:
    for listener in _undo_listeners:
        listener()


def _tell_refused(
    what: str, given: dict[str, Any], error: RuleViolation, detail: dict[str, Any]
) -> None:
    for listener in _refusal_listeners:
        listener(what, given, error, detail)
    error.audited = True


def refused_before_action(
    what: str, actor: Any, error: RuleViolation, *, client: str = "", detail: dict[str, Any]
) -> None:
    """A change refused before it reached an action (a command's options, an import line),
    told as an action's refusals are, once; `client` is the local id asked for, if any."""
    if not error.audited:
        _tell_refused(what, {"actor": actor, "client": client}, error, detail)


def in_action() -> bool:
    return _action_depth.get() > 0


def outermost_action() -> str:
    """The name of the action the caller called ("" outside one): what its audit rows say,
    whichever actions it calls to do the work."""
    running = _running.get()
    return running[0] if running else ""


@contextmanager
def bulk_write() -> Iterator[None]:
    """Write in bulk, in one transaction, outside any action: the catalogue loader, the demo
    builder and the test suite's flush. No access check, no rule and no audit row of its own:
    what a bulk write makes says where it came from (the catalogue's version row, the demo's
    synthetic mark); any action called inside runs, and is audited, as usual."""
    token = _bulk.set(True)
    hooks = _end_hooks.set([])
    try:
        with transaction.atomic():
            yield
            for hook in _end_hooks.get() or []:  # the actions' end-of-work, once
                hook()
    except BaseException:
        _undone()
        raise
    finally:
        _end_hooks.reset(hooks)
        _bulk.reset(token)


def insert_select(model: type[Any], found: QuerySet[Any]) -> int:
    """INSERT INTO the model's table what `found` selects: a values() query whose every name
    is `c_` and one of the model's fields. Returns the rows written."""
    sql, params, aliases = _selecting(found)
    columns = [_column(model, alias[2:]) for alias in aliases]
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {sql}", params)
        return int(cursor.rowcount)


def _selecting(found: QuerySet[Any]) -> tuple[str, Any, list[str]]:
    """The SQL of a values() query whose every name is `c_` and a field, its parameters and
    its names."""
    compiler = found.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    aliases = [alias for _, _, alias in compiler.select]
    for alias in aliases:
        assert alias and alias.startswith("c_"), alias
    return sql, params, aliases


def _column(model: type[Any], field: str) -> str:
    return str(connection.ops.quote_name(model._meta.get_field(field).column))


def insert_joined(
    model: type[Any],
    found: QuerySet[Any],
    on: str,
    joined: dict[str, QuerySet[Any]],
    where: dict[str, Any] | None = None,
    default: dict[str, Any] | None = None,
) -> int:
    """`insert_select`, with a field for each of `joined`: a query of one row per key
    (`j_key`, `j_value`) left-joined on `found`'s `on` column, so that nothing is looked up
    row by row. `where` keeps the rows whose joined values are the ones given; `default`
    stands for a value not found. Returns the rows written."""
    where, default = where or {}, default or {}
    sql, params, aliases = _selecting(found)
    quote = connection.ops.quote_name
    columns = [_column(model, alias[2:]) for alias in aliases]
    selected = [f"found.{quote(alias)}" for alias in aliases]
    picked: list[Any] = []
    joins, joins_params, kept = [], [], []
    for name, query in joined.items():
        joined_sql, joined_params = query.query.get_compiler(connection=connection).as_sql()
        value = f"{quote('j_' + name)}.j_value"
        columns.append(_column(model, name))
        selected.append(f"COALESCE({value}, %s)" if name in default else value)
        picked += [default[name]] if name in default else []
        joins.append(
            f"LEFT JOIN ({joined_sql}) {quote('j_' + name)} "
            f"ON {quote('j_' + name)}.j_key = found.{quote(on)}"
        )
        joins_params += joined_params
        if name in where:
            kept.append(f"{value} = %s")
    table = quote(model._meta.db_table)
    statement = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(selected)} "
        f"FROM ({sql}) found {' '.join(joins)} WHERE {' AND '.join(kept) or '1 = 1'}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*picked, *params, *joins_params, *where.values()])
        return int(cursor.rowcount)


def in_bulk_write() -> bool:
    return _bulk.get()


def refuse_bad_values(name: str, value: Any) -> None:
    """Refuse, naming the field, what no caller may pass an action whatever the channel: a
    NUL character in text (PostgreSQL cannot store one; SQLite would keep it silently) or a
    date no one could mean. Looks inside the typed inputs, lists and mappings given."""
    if isinstance(value, str):
        if "\x00" in value:
            raise invalid(name, "contains a NUL character, which is not allowed in text")
    elif isinstance(value, dt.date):
        check_plausible(value, field=name)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            refuse_bad_values(item.name, getattr(value, item.name))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            refuse_bad_values(str(key), item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            refuse_bad_values(name, item)


@dataclass(frozen=True)
class Channel:
    """Where a change or read comes from, for the audit trail."""

    name: str  # web, api, command, import, system
    address: str | None = None


_channel: ContextVar[Channel] = ContextVar("keywork_channel", default=Channel("system"))  # noqa: B039 (frozen)


def current_channel() -> Channel:
    return _channel.get()


@contextmanager
def via(channel: Channel) -> Iterator[None]:
    token = _channel.set(channel)
    try:
        yield
    finally:
        _channel.reset(token)
