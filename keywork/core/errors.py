"""The errors every caller translates: a form into a field error, the API into a 422, a
command into a one-line CommandError. Codes are stable: R1 to R13 name the rules of the
domain, ACCESS a refused permission, INVALID a value that cannot be accepted, EPISODE an
episode's life, CONSENT a referral without consent to share, CONFLICT a change made to a
record that someone else changed after it was opened, DEMO the demo loader."""

from __future__ import annotations

from typing import Any


class RuleViolation(Exception):
    """A change refused by a rule. Nothing has been saved when this is raised."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        suggestion: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.suggestion = suggestion  # e.g. a ready-filled referral when rule 4 refuses
        self.audited = False  # set once the refusal is on the audit trail

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"rule": self.code, "message": self.message, "field": self.field}
        if self.suggestion:
            shown["suggestion"] = self.suggestion
        return shown


class Conflict(RuleViolation):
    """The record changed after the person opened it: their change is not saved, the form
    keeps what they typed and shows beside it what is saved now (`theirs`), and carries the
    new version, so that saving again is a choice made knowing both."""

    def __init__(self, message: str, *, current: int, theirs: dict[str, str]) -> None:
        super().__init__("CONFLICT", message)
        self.current = current
        self.theirs = theirs


class AccessDenied(RuleViolation):
    """The actor may not make this change or see this record."""

    def __init__(self, message: str) -> None:
        super().__init__("ACCESS", message)


def invalid(field: str, message: str) -> RuleViolation:
    """A value that cannot be accepted, naming its field."""
    return RuleViolation("INVALID", f"{field}: {message}", field=field)
