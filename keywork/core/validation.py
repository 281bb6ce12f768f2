"""Turn Django's field validation into the RuleViolation every caller already handles."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from keywork.core.errors import RuleViolation, invalid


def refuse_invalid(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """Run the model's own checks; refuse the first problem, naming its field."""
    try:
        obj.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as error:
        raise _first(error) from None


def _first(error: ValidationError) -> RuleViolation:
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        message = " ".join(str(m) for e in errors for m in e.messages)
        if field != "__all__":
            return invalid(field, message)
        return RuleViolation("INVALID", message)
    return RuleViolation("INVALID", " ".join(error.messages))
