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


def check_schedule(
    *, first_on: dt.date, discharged_on: dt.date, every_weeks: int, count: int
) -> None:
    if first_on <= discharged_on:
        raise RuleViolation(
            "INVALID",
            f"first_on: the first check-up comes after the discharge ({uk(discharged_on)})",
            field="first_on",
        )
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
    if done_on > today:
        raise RuleViolation("INVALID", f"done_on: {uk(done_on)} is in the future", field="done_on")
    if done_on <= discharged_on:
        raise RuleViolation(
            "INVALID",
            f"done_on: a check-up comes after the discharge ({uk(discharged_on)})",
            field="done_on",
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
    if on > today:
        raise RuleViolation("INVALID", f"on: {uk(on)} is in the future", field="on")
    if on <= discharged_on:
        raise RuleViolation(
            "INVALID", f"on: the return comes after the discharge ({uk(discharged_on)})", field="on"
        )
