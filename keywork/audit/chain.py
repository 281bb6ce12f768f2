"""The audit trail's hash chain: each row carries the SHA-256 of its own contents and of the
row before it, and one head row holds the last. Changing a row, removing one from the
middle or cutting rows off the end breaks the chain where it happened, and
`keywork audit verify` says where.

Writers take turns at the head (its row is locked until their transaction ends; on SQLite
every writer takes turns already), so the chain never forks."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from keywork.audit.models import AuditChainHead, AuditEvent, ListedClient
from keywork.core.writes import at_end_of_action, on_undo

GENESIS = "0" * 64
HEAD = 1  # the head's primary key

# The contents a row's hash covers, in this order (everything but its id and its hash).
FIELDS = (
    "at",
    "actor_id",
    "actor_label",
    "verb",
    "what",
    "client_id",
    "object_type",
    "object_id",
    "channel",
    "address",
    "detail",
)


def _canonical(name: str, value: Any) -> Any:
    """One form of a value, as written and as read back from either database."""
    if name == "at":
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if name == "address" and value:
        return str(ipaddress.ip_address(value))
    return value


def digest(previous: str, values: Sequence[Any]) -> str:
    body = [previous, *(_canonical(n, v) for n, v in zip(FIELDS, values, strict=True))]
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _values(event: AuditEvent) -> list[Any]:
    return [getattr(event, name) for name in FIELDS]


def _head() -> AuditChainHead:
    """The head, locked to the end of the transaction (made afresh on an empty trail)."""
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD).first()
    if head is None:
        AuditChainHead.objects.get_or_create(pk=HEAD, defaults={"chain": GENESIS})
        head = AuditChainHead.objects.select_for_update().get(pk=HEAD)
    return head


@dataclass
class _Tail:
    """The end of the chain as this action's transaction has written it, the head held."""

    head: AuditChainHead
    chain: str
    last_id: int
    rows: int


# One action writes its rows against the head it holds, and moves the head once, at its end:
# updating one row thousands of times in one transaction (a bulk load) slows PostgreSQL
# down with every update.
_tail: ContextVar[_Tail | None] = ContextVar("keywork_audit_tail", default=None)
# Set when an action is undone: rows written earlier in the same transaction may lie past
# the head (it moves at the end of the outermost action), so the next start looks for them.
_undone: ContextVar[bool] = ContextVar("keywork_audit_undone", default=False)


def _start() -> _Tail:
    """Hold the head and find the end of the chain: the head's, or, when this transaction
    has written rows past it already (an earlier part of the action), the last row's."""
    head = _head()
    tail = _Tail(head, head.chain, head.last_id, head.rows)
    if not _undone.get():
        return tail
    _undone.set(False)
    later = AuditEvent.objects.filter(pk__gt=head.last_id)
    last = later.order_by("-pk").values_list("pk", "chain").first()
    if last is not None:
        tail.last_id, tail.chain = last
        tail.rows += later.count()
    return tail


def _move_head() -> None:
    tail = _tail.get()
    if tail is None:
        return
    _tail.set(None)
    head = tail.head
    head.chain, head.last_id, head.rows = tail.chain, tail.last_id, tail.rows
    head.save(update_fields=["chain", "rows", "last_id"])


def _forget() -> None:
    """An action was undone: its rows are gone; the next row starts from what is there."""
    _tail.set(None)
    _undone.set(True)


on_undo(_forget)


# Rows kept back to the end of a bulk write made side by side with others (see `held`).
_held: ContextVar[list[AuditEvent] | None] = ContextVar("keywork_audit_held", default=None)


@contextmanager
def held() -> Iterator[None]:
    """Inside a bulk write, keep the rows the actions write and append them together when
    the block ends: the head is held from there to the commit, not from the first action's
    row, so that bulk writes made side by side (the demo's chunks) do not wait on each
    other. Anything raised inside drops the rows, with the transaction that made them."""
    rows: list[AuditEvent] = []
    token = _held.set(rows)
    try:
        yield
    finally:
        _held.reset(token)
    append(rows)


