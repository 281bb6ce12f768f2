"""What every form shares: a refused change shown on the field it names, in the rule's words."""

from __future__ import annotations

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
