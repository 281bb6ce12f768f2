"""Rules 1 (one named keyworker) and 2 (phases): pure checks over plain values and dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from keywork.core.dates import uk
from keywork.core.errors import RuleViolation, invalid

if TYPE_CHECKING:
    from keywork.clients.actions import SubstanceUse


@dataclass(frozen=True)
class PhaseStep:
    code: str
    name: str
    order: int
    in_sequence: bool


def check_keyworker(*, name: str, active: bool, practitioner: bool, same_service: bool) -> None:
    if not active:
        raise RuleViolation("R1", f"{name}'s account is disabled: choose an active keyworker")
    if not practitioner:
        raise RuleViolation("R1", f"{name} is not a keyworker: only a keyworker holds a caseload")
    if not same_service:
        raise RuleViolation("R1", f"{name} works for another service")


def check_reallocation(
    *,
    current: str | None,
    new: str,
    on: dt.date,
    current_since: dt.date,
    today: dt.date,
    reason: str,
    episode_open: bool,
) -> None:
    if not episode_open:
        raise RuleViolation("R1", "the episode is discharged: its keyworker can no longer change")
    if current == new:
        raise RuleViolation("R1", f"{new} is already the keyworker")
    if on > today:
        raise RuleViolation("R1", f"a reallocation cannot be dated in the future ({uk(on)})")
    if on < current_since:
        raise RuleViolation(
            "R1",
            f"{uk(on)} is before the current keyworker's allocation began ({uk(current_since)}); "
            "allocation history cannot be rewritten",
        )
    if not reason.strip():
        raise RuleViolation("R1", "say why the keyworker is changing", field="reason")


def allowed_moves(current: PhaseStep, phases: list[PhaseStep]) -> list[PhaseStep]:
    """Forward one phase at a time, or back to any earlier phase (a lapse or relapse is a
    normal reason to move back). Reintegration is never a target: it runs alongside."""
    line = sorted((p for p in phases if p.in_sequence), key=lambda p: p.order)
    position = next(i for i, p in enumerate(line) if p.code == current.code)
    return line[:position] + line[position + 1 : position + 2]


def check_starting_phase(phase: PhaseStep) -> None:
    if not phase.in_sequence:
        raise RuleViolation(
            "R2",
            f"{phase.name} runs alongside every phase; a client is located in Engagement, "
            "Preparation, Change or Completion",
        )


def check_phase_move(
    *,
    current: PhaseStep,
    target: PhaseStep,
    phases: list[PhaseStep],
    on: dt.date,
    last_change_on: dt.date,
    today: dt.date,
    reason: str,
    episode_open: bool,
) -> None:
    if not episode_open:
        raise RuleViolation("R2", "the episode is discharged: its phase can no longer change")
    check_starting_phase(target)
    if target.code == current.code:
        raise RuleViolation("R2", f"the client is already in {current.name}")
    if target not in allowed_moves(current, phases):
        allowed = ", ".join(p.name for p in allowed_moves(current, phases))
        raise RuleViolation(
            "R2",
            f"from {current.name} a client moves forward one phase at a time or back to an "
            f"earlier one (allowed: {allowed})",
        )
    if on > today:
        raise RuleViolation("R2", f"a phase move cannot be dated in the future ({uk(on)})")
    if on < last_change_on:
        raise RuleViolation("R2", f"{uk(on)} is before the last phase move ({uk(last_change_on)})")
    if not reason.strip():
        raise RuleViolation("R2", "say why the phase is changing", field="reason")


def check_substances(
    uses: list[SubstanceUse], *, known: set[str], routes: set[str], age_now: int
) -> None:
    """One to three distinct problem substances from the catalogue, each with a route and a
    plausible age of first use."""
    if not 1 <= len(uses) <= 3:
        raise RuleViolation(
            "INVALID", "substances: record one to three problem substances", field="substances"
        )
    codes = [use.code for use in uses]
    if len(set(codes)) != len(codes):
        raise RuleViolation(
            "INVALID", "substances: a substance is listed twice", field="substances"
        )
    for use in uses:
        if use.code not in known:
            raise RuleViolation(
                "INVALID",
                f"substances: '{use.code}' is not a substance in the catalogue",
                field="substances",
            )
        if use.route not in routes:
            raise RuleViolation(
                "INVALID",
                f"substances: '{use.route}' is not a route ({', '.join(sorted(routes))})",
                field="substances",
            )
        if use.age_first_used is not None and not 5 <= use.age_first_used <= age_now:
            raise RuleViolation(
                "INVALID",
                f"substances: age of first use {use.age_first_used} must be between 5 and the "
                f"client's age ({age_now})",
                field="substances",
            )


def check_triage(
    *,
    episode_open: bool,
    triaged_on: dt.date | None,
    on: dt.date,
    referral_date: dt.date,
    today: dt.date,
) -> None:
    """Triage starts treatment (the QS6 denominator counts from it): once, on an open
    episode, not before the referral nor in the future."""
    if not episode_open:
        raise RuleViolation("EPISODE", "the episode is discharged: triage comes before that")
    if triaged_on is not None:
        raise RuleViolation("EPISODE", f"already triaged on {uk(triaged_on)}", field="on")
    if on < referral_date:
        raise RuleViolation(
            "EPISODE", f"on: triage is not before the referral ({uk(referral_date)})", field="on"
        )
    if on > today:
        raise RuleViolation("INVALID", f"on: {uk(on)} is in the future", field="on")


def check_discharge(
    *,
    episode_open: bool,
    on: dt.date,
    not_before: dt.date,
    today: dt.date,
    exit_reason: str,
    exit_reasons: set[str],
) -> None:
    if not episode_open:
        raise RuleViolation("EPISODE", "the episode is already discharged")
    if exit_reason not in exit_reasons:
        raise RuleViolation(
            "EPISODE", "choose an exit reason for the discharge", field="exit_reason"
        )
    if on > today:
        raise RuleViolation("EPISODE", f"a discharge cannot be dated in the future ({uk(on)})")
    if on < not_before:
        raise RuleViolation(
            "EPISODE",
            f"{uk(on)} is before the last recorded event of the episode ({uk(not_before)})",
        )


def nhs_check_digit(first_nine: str) -> int | None:
    """The check digit (modulus 11) of an NHS number's first nine digits; None when they
    take none (a remainder giving 10: no NHS number starts so)."""
    total = sum(int(d) * weight for d, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else check


def nhs_number(number: str) -> str:
    """An NHS number, its 10 digits (spaces taken out), or "" when none is given; refused
    when its check digit (modulus 11) does not match."""
    digits = "".join(number.split())
    if not digits:
        return ""
    if len(digits) != 10 or not digits.isdigit():
        raise invalid("nhs_number", f"'{number}' is not an NHS number: it has 10 digits")
    if nhs_check_digit(digits[:9]) != int(digits[9]):
        raise invalid("nhs_number", f"'{number}' is not an NHS number: its check digit is wrong")
    return digits


POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def postcode(text: str) -> str:
    """A UK postcode, upper case with its one space."""
    found = POSTCODE.match(text.upper().strip())
    if found is None:
        raise invalid("postcode", f"'{text}' is not a UK postcode (such as TS1 2AB)")
    return f"{found.group(1)} {found.group(2)}"
