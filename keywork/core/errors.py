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

    def sentence(self, shown_on: str | None = None) -> str:
        """The refusal as a person reads it on a page: the same words, as a sentence, without
        the internal name of the field it is shown on (the action's, or the form's own name
        for it, `shown_on`)."""
        text = self.message
        for name in (self.field, shown_on):
            if name and text.startswith(f"{name}: "):
                text = text[len(name) + 2 :]
        text = text[:1].upper() + text[1:]
        return text if text.endswith((".", "?", "!")) else f"{text}."

    def says(self, shown_on: str | None = None) -> str:
        """What a page shows: the sentence, then the rule it comes from as a small reference
        (a rule's code only: R10 reads "rule 10"; access and other refusals carry none)."""
        rule = self.code[1:] if self.code[:1] == "R" and self.code[1:].isdigit() else ""
        sentence = self.sentence(shown_on)
        return f"{sentence} (rule {rule})" if rule else sentence

    @property
    def shown(self) -> str:
        return self.says()


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
