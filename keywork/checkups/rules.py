"""Rule 12: check-ups follow a successful completion; each records contact, signs of lapse and
further services. Pure checks over plain values."""

from __future__ import annotations

import datetime as dt

from keywork.core.dates import uk
from keywork.core.errors import RuleViolation

MOST = 12  # a year of monthly check-ups
WEEKS = range(1, 27)


def check_completed(*, discharged_on: dt.date | None, completed: bool, label: str) -> None:
    if discharged_on is None:
        raise RuleViolation("R12", "recovery check-ups follow discharge; the episode is open")
    if not completed:
        raise RuleViolation(
            "R12",
            f"recovery check-ups follow a successful completion; this episode ended: {label}",
        )


def check_after_discharge(
    field: str, day: dt.date, what: str, *, discharged_on: dt.date, today: dt.date | None = None
) -> None:
    """`day` (of the form or line's `field`) comes after the discharge and, given `today`, is
    not in the future."""
    if today is not None and day > today:
        raise RuleViolation("INVALID", f"{field}: {uk(day)} is in the future", field=field)
    if day <= discharged_on:
        raise RuleViolation(
            "INVALID",
            f"{field}: {what} comes after the discharge ({uk(discharged_on)})",
            field=field,
        )


def check_schedule(
    *, first_on: dt.date, discharged_on: dt.date, every_weeks: int, count: int
) -> None:
    check_after_discharge("first_on", first_on, "the first check-up", discharged_on=discharged_on)
    if every_weeks not in WEEKS:
        raise RuleViolation(
            "INVALID", f"every_weeks: {every_weeks} is not 1 to 26 weeks", field="every_weeks"
        )
    if not 1 <= count <= MOST:
        raise RuleViolation(
            "INVALID", f"count: {count} is not 1 to {MOST} check-ups", field="count"
        )


def check_record(
    *, done_on: dt.date, discharged_on: dt.date, today: dt.date, contact_made: bool, lapse: str
) -> None:
    check_after_discharge(
        "done_on", done_on, "a check-up", discharged_on=discharged_on, today=today
    )
    if contact_made and lapse in ("", "not_known"):
        raise RuleViolation(
            "R12",
            "lapse: say what the contact found (no signs, a risk, a lapse or relapse)",
            field="lapse",
        )
    if not contact_made and lapse not in ("", "not_known"):
        raise RuleViolation(
            "R12", "lapse: without contact, what was found is not known", field="lapse"
        )


def check_return(*, on: dt.date, discharged_on: dt.date, today: dt.date) -> None:
    check_after_discharge("on", on, "the return", discharged_on=discharged_on, today=today)
