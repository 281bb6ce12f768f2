"""What every form shares: a refused change shown on the field it names, in the rule's words."""

from __future__ import annotations

from typing import Any

from django import forms

from keywork.core.errors import RuleViolation


class ActionForm(forms.Form):
    """A form whose change is made by an action; `refuse` shows the action's refusal."""

    field_aliases: dict[str, str] = {}
    suggestion: dict[str, object] | None = None

    def refuse(self, error: RuleViolation) -> None:
        self.suggestion = error.suggestion
        name = self.field_aliases.get(error.field or "", error.field)
        self.add_error(name if name in self.fields else None, f"{error.message} [{error.code}]")


class InErrorForm(ActionForm):
    """Why a clinical record is marked entered in error (rule 13); for any kind of record."""

    reason = forms.CharField(label="Why this record is in error", required=False)

    def __init__(self, *args: Any, record: object = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
