"""What the tests read of the audit trail: the changes it records, and the refusals."""

from __future__ import annotations

from keywork.access.models import AuditEvent
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
