"""What other apps do when an episode is discharged, registered in their AppConfig.ready()
and called inside the discharge's own transaction (no model signals): the clients app
knows no app above it.

- `last_activity`: the last day the app recorded something on the episode (a discharge is
  not dated before it);
- `on_discharge`: the app's own change on discharge (its rows, through its own code),
  returning what the discharge's audit row should say of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from keywork.clients.models import Episode
from keywork.core.actors import Actor

LastActivity = Callable[[Episode], dt.date | None]
OnDischarge = Callable[[Actor, Episode, dt.date], dict[str, Any]]
_last_activity: list[LastActivity] = []
_on_discharge: list[OnDischarge] = []


def last_activity(provider: LastActivity) -> None:
    if provider not in _last_activity:
        _last_activity.append(provider)


def on_discharge(hook: OnDischarge) -> None:
    if hook not in _on_discharge:
        _on_discharge.append(hook)


def latest_activity(episode: Episode) -> list[dt.date]:
    return [day for provider in _last_activity if (day := provider(episode)) is not None]


def discharged(actor: Actor, episode: Episode, on: dt.date) -> dict[str, Any]:
    said: dict[str, Any] = {}
    for hook in _on_discharge:
        said.update(hook(actor, episode, on))
    return said
