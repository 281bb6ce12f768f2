"""Checks on a comprehensive assessment: dated within the episode, every risk area rated, a
safeguarding concern described, needs with a domain and words."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from keywork.core.dates import uk
from keywork.core.errors import invalid

if TYPE_CHECKING:
    from keywork.assessments.actions import NeedInput


def check_assessment_date(*, on: dt.date, referral: dt.date, today: dt.date) -> None:
    if on > today:
        raise invalid("assessed_on", f"an assessment cannot be dated in the future ({uk(on)})")
    if on < referral:
        raise invalid("assessed_on", f"{uk(on)} is before the referral ({uk(referral)})")


def check_risks(risks: dict[str, str], *, areas: dict[str, str], levels: set[str]) -> None:
    """Every risk area rated, "none identified" included: a blank is not a rating."""
    for name, label in areas.items():
        level = risks.get(name, "")
        if level not in levels:
            raise invalid(name, f"rate {label.lower()} (none identified, low, medium or high)")
    unknown = set(risks) - set(areas)
    if unknown:
        raise invalid("risks", f"not a risk area: {', '.join(sorted(unknown))}")


def check_safeguarding(*, concern: bool, detail: str, children: int) -> None:
    if concern and not detail.strip():
        raise invalid("safeguarding_detail", "describe the safeguarding concern")
    if not 0 <= children <= 20:
        raise invalid("dependent_children", f"{children} is not a number of children (0 to 20)")


def check_needs(needs: tuple[NeedInput, ...], *, domains: set[str]) -> None:
    for need in needs:
        if need.domain not in domains:
            raise invalid("needs", f"'{need.domain}' is not a life domain")
        if not need.description.strip():
            raise invalid("needs", "say what the need is")


def flags(
    risks: dict[str, str], *, areas: dict[str, str], open_levels: set[str], concern: bool
) -> str:
    """The caseload flags: each open (medium or high) risk, and safeguarding."""
    shown = [label for name, label in areas.items() if risks.get(name) in open_levels]
    return ", ".join([*shown, *(["Safeguarding"] if concern else [])])
