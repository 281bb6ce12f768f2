"""Rule 7: prescribing facts are exact. Pure checks and the daily dose on a date, over plain
values. The plausible ranges, and why, are in docs/prescribing.md."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from keywork.core.dates import uk
from keywork.core.errors import RuleViolation

if TYPE_CHECKING:
    from keywork.prescribing.actions import DoseInput

METHADONE = "item.methadone-daily-dose"
BUPRENORPHINE = "item.buprenorphine-daily-dose"
# Far outside any plausible daily dose (docs/prescribing.md): refused, not warned.
METHADONE_MAX_MG = Decimal("300")
BUPRENORPHINE_MAX_MG = Decimal("32")
METHADONE_MAX_STRENGTH = Decimal("20")  # mg/ml: the strongest concentrate made
WITHDRAWAL_USUAL = {"inpatient": dt.timedelta(days=28)}
WITHDRAWAL_USUAL_ELSEWHERE = dt.timedelta(weeks=12)


@dataclass(frozen=True)
class Medicine:
    """What the catalogue says about a medicine and purpose."""

    name: str
    dose_item: str | None  # METHADONE, BUPRENORPHINE, or None: not reported
    regimes: tuple[str, ...]
    supervision_asked: bool  # marked * or # in seed 003: oral methadone, oral buprenorphine


def check_regime(medicine: Medicine, regime: str, labels: dict[str, str]) -> None:
    if regime not in medicine.regimes:
        allowed = ", ".join(labels[r].lower() for r in medicine.regimes)
        asked = labels.get(regime, regime).lower()
        raise RuleViolation(
            "R7",
            f"{medicine.name} is prescribed for {allowed}, not {asked}",
            field="regime",
        )


def reported_dose(medicine: Medicine, dose: DoseInput) -> Decimal | None:
    """Check a daily dose (rule 7) and give its national figure: methadone oral solution in
    ml of 1 mg/ml equivalent (a concentrate converted from its strength), buprenorphine in mg;
    None for medicines whose dose is not reported."""
    if dose.amount is None:
        if medicine.dose_item is not None:
            raise RuleViolation("R7", f"record the daily dose of {medicine.name}", field="amount")
        return None
    if dose.amount <= 0:
        raise RuleViolation(
            "R7",
            "a daily dose on an active prescription is more than 0: to stop it, end the "
            "prescription",
            field="amount",
        )
    if medicine.dose_item == METHADONE:
        return _methadone(dose)
    if medicine.dose_item == BUPRENORPHINE:
        if dose.unit != "mg":
            raise RuleViolation("R7", "buprenorphine is recorded in mg a day", field="unit")
        if dose.amount > BUPRENORPHINE_MAX_MG:
            raise RuleViolation(
                "R7",
                f"{dose.amount} mg of buprenorphine a day is far outside any plausible dose "
                f"(the most is {BUPRENORPHINE_MAX_MG} mg)",
                field="amount",
            )
        return dose.amount
    return None


def _methadone(dose: DoseInput) -> Decimal:
    if dose.unit != "ml":
        raise RuleViolation("R7", "methadone oral solution is recorded in ml a day", field="unit")
    strength = dose.strength_mg_per_ml or Decimal(1)
    if not 0 < strength <= METHADONE_MAX_STRENGTH:
        raise RuleViolation(
            "R7",
            f"a methadone liquid of {strength} mg/ml is not made (1 mg/ml, or a concentrate up "
            f"to {METHADONE_MAX_STRENGTH} mg/ml)",
            field="strength_mg_per_ml",
        )
    equivalent = (dose.amount or Decimal(0)) * strength
    if equivalent > METHADONE_MAX_MG:
        raise RuleViolation(
            "R7",
            f"{equivalent.normalize():f} ml of 1 mg/ml methadone a day is far outside any "
            f"plausible dose (the most is {METHADONE_MAX_MG})",
            field="amount",
        )
    return equivalent


def supervision_asked(attributes: dict[str, Any]) -> bool:
    """Whether a medicine's supervision is recorded: those marked * (oral methadone) or #
    (oral buprenorphine, with or without naloxone) in seed 003."""
    return attributes.get("marker") in ("*", "#")


def check_supervision(medicine: Medicine, supervision: str) -> None:
    """Supervised or unsupervised for the medicines seed 003 marks * or # (oral methadone;
    oral buprenorphine, with or without naloxone): "Is consumption of OST medication
    currently supervised?* #". Not applicable for every other medicine, depot buprenorphine
    and injectable opioids included."""
    if medicine.supervision_asked and supervision not in ("supervised", "unsupervised"):
        raise RuleViolation(
            "R7",
            f"for {medicine.name} say whether consumption is supervised or unsupervised",
            field="supervision",
        )
    if not medicine.supervision_asked and supervision != "not_applicable":
        raise RuleViolation(
            "R7",
            "supervision is recorded for oral methadone and oral buprenorphine only: for "
            f"{medicine.name} it is not applicable",
            field="supervision",
        )


def check_dates(
    *,
    started_on: dt.date,
    referral_date: dt.date,
    discharged_on: dt.date | None,
    today: dt.date,
    after_completion: bool = False,
) -> None:
    """`after_completion`: relapse-prevention prescribing after a successful completion
    (seed 003: "post structured treatment only"), which starts after the discharge."""
    if started_on > today:
        raise RuleViolation(
            "INVALID", f"started_on: {uk(started_on)} is in the future", field="started_on"
        )
    if started_on < referral_date:
        raise RuleViolation(
            "EPISODE", f"the prescription starts before the referral ({uk(referral_date)})"
        )
    if discharged_on is not None and started_on > discharged_on and not after_completion:
        raise RuleViolation(
            "EPISODE",
            f"the episode was discharged on {uk(discharged_on)}, before this starts; only "
            "relapse-prevention prescribing after a successful completion starts after discharge",
        )


def check_dose_change(
    *,
    from_date: dt.date,
    started_on: dt.date,
    ended_on: dt.date | None,
    today: dt.date,
    taken: bool,
    reason: str,
) -> None:
    if from_date <= started_on:
        raise RuleViolation(
            "R7",
            f"a dose change is after the start ({uk(started_on)}); correct the starting dose by "
            "marking the prescription entered in error",
            field="from_date",
        )
    if ended_on is not None and from_date >= ended_on:
        raise RuleViolation(
            "R7",
            f"the prescription ended on {uk(ended_on)}: no dose is taken from then",
            field="from_date",
        )
    if from_date > today + dt.timedelta(days=28):
        raise RuleViolation(
            "INVALID", "from_date: record a change at most four weeks ahead", field="from_date"
        )
    if taken:
        raise RuleViolation(
            "R7", f"a dose change from {uk(from_date)} is recorded already", field="from_date"
        )
    if not reason.strip():
        raise RuleViolation("R7", "say why the dose changes", field="reason")


def check_end(
    *, on: dt.date, started_on: dt.date, last_change: dt.date, today: dt.date, ended: bool
) -> None:
    if ended:
        raise RuleViolation("R7", "this prescription has ended already")
    if on < started_on:
        raise RuleViolation("INVALID", f"ended_on: {uk(on)} is before the start", field="ended_on")
    if on > today:
        raise RuleViolation("INVALID", f"ended_on: {uk(on)} is in the future", field="ended_on")
    if on <= last_change and last_change > started_on:
        raise RuleViolation(
            "R7",
            f"a dose change from {uk(last_change)} is recorded: the prescription ends after it",
            field="ended_on",
        )


def withdrawal_warning(*, regime: str, where: str, started_on: dt.date, until: dt.date) -> str:
    """Withdrawal usually lasts up to 12 weeks in the community or 28 days as an inpatient:
    longer is allowed, with this warning."""
    if regime != "withdrawal":
        return ""
    usual = WITHDRAWAL_USUAL.get(where, WITHDRAWAL_USUAL_ELSEWHERE)
    if until - started_on <= usual:
        return ""
    limit = "28 days as an inpatient" if where == "inpatient" else "12 weeks in the community"
    return f"Withdrawal for {(until - started_on).days} days: longer than the usual {limit}."


@dataclass(frozen=True)
class DoseFacts:
    from_date: dt.date
    reported: Decimal | None
    supervision: str


@dataclass(frozen=True)
class PrescriptionFacts:
    started_on: dt.date
    ended_on: dt.date | None
    dose_item: str | None
    supervision_asked: bool  # oral methadone or oral buprenorphine (seed 003's * and #)
    doses: tuple[DoseFacts, ...]  # in date order

    def taken_on(self, day: dt.date) -> bool:
        """Taken from its start up to (not on) its end day; a one-day prescription holds
        its day."""
        if day < self.started_on:
            return False
        if self.ended_on is None or day < self.ended_on:
            return True
        return self.ended_on == self.started_on == day

    def dose_on(self, day: dt.date) -> DoseFacts | None:
        current = [d for d in self.doses if d.from_date <= day]
        return current[-1] if current and self.taken_on(day) else None


@dataclass(frozen=True)
class DailyDose:
    """The national figures for a day: 0 when not prescribed."""

    methadone_ml: Decimal
    buprenorphine_mg: Decimal
    supervision: str  # supervised, unsupervised, or not_applicable (no oral methadone or
    # buprenorphine)


def daily_dose(prescriptions: list[PrescriptionFacts], day: dt.date) -> DailyDose:
    methadone = buprenorphine = Decimal(0)
    supervision: list[str] = []
    for facts in prescriptions:
        dose = facts.dose_on(day)
        if dose is None:
            continue
        if facts.dose_item == METHADONE and dose.reported is not None:
            methadone += dose.reported
        if facts.dose_item == BUPRENORPHINE and dose.reported is not None:
            buprenorphine += dose.reported
        if facts.supervision_asked:
            supervision.append(dose.supervision)
    # supervised at every or most dispenses of any of them, or else unsupervised; a record
    # with neither (history from an earlier system) leaves it not applicable, for the check
    state = next((s for s in ("supervised", "unsupervised") if s in supervision), "not_applicable")
    return DailyDose(methadone, buprenorphine, state)
