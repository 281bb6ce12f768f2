"""Outcome profiles: every value in range, the stages in order, and what is due (rule 11).
Pure checks over plain values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from keywork.core.dates import add_months, uk
from keywork.core.errors import RuleViolation

DAYS_IN_PERIOD = 28
RATING_MAX = 20
AMOUNT_MAX = {"units": Decimal(200), "grams": Decimal(50)}  # far beyond any day's use


def check_days(name: str, value: int) -> None:
    if not 0 <= value <= DAYS_IN_PERIOD:
        raise RuleViolation(
            "INVALID",
            f"{name}: {value} is not a number of days in the past four weeks (0 to 28)",
            field=name,
        )


def check_rating(name: str, value: int) -> None:
    if not 0 <= value <= RATING_MAX:
        raise RuleViolation(
            "INVALID", f"{name}: {value} is not a rating from 0 to {RATING_MAX}", field=name
        )


def check_use(group: str, days: int, amount: Decimal | None, unit: str) -> None:
    check_days(f"{group}_days", days)
    field = f"{group}_amount"
    if days == 0:
        if amount:
            raise RuleViolation(
                "INVALID", f"{group}: an amount is given for no days of use", field=field
            )
        return
    if amount is None or amount <= 0:
        raise RuleViolation(
            "INVALID", f"{group}: give the typical amount on a day of use ({unit})", field=field
        )
    if amount > AMOUNT_MAX[unit]:
        raise RuleViolation(
            "INVALID",
            f"{group}: {amount} {unit} on a day of use is beyond any plausible amount",
            field=field,
        )


def check_sharing(injecting_days: int, shared: bool) -> None:
    if shared and injecting_days == 0:
        raise RuleViolation(
            "INVALID",
            "shared_equipment: sharing is recorded with days of injecting",
            field="shared_equipment",
        )


def check_stage(
    *,
    stage: str,
    taken_on: dt.date,
    start_on: dt.date | None,
    exit_on: dt.date | None,
    referral_date: dt.date,
    discharged_on: dt.date | None,
    today: dt.date,
    what: str = "profile",
) -> None:
    """One start, before any review; one exit, after them; all within the episode (for an
    outcome profile, or `what` else is taken at those stages)."""
    if taken_on > today:
        raise RuleViolation(
            "INVALID", f"taken_on: {uk(taken_on)} is in the future", field="taken_on"
        )
    if taken_on < referral_date:
        raise RuleViolation("EPISODE", f"the {what} is before the referral ({uk(referral_date)})")
    if discharged_on is not None and taken_on > discharged_on:
        raise RuleViolation(
            "EPISODE", f"the {what} is after the discharge ({uk(discharged_on)})", field="taken_on"
        )
    if exit_on is not None:
        raise RuleViolation("R11", f"the exit {what} was taken on {uk(exit_on)}: no more follow")
    if stage == "start" and start_on is not None:
        raise RuleViolation("R11", f"the start {what} was taken on {uk(start_on)}")
    if stage != "start" and start_on is None:
        raise RuleViolation("R11", f"take the start {what} first", field="stage")
    if stage != "start" and start_on is not None and taken_on < start_on:
        raise RuleViolation(
            "R11", f"{uk(taken_on)} is before the start {what} ({uk(start_on)})", field="taken_on"
        )


def next_due(*, taken_on: dt.date, stage: str, months: int) -> dt.date | None:
    """When the profile after one taken on `taken_on` is due: a review every `months`; none
    after the exit. Before any profile, the start is due at once (from the referral)."""
    return None if stage == "exit" else add_months(taken_on, months)
