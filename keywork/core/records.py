"""What clinical records share (rule 13): never deleted; a mistaken one is marked entered in
error with a reason, stays on the record, and no longer counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils import timezone

from keywork.core.errors import Conflict, RuleViolation


def lock(record: models.Model) -> None:
    """Hold the record's row until the action's transaction ends, so that changes to it
    queue one behind another (SQLite queues every writer already), and read it afresh."""
    rows = type(record)._default_manager.select_for_update().filter(pk=record.pk)
    list(rows.values_list("pk", flat=True))
    record.refresh_from_db()


def check_version(
    *, expected: int | None, current: int, what: str, theirs: Callable[[], dict[str, str]]
) -> None:
    """Refuse a change made against an older version of a record (no lost update). A caller
    that read no version (None) changes whatever is there now."""
    if expected is not None and expected != current:
        raise Conflict(
            f"{what} was changed by someone else after you opened it, so your change was not "
            "saved. What is saved now is shown beside what you typed: check both, then save "
            "again if yours should stand.",
            current=current,
            theirs=theirs(),
        )


class EnteredInError(models.Model):
    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def in_error(self) -> bool:
        return self.entered_in_error_at is not None


def refuse_if_in_error(record: EnteredInError, what: str) -> None:
    if record.in_error:
        raise RuleViolation("R13", f"this {what} is marked entered in error; record a new one")


def mark_in_error(record: EnteredInError, what: str, reason: str, **also: Any) -> None:
    """Mark the record entered in error, with the reason (and any fields `also` given, such
    as who marked it); saves those fields alone."""
    refuse_if_in_error(record, what)
    if not reason.strip():
        raise RuleViolation("R13", f"say why the {what} is in error", field="reason")
    record.entered_in_error_at, record.entered_in_error_reason = timezone.now(), reason
    for name, value in also.items():
        setattr(record, name, value)
    record.save(update_fields=["entered_in_error_at", "entered_in_error_reason", *also])
