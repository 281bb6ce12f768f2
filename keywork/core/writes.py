"""The one way domain data is written: functions decorated with @action.

An action runs in one transaction: it checks access, runs the rules, saves, and writes its
audit row, so either all of it happens or none of it does. The test suite refuses any write
to a keywork table made outside an action (see keywork/conftest.py)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")

_action_depth: ContextVar[int] = ContextVar("keywork_action_depth", default=0)


def action(func: Callable[P, R]) -> Callable[P, R]:
    """Mark a function as a writer of domain data and run it in one transaction."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _action_depth.set(_action_depth.get() + 1)
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        finally:
            _action_depth.reset(token)

    return wrapper


def in_action() -> bool:
    return _action_depth.get() > 0


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
