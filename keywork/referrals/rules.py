"""Referrals: where to, consent to share, and the status line. Pure checks over plain
values and dates."""

from __future__ import annotations

import datetime as dt

from keywork.access.rules import check_real_reason
from keywork.core.dates import uk
from keywork.core.errors import RuleViolation

CHASE_AFTER = dt.timedelta(days=14)


def check_to(*, destination: bool, agency: str, colleague: bool) -> None:
    if colleague and (destination or agency.strip()):
        raise RuleViolation(
            "INVALID",
            "destination: refer to a colleague, or to a destination and agency (not both)",
            field="destination",
        )
    if not colleague and not destination:
        raise RuleViolation(
            "INVALID",
            "destination: choose where the referral goes (or the colleague it goes to)",
            field="destination",
        )


def check_consent(
    *, consent: bool, consent_on: dt.date | None, override_reason: str, made_on: dt.date
) -> None:
    """No consent to share, no referral, unless an override says why."""
    if consent:
        if consent_on is None or consent_on > made_on:
            raise RuleViolation(
                "CONSENT",
                "record when the client agreed to share their information (on or before the "
                "referral)",
                field="consent_on",
            )
        return
    if not override_reason.strip():
        raise RuleViolation(
            "CONSENT",
            "the client has not agreed to share their information: no referral without "
            "consent, unless you record why it must be made without it",
            field="override_reason",
        )
    check_real_reason(
        override_reason,
        code="CONSENT",
        field="override_reason",
        what="the referral is made without the client's consent",
    )


def check_made_on(
    *, made_on: dt.date, referral_date: dt.date, discharged_on: dt.date | None, today: dt.date
) -> None:
    if made_on > today:
        raise RuleViolation("INVALID", f"made_on: {uk(made_on)} is in the future", field="made_on")
    if made_on < referral_date:
        raise RuleViolation("EPISODE", f"the referral is before the episode ({uk(referral_date)})")
    if discharged_on is not None and made_on > discharged_on:
        raise RuleViolation("EPISODE", f"the episode was discharged on {uk(discharged_on)}")


def check_move(
    *,
    current: str,
    new: str,
    allowed: tuple[str, ...],
    labels: dict[str, str],
    on: dt.date,
    since: dt.date,
    today: dt.date,
) -> None:
    if new not in allowed:
        if not allowed:
            raise RuleViolation("INVALID", "status: this referral is closed", field="status")
        names = ", ".join(labels[s].lower() for s in allowed)
        raise RuleViolation(
            "INVALID",
            f"status: from {labels[current].lower()} a referral moves to {names}",
            field="status",
        )
    if on < since:
        raise RuleViolation(
            "INVALID", f"on: {uk(on)} is before the last change ({uk(since)})", field="on"
        )
    if on > today and new != "first_appointment":
        raise RuleViolation("INVALID", f"on: {uk(on)} is in the future", field="on")


def chase_from(status: str, on: dt.date) -> dt.date | None:
    """When to chase a referral that is still waiting: two weeks after it was made or
    accepted, the day after a first appointment; nothing once it is attended, declined or
    closed."""
    if status in ("made", "accepted"):
        return on + CHASE_AFTER
    if status == "first_appointment":
        return on + dt.timedelta(days=1)
    return None
