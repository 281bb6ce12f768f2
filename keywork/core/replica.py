"""Reads from a replica when there is one (DATABASE_REPLICA_URL, docs/deploy.md): the
dashboards and the exports read inside `from_the_replica()`, so the primary is left to the
pages people write through. Everything else, and every write, uses the primary. The QS6
report is computed on the primary, which it writes its result to, by the task worker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.db import connections

REPLICA = "replica"
PRIMARY = "default"
_reading: ContextVar[bool] = ContextVar("keywork_reading_from_replica", default=False)

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def from_the_replica(reading: bool = True) -> Iterator[None]:
    token = _reading.set(reading)
    try:
        yield
    finally:
        _reading.reset(token)


def from_the_primary() -> Any:
    """Within a page that reads from the replica: what must be read as it is now (the kept
    figures the task worker has just written to the primary)."""
    return from_the_replica(False)


def reads_from_the_replica(view: Callable[P, R]) -> Callable[P, R]:
    @wraps(view)
    def reading(*args: P.args, **kwargs: P.kwargs) -> R:
        with from_the_replica():
            return view(*args, **kwargs)

    return reading


class ReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if not _reading.get() or REPLICA not in connections.settings:
            return None
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY  # a transaction (an audit row being written) reads its own writes
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return PRIMARY  # never where a replica's row was read from

    def allow_relation(self, one: Any, other: Any, **hints: Any) -> bool:
        return True  # the replica is a copy of the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY
