"""How a catalogue entry may be recorded, whatever records it (an intervention record, a tick
on a session): pure checks over the entry's name and attributes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keywork.core.errors import RuleViolation


def check_not_medical(*, name: str, attributes: dict[str, Any], field: str) -> None:
    """Rule 7: medical treatment (opioid substitution, detox) is recorded as a prescription,
    with its medicine, regime, dose and supervision, never as a plain intervention."""
    if attributes.get("recorded_as") == "prescription":
        raise RuleViolation(
            "R7",
            f"{field}: {name} is medical treatment: record it as a prescription, with the "
            "medicine, regime, dose and supervision",
            field=field,
        )


def check_delivered_by(
    *, name: str, attributes: dict[str, Any], has_practitioner: bool, field: str
) -> None:
    """Mutual aid and recovery communities are delivered by a group outside the service, so
    no worker delivers them (and no registration is asked); facilitating access is recovery
    support."""
    if attributes.get("delivered_by") == "agency" and has_practitioner:
        raise RuleViolation(
            "R4",
            f"{field}: {name} is delivered by a group outside the service, not by a worker: "
            "record it as an intervention with the group as the other agency (facilitated "
            "access to mutual aid is the worker's part)",
            field=field,
        )


def check_after_completion(
    *,
    name: str,
    attributes: dict[str, Any],
    completed: bool,
    discharged_on: dt.date | None,
    day: dt.date,
    field: str,
) -> None:
    """Rule 12: what seed 003 says is "delivered following successful completion of structured
    treatment" (psychosocial relapse prevention, mental health interventions, recovery
    check-ups) is recorded after a successful completion only, never during treatment."""
    if not attributes.get("after_completion"):
        return
    if not completed or discharged_on is None or day < discharged_on:
        raise RuleViolation(
            "R12",
            f"{field}: {name} is delivered following successful completion of structured "
            "treatment: record it once the episode has ended in a successful completion, on "
            "or after that day",
            field=field,
        )
