"""What every form shares: a refused change shown on the field it names, in the rule's words
(as a sentence, without internal field names: `RuleViolation.shown`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from keywork.core.dates import implausible
from keywork.core.errors import Conflict, RuleViolation

DATE_FIELDS = (forms.DateField, forms.DateTimeField, forms.SplitDateTimeField)


def plausible(value: dt.date | dt.datetime | None) -> None:
    """A form validator: refuse a date no one could mean (the year 9999)."""
    problem = implausible(value) if value is not None else None
    if problem:
        raise ValidationError(problem, code="implausible")


def check_dates(form: forms.BaseForm) -> None:
    """Give every date field of a form the plausible-date check."""
    for field in form.fields.values():
        if isinstance(field, DATE_FIELDS) and plausible not in field.validators:
            field.validators.append(plausible)


class ActionForm(forms.Form):
    """A form whose change is made by an action; `refuse` shows the action's refusal.

    A form that changes an existing record is `versioned`: it carries, hidden, the version
    of the record it was opened at (the view gives it as the initial `version`), and a
    conflict with a newer version keeps what was typed and shows what is saved now."""

    field_aliases: dict[str, str] = {}
    suggestion: dict[str, object] | None = None
    versioned = False
    conflict: Conflict | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.versioned:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, min_value=0
            )

    def expected_version(self) -> int | None:
        """The version the record was read at, for the action to check."""
        version = self.cleaned_data.get("version") if self.versioned else None
        return int(version) if version is not None else None

    def full_clean(self) -> None:
        check_dates(self)
        super().full_clean()

    def refuse(self, error: RuleViolation) -> None:
        if isinstance(error, Conflict):
            self.conflict = error
            data: Any = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict
            data["version"] = str(error.current)  # so a second save is made knowing both
            self.data = data
            self.add_error(None, error.shown)
            return
        self.suggestion = error.suggestion
        name = self.field_aliases.get(error.field or "", error.field)
        self.add_error(name if name in self.fields else None, error.says(name))


class InErrorForm(ActionForm):
    """Why a clinical record is marked entered in error (rule 13); for any kind of record."""

    reason = forms.CharField(label="Why this record is in error", required=False)

    def __init__(self, *args: Any, record: object = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
