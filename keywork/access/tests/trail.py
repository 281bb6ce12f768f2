"""What the tests read of the audit trail: the changes it records, and the refusals."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.db.models import Model

from keywork.audit.models import AuditEvent
from keywork.core.errors import RuleViolation


def changes_audited() -> int:
    """Rows for what was done (changes, reads, sign-ins): a refusal adds none of these."""
    return AuditEvent.objects.exclude(verb=AuditEvent.Verb.REFUSED).count()


def last_refusal() -> AuditEvent:
    return AuditEvent.objects.filter(verb=AuditEvent.Verb.REFUSED).latest("id")


def assert_refusal_audited(error: RuleViolation) -> AuditEvent:
    """The refusal is on the audit trail with its rule and words."""
    event = last_refusal()
    assert event.detail["reason"] == str(error), event.detail
    return event


def assert_refused(
    code: str,
    call: Callable[..., object],
    *args: Any,
    unchanged: Iterable[type[Model]] = (),
    **kwargs: Any,
) -> RuleViolation:
    """`call(*args, **kwargs)` is refused with `code`: nothing is saved (the rows of the
    `unchanged` models, and the changes on the audit trail, stay as they were) and the
    refusal itself is audited, in the rule's words."""
    models = tuple(unchanged)

    def counts() -> tuple[int, ...]:
        return (*(m._default_manager.count() for m in models), changes_audited())

    before = counts()
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value
    assert counts() == before, "a refused change saved something"
    assert_refusal_audited(caught.value)
    return caught.value
