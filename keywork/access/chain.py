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
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from keywork.access.models import AuditChainHead, AuditEvent

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


def append(events: list[AuditEvent]) -> list[AuditEvent]:
    """Write these rows at the end of the trail, each chained to the one before."""
    if not events:
        return events
    with transaction.atomic(savepoint=False):  # the action's own transaction, when in one
        head = _head()
        chain = head.chain
        for event in events:
            chain = event.chain = digest(chain, _values(event))
        AuditEvent.objects.bulk_create(events, batch_size=2000)
        head.chain, head.rows = chain, head.rows + len(events)
        head.last_id = max(e.pk for e in events)
        head.save(update_fields=["chain", "rows", "last_id"])
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