def append(events: list[AuditEvent]) -> list[AuditEvent]:
    """Write these rows at the end of the trail, each chained to the one before (inside
    `held`, when it ends)."""
    if not events:
        return events
    kept_back = _held.get()
    if kept_back is not None:
        kept_back.extend(events)
        return events
    with transaction.atomic(savepoint=False):  # the action's own transaction, when in one
        tail = _tail.get()
        kept = tail is not None
        if tail is None:
            tail = _start()
            kept = at_end_of_action(_move_head)
            if kept:
                _tail.set(tail)
        for event in events:
            tail.chain = event.chain = digest(tail.chain, _values(event))
        AuditEvent.objects.bulk_create(events, batch_size=2000)
        tail.rows += len(events)
        tail.last_id = max(e.pk for e in events)
        if not kept:  # outside an action: move the head now
            _tail.set(tail)
            _move_head()
    return events


def seal_all(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[int, str]]:
    """(id, chain) for rows given as (id, *FIELDS) in id order: for a trail written before
    the chain existed (the migration that brought it in)."""
    chain = GENESIS
    for pk, *values in rows:
        chain = digest(chain, values)
        yield pk, chain


@dataclass(frozen=True)
class Verdict:
    rows: int
    first_id: int | None
    last_id: int | None
    head: str
    broken_at: int | None = None
    problem: str = ""

    @property
    def whole(self) -> bool:
        return self.broken_at is None and not self.problem

    def __str__(self) -> str:
        if not self.whole:
            where = f" at row {self.broken_at}" if self.broken_at is not None else ""
            return f"The audit trail is broken{where}: {self.problem}"
        return (
            f"The audit trail is whole: {self.rows} rows (ids {self.first_id} to "
            f"{self.last_id}), chain head {self.head}."
        )


LISTED = "audit.clientlist"  # the object of a row covering a list of clients


def list_digest(list_id: int) -> tuple[int, str]:
    """How many clients a list holds, and the SHA-256 of their ids in order."""
    ids = ListedClient.objects.filter(list_id=list_id).order_by("client_id")
    found, count = hashlib.sha256(), 0
    for pk in ids.values_list("client_id", flat=True).iterator(chunk_size=5000):
        found.update(f"{pk}\n".encode())
        count += 1
    return count, found.hexdigest()


def _list_changed(values: Sequence[Any]) -> bool:
    row = dict(zip(FIELDS, values, strict=True))
    if row["object_type"] != LISTED:
        return False
    count, sha256 = list_digest(int(row["object_id"]))
    return bool(row["detail"] != {"clients": count, "sha256": sha256})


def verify(chunk: int = 5000) -> Verdict:
    """Walk the trail in order, recomputing every row's hash, then compare the head."""
    rows = AuditEvent.objects.order_by("id").values_list("id", *FIELDS, "chain")
    chain, count, first, last = GENESIS, 0, None, None
    for pk, *values, stored in rows.iterator(chunk_size=chunk):
        expected = digest(chain, values)
        if expected != stored:
            problem = (
                "the row was changed, or a row before it removed"
                if stored
                else "the row has no hash (written around the chain)"
            )
            return Verdict(count, first, last, chain, pk, problem)
        if _list_changed(values):
            problem = "the clients the row lists were changed"
            return Verdict(count, first, last, chain, pk, problem)
        chain, count, last = stored, count + 1, pk
        first = pk if first is None else first
    head = AuditChainHead.objects.filter(pk=HEAD).first()
    if head is None:
        return Verdict(count, first, last, chain, None, "" if count == 0 else "no chain head")
    if (head.chain, head.last_id, head.rows) != (chain, last or 0, count):
        return Verdict(
            count,
            first,
            last,
            chain,
            None,
            f"the head says row {head.last_id} of {head.rows} ends the trail, but it ends at "
            f"row {last} of {count}: rows were removed from the end",
        )
    return Verdict(count, first, last, chain)
