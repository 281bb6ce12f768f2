"""Writing the audit trail. Changes are audited by their action, in its transaction; reads
are audited by the page or command that shows client data, through record_read."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.db.models import F, QuerySet, Value

from keywork.audit import chain
from keywork.audit.models import AuditEvent, ClientList, ListedClient
from keywork.core.actors import Actor, user_or_none
from keywork.core.errors import RuleViolation
from keywork.core.records import EnteredInError, mark_in_error
from keywork.core.writes import action, current_channel, insert_select, outermost_action


def _event(
    actor: Actor,
    verb: str,
    what: str,
    client: models.Model | None,
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
        client_id=client.pk if client is not None else None,
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
    client: models.Model | None = None,
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


# The clients app tells the trail how to find the client a value leads to (an episode, a
# clinical record, a local id): the trail knows no client model (keywork/clients/apps.py).
ClientFinder = Callable[[Any], models.Model | None]
_finders: list[ClientFinder] = []


def find_clients_with(finder: ClientFinder) -> None:
    if finder not in _finders:
        _finders.append(finder)


def client_of(value: Any) -> models.Model | None:
    """The client `value` leads to, if any: a record's, or the one with that local id."""
    for finder in _finders:
        if (found := finder(value)) is not None:
            return found
    return None


def client_in(given: dict[str, Any]) -> models.Model | None:
    """The client a refused change was about: behind any argument, or asked for by id."""
    asked = given.get("client")
    if isinstance(asked, str):
        return client_of(asked)
    values = (value for value in given.values() if not isinstance(value, str))
    return next((found for value in values if (found := client_of(value)) is not None), None)


@action
def record_refusal(
    *,
    actor: Actor,
    what: str,
    reason: str,
    client: models.Model | None = None,
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


def refused_action(
    name: str, given: dict[str, Any], error: RuleViolation, detail: dict[str, Any]
) -> None:
    """Audit a change refused, by an action or before one, on any channel (told by
    core.writes)."""
    record_refusal(
        actor=given.get("actor"),
        what=name,
        reason=str(error),
        client=client_in(given),
        detail={"code": error.code, "field": error.field or "", **detail},
    )


@action
def record_read(*, actor: Actor, what: str, clients: Iterable[models.Model]) -> int:
    """Audit that `actor` was shown these clients' data on `what`; one row per client."""
    events = [
        _event(actor, AuditEvent.Verb.VIEW, what, client, None, _read_detail(client))
        for client in clients
    ]
    return len(chain.append(events))


@action
def record_list_read(
    *, actor: Actor, what: str, clients: QuerySet[Any], verb: str = AuditEvent.Verb.EXPORT
) -> int:
    """Audit that `actor` was given every client `clients` selects on `what` (a national
    return): the clients listed by one INSERT ... SELECT, then one chained row with their
    count and the SHA-256 of their ids in order (`keywork audit verify` recomputes it). The
    trail's head is held for that one row only. Returns how many clients."""
    listed = ClientList.objects.create()
    insert_select(
        ListedClient, clients.order_by().values(c_list=Value(listed.pk), c_client=F("pk"))
    )
    count, sha256 = chain.list_digest(listed.pk)
    detail = {"clients": count, "sha256": sha256}
    chain.append([_event(actor, verb, what, None, listed, detail)])
    return count


def _read_detail(client: models.Model) -> dict[str, Any] | None:
    """A read made only by breaking the glass says so (see clients.queries.visible_client)."""
    return {"break_glass": True} if getattr(client, "via_break_glass", False) else None


@action
def record_alone(*, actor: Actor, verb: str, what: str, detail: dict[str, Any]) -> AuditEvent:
    """Write an audit row that is no part of a change: a sign-in, a sign-out or a refused
    sign-in (keywork/access/signals.py), a backup or a restore (keywork/access/backup.py)."""
    return record(actor=actor, verb=verb, what=what, detail=detail)


def mark_in_error_and_audit(
    actor: Actor, entry: EnteredInError, *, what: str, client: models.Model, reason: str
) -> None:
    """`mark_in_error`, audited by the action that calls it, on the client's record. The
    caller has checked the actor may correct it."""
    mark_in_error(entry, what, reason)
    record(
        actor=actor,
        verb=AuditEvent.Verb.CHANGE,
        client=client,
        obj=entry,
        detail={"reason": reason},
    )


def last_change() -> int | None:
    """The audit trail's latest change (not a read): what a kept result was computed over."""
    changes = [AuditEvent.Verb.CREATE, AuditEvent.Verb.CHANGE]
    return (
        AuditEvent.objects.filter(verb__in=changes)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
