"""Rule 4, competence, and the reasons access needs: pure checks over plain facts and a date.
No database, no request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from keywork.core.dates import uk
from keywork.core.errors import RuleViolation

__all__ = ["RuleViolation"]

ANY_KEYWORKER = "any_keyworker"
TRAINED_AND_SUPERVISED = "trained_and_supervised"
REGISTERED = "registered"
REGISTERED_AND_SUPERVISED = "registered_and_supervised"
# Which rules ask for a registration, and which for clinical supervision in date.
NEEDS_REGISTRATION = (REGISTERED, REGISTERED_AND_SUPERVISED)
NEEDS_SUPERVISION = (TRAINED_AND_SUPERVISED, REGISTERED_AND_SUPERVISED)


@dataclass(frozen=True)
class CompetenceFacts:
    """What the records say about one worker, one intervention and one day."""

    worker: str
    is_practitioner: bool
    intervention: str
    tier: str
    rule: str  # the tier's competence rule
    on: dt.date
    trained_on: dt.date | None = None  # training in date on the day, if any
    supervision_lapses_on: dt.date | None = None  # of the supervision covering the day
    last_supervision_lapsed_on: dt.date | None = None  # otherwise, when the last one lapsed
    registration: str | None = None  # "BACP 1234, expires 31/03/2027" covering the day


@dataclass(frozen=True)
class Competence:
    competent: bool
    reason: str

    @property
    def message(self) -> str:
        return self.reason


def assess_competence(facts: CompetenceFacts) -> Competence:
    """Is this worker competent to deliver this intervention on this day, and why (not)?"""
    who, what, day = facts.worker, facts.intervention, uk(facts.on)
    refused = f"{who} cannot deliver {what} ({facts.tier}) on {day}"
    refer = "Refer the client to a colleague or service who can."
    if not facts.is_practitioner:
        return Competence(False, f"{refused}: only keyworkers deliver interventions. {refer}")
    if facts.rule == ANY_KEYWORKER:
        return Competence(True, f"{facts.tier}: every keyworker may deliver {what}")
    if facts.rule not in (TRAINED_AND_SUPERVISED, *NEEDS_REGISTRATION):
        raise ValueError(f"unknown competence rule {facts.rule!r}")
    if facts.rule == TRAINED_AND_SUPERVISED:
        if facts.trained_on is None:
            return Competence(False, f"{refused}: no training in it is recorded. {refer}")
        held = f"trained {uk(facts.trained_on)}"
    else:
        if facts.registration is None:
            return Competence(
                False,
                f"{refused}: no registration or accreditation covering it is in date. {refer}",
            )
        held = f"registered: {facts.registration}"
    if facts.rule not in NEEDS_SUPERVISION:
        return Competence(True, held)
    if facts.supervision_lapses_on is None:
        if facts.last_supervision_lapsed_on is None:
            why = "no clinical supervision is recorded"
        else:
            why = f"clinical supervision lapsed on {uk(facts.last_supervision_lapsed_on)}"
        return Competence(False, f"{refused}: {why}. {refer}")
    return Competence(
        True,
        f"{held}, supervision in date until "
        f"{uk(facts.supervision_lapses_on - dt.timedelta(days=1))}",
    )


def require_competent(competence: Competence) -> None:
    if not competence.competent:
        raise RuleViolation("R4", competence.message)


# A reason that lets someone past a safeguard (break-glass access to a record, a referral
# made without the client's consent) is read by the service manager who reviews it: it must
# say something, not a token word.
REASON_WORDS = 4
REASON_CHARACTERS = 20


def check_real_reason(text: str, *, code: str, field: str, what: str) -> None:
    words = [w for w in text.split() if any(c.isalnum() for c in w)]
    if len(words) < REASON_WORDS or len(text.strip()) < REASON_CHARACTERS:
        raise RuleViolation(
            code,
            f"say why {what}, in a sentence the service manager can review (at least "
            f"{REASON_WORDS} words): a token word is not a reason",
            field=field,
        )
