"""The only writers of prescriptions: start one with its first dose, change the dose from a
date (the history is kept), end it, mark it entered in error."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from keywork.access.models import Worker
from keywork.access.queries import check_competent
from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.audit.trail import mark_in_error_and_audit
from keywork.catalogue.models import Entry
from keywork.clients import policies
from keywork.clients.models import Episode
from keywork.core.actors import Actor, user_or_none
from keywork.core.dates import today, uk
from keywork.core.errors import AccessDenied, RuleViolation, invalid
from keywork.core.inputs import Reason, about, version
from keywork.core.records import (
    check_version,
    lock,
    refuse_if_in_error,
)
from keywork.core.writes import action
from keywork.interventions import actions as interventions
from keywork.prescribing import rules
from keywork.prescribing.models import DoseChange, Prescription, Regime, Supervision, Unit, Where
from keywork.prescribing.rules import Medicine

Verb = AuditEvent.Verb


@dataclass(frozen=True, kw_only=True)
class DoseInput:
    """A daily dose as prescribed: the amount, its unit, the strength of a methadone liquid,
    and whether consumption is supervised."""

    amount: Decimal | None = about(
        "the daily dose (required for methadone and buprenorphine)", default=None, line="daily_dose"
    )
    unit: str = about(
        "its unit: `ml` for methadone oral solution, `mg` for buprenorphine",
        default="",
        choices=Unit,
    )
    supervision: str = about(
        "supervised consumption (`not_applicable` for a medicine that is not opioid substitution)",
        default="",
        choices=Supervision,
    )
    strength_mg_per_ml: Decimal | None = about(
        "the strength of a methadone concentrate", default=None
    )


@dataclass(frozen=True, kw_only=True)
class PrescriptionInput:
    """A prescription: the medicine, what for, from when, its first dose and who prescribes."""

    medication: str = about("the medicine (a catalogue `rx.*` code)")
    regime: str = about(
        "what it is prescribed for: one the medicine is prescribed for", choices=Regime
    )
    started_on: dt.date = about("the day it starts")
    dose: DoseInput = about("the first dose", flat=True)
    where: str = about("where it is taken", default=Where.COMMUNITY, choices=Where)
    prescriber: Worker | None = about(
        "the prescriber (or `prescriber_elsewhere`), registered for it", default=None
    )
    prescriber_elsewhere: str = about("a prescriber outside the service", default="")


def medicine_of(entry: Entry) -> Medicine:
    """What the rules need to know of a medicine, from its catalogue entry."""
    attributes = entry.attributes
    return Medicine(
        name=entry.name,
        dose_item=attributes.get("dose_item"),
        regimes=tuple(attributes.get("regimes", [])),
        supervision_asked=rules.supervision_asked(attributes),
    )


def _medication(code: str) -> Entry:
    found = Entry.objects.filter(code=code, kind=Entry.Kind.MEDICATION).first()
    if found is None:
        raise RuleViolation(
            "R3", f"medication: '{code}' is not a medicine in the catalogue", field="medication"
        )
    if not found.offered:
        raise RuleViolation(
            "R3", f"medication: '{code}' is retired from the catalogue", field="medication"
        )
    return found


def relapse_prevention_medicines() -> set[str]:
    """The medicines seed 003 names for "prescribing for relapse prevention (post structured
    treatment only)": naltrexone for drugs; acamprosate, oral naltrexone or disulfiram for
    alcohol (the catalogue's relapse-prevention prescribing definitions)."""
    found = Entry.objects.offered().filter(group="relapse_prevention_prescribing")
    return {code for e in found for code in e.attributes.get("medications", [])}


def _may_record(actor: Actor, episode: Episode) -> None:
    if not policies.can_work_with(actor, episode):
        raise AccessDenied("only keyworkers in the client's team record its prescribing")


def _checked_dose(medicine: Medicine, dose: DoseInput) -> DoseChange:
    rules.check_supervision(medicine, dose.supervision)
    reported = rules.reported_dose(medicine, dose)
    return DoseChange(
        amount=dose.amount,
        unit=dose.unit if dose.amount is not None else "",
        strength_mg_per_ml=dose.strength_mg_per_ml
        if medicine.dose_item == rules.METHADONE
        else None,
        reported_dose=reported,
        supervision=dose.supervision,
    )


@action
def start_prescription(*, actor: Actor, episode: Episode, given: PrescriptionInput) -> Prescription:
    """Record a prescription and its starting dose (rule 7). The prescriber is a registered
    worker of the service (rule 4), or named when outside it (shared care with a GP)."""
    _may_record(actor, episode)
    entry = _medication(given.medication)
    medicine = medicine_of(entry)
    if given.where not in Where.values:
        raise invalid("where", f"choose one of {', '.join(Where.values)}")
    rules.check_regime(medicine, given.regime, dict(Regime.choices))
    if (given.prescriber is None) == (not given.prescriber_elsewhere.strip()):
        raise invalid(
            "prescriber", "name the prescriber, or the prescriber outside the service (not both)"
        )
    rules.check_dates(
        started_on=given.started_on,
        referral_date=episode.referral_date,
        discharged_on=episode.discharged_on,
        today=today(),
        after_completion=episode.completed
        and given.regime == Regime.RELAPSE_PREVENTION
        and entry.code in relapse_prevention_medicines(),
    )
    if given.prescriber is not None:
        check_competent(given.prescriber, entry, given.started_on)
    first = _checked_dose(medicine, given.dose)
    interventions.check_exclusive_with_other_structured(episode, entry.name, given.started_on, None)
    prescription = Prescription.objects.create(
        episode=episode,
        medication=entry,
        regime=given.regime,
        where=given.where,
        prescriber=given.prescriber,
        prescriber_elsewhere=given.prescriber_elsewhere.strip(),
        started_on=given.started_on,
        recorded_by=user_or_none(actor),
    )
    first.prescription, first.from_date = prescription, given.started_on
    first.recorded_by, first.reason = user_or_none(actor), "Starting dose"
    first.save()
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        client=episode.client,
        obj=prescription,
        detail={
            "medication": entry.code,
            "regime": given.regime,
            "reported": str(first.reported_dose),
        },
    )
    return prescription


