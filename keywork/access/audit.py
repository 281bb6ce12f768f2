"""Writing the audit trail. Changes are audited by their action, in its transaction; reads
are audited by the page or command that shows client data, through record_read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import models

from keywork.access import chain
from keywork.access.models import AuditEvent
from keywork.core.errors import RuleViolation
from keywork.core.writes import action, current_channel, outermost_action

if TYPE_CHECKING:
    from keywork.clients.models import Client

# Who makes a change: a logged-in user, or None for the system (the server's operator).
Actor = User | AnonymousUser | None


def user_or_none(actor: Actor) -> User | None:
    """The account behind an actor, or None for the system."""
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def _event(
    actor: Actor,
    verb: str,
    what: str,
    client: Client | None,
    obj: models.Model | None,
    detail: dict[str, Any] | None,
) -> AuditEvent:
    channel = current_channel()
    user = user_or_none(actor)
    return AuditEvent(
        actor=user,
        actor_label=user.get_username() if user else "system",
        verb=verb,
        what=what,
        client=client,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        channel=channel.name,
        address=channel.address,
        detail=detail or {},
    )


def record(
    *,
    actor: Actor,
    verb: str,
    client: Client | None = None,
    obj: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    what: str = "",
) -> AuditEvent:
    """Write one audit row; call it inside the action that makes the change. The row takes
    as its `what` the name of the action the caller called (the outermost: a group's
    register taken line by line is `record_group`); a read or a refusal names what it was."""
    what = what or outermost_action()
    if not what:
        raise RuntimeError("audit.record is called inside an action, or names what it records")
    return chain.append([_event(actor, verb, what, client, obj, detail)])[0]


# Where a refused change's client is found among its arguments: the client itself, or behind
# the episode or the clinical record given.
CLIENT_PATHS = (
    (),
    ("client",),
    ("episode", "client"),
    ("care_plan", "episode", "client"),
    ("goal", "care_plan", "episode", "client"),
)


def client_in(values: Iterable[Any]) -> Client | None:
    """The client a refused change was about, if any argument leads to one."""
    from keywork.clients.models import Client

    for value in values:
        for path in CLIENT_PATHS:
            found = value
            for name in path:
                found = getattr(found, name, None)
            if isinstance(found, Client):
                return found
    return None


@action
def record_refusal(
    *,
    actor: Actor,
    what: str,
    reason: str,
    client: Client | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write that `actor` was refused: a read or a change, a sign-in; with the reason."""
    return record(
        actor=actor,
        verb=AuditEvent.Verb.REFUSED,
        what=what,
        client=client,
        detail={"reason": reason, **(detail or {})},
    )


def refused_action(name: str, given: dict[str, Any], error: RuleViolation) -> None:
    """Audit a change an action refused, on any channel (told by core.writes)."""
    record_refusal(
        actor=given.get("actor"),
        what=name,
        reason=str(error),
        client=client_in(given.values()),
        detail={"code": error.code, "field": error.field or ""},
    )


@action
def record_read(*, actor: Actor, what: str, clients: Iterable[Client]) -> int:
    """Audit that `actor` was shown these clients' data on `what`; one row per client."""
    events = [
        _event(actor, AuditEvent.Verb.VIEW, what, client, None, _read_detail(client))
        for client in clients
    ]
    return len(chain.append(events))


def _read_detail(client: Client) -> dict[str, Any] | None:
    """A read made only by breaking the glass says so (see clients.queries.visible_client)."""
    return {"break_glass": True} if getattr(client, "via_break_glass", False) else None


@action
def record_alone(*, actor: Actor, verb: str, what: str, detail: dict[str, Any]) -> AuditEvent:
    """Write an audit row that is no part of a change: a sign-in, a sign-out or a refused
    sign-in (keywork/access/signals.py), a backup or a restore (keywork/access/backup.py)."""
    return record(actor=actor, verb=verb, what=what, detail=detail)