def _live(prescription: Prescription) -> None:
    refuse_if_in_error(prescription, "prescription")


def prescription_version(prescription: Prescription) -> int:
    """Every change the prescription has had: doses, its end, marked in error."""
    doses = DoseChange.objects.filter(prescription=prescription).count()
    return doses + (prescription.ended_on is not None) + prescription.in_error


@dataclass(frozen=True, kw_only=True)
class ChangeDoseInput:
    """A new daily dose (or supervision) from a day, and why."""

    from_date: dt.date = about("the first day of the new dose")
    dose: DoseInput = about("the new dose", flat=True)
    reason: str = about("why it changes", default="")
    expected_version: int | None = version()


@action
def change_dose(*, actor: Actor, prescription: Prescription, given: ChangeDoseInput) -> DoseChange:
    """A new daily dose (or supervision) from a date; the earlier ones stay in the history."""
    _may_record(actor, prescription.episode)
    lock(prescription)
    if given.expected_version is not None:
        check_version(
            expected=given.expected_version,
            current=prescription_version(prescription),
            what="This prescription",
            theirs=lambda: {
                f"From {uk(d.from_date)}": f"{d.reported_dose} ({d.get_supervision_display()})"
                for d in prescription.doses.order_by("from_date")
            },
        )
    _live(prescription)
    rules.check_dose_change(
        from_date=given.from_date,
        started_on=prescription.started_on,
        ended_on=prescription.ended_on,
        today=today(),
        taken=prescription.doses.filter(from_date=given.from_date).exists(),
        reason=given.reason,
    )
    change = _checked_dose(medicine_of(prescription.medication), given.dose)
    change.prescription, change.from_date = prescription, given.from_date
    change.reason, change.recorded_by = given.reason, user_or_none(actor)
    change.save()
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=prescription.episode.client,
        obj=prescription,
        detail={"from": given.from_date.isoformat(), "reported": str(change.reported_dose)},
    )
    return change


@dataclass(frozen=True, kw_only=True)
class EndPrescriptionInput:
    """The end of a prescription."""

    on: dt.date = about("the first day it is no longer taken", line="ended_on")
    reason: str = about("why it ends", default="")


@action
def end_prescription(
    *, actor: Actor, prescription: Prescription, given: EndPrescriptionInput
) -> Prescription:
    """Stop the prescription: from `on` it is no longer taken, and its dose is 0."""
    _may_record(actor, prescription.episode)
    _live(prescription)
    last = prescription.doses.order_by("-from_date").values_list("from_date", flat=True).first()
    rules.check_end(
        on=given.on,
        started_on=prescription.started_on,
        last_change=last or prescription.started_on,
        today=today(),
        ended=prescription.ended_on is not None,
    )
    prescription.ended_on, prescription.end_reason = given.on, given.reason
    prescription.save(update_fields=["ended_on", "end_reason"])
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=prescription.episode.client,
        obj=prescription,
        detail={"ended_on": given.on.isoformat()},
    )
    return prescription


@action
def mark_prescription_in_error(
    *, actor: Actor, prescription: Prescription, given: Reason
) -> Prescription:
    """A mistaken record stays, marked, and no longer counts (rule 13)."""
    _may_record(actor, prescription.episode)
    mark_in_error_and_audit(
        actor,
        prescription,
        what="prescription",
        client=prescription.episode.client,
        reason=given.reason,
    )
    return prescription
