"""The only writers of prescriptions: start one with its first dose, change the dose from a
date (the history is kept), end it, mark it entered in error."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
from keywork.core.records import (
    check_version,
    lock,
    refuse_if_in_error,
)
from keywork.core.writes import action
from keywork.interventions import actions as interventions
from keywork.prescribing import rules
from keywork.prescribing.models import DoseChange, Prescription, Regime, Where
from keywork.prescribing.rules import DoseInput, Medicine

Verb = AuditEvent.Verb


@dataclass(frozen=True)
class PrescriptionInput:
    medication: str  # a catalogue code, rx.*
    regime: str
    started_on: dt.date
    dose: DoseInput
    where: str = Where.COMMUNITY
    prescriber: Worker | None = None
    prescriber_elsewhere: str = ""


def medicine_of(entry: Entry) -> Medicine:
    attributes = entry.attributes
    return Medicine(
        name=entry.name,
        dose_item=attributes.get("dose_item"),
        opioid_substitution=bool(attributes.get("opioid_substitution")),
        regimes=tuple(attributes.get("regimes", [])),
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


@action
def change_dose(
    *,
    actor: Actor,
    prescription: Prescription,
    from_date: dt.date,
    dose: DoseInput,
    reason: str,
    expected_version: int | None = None,
) -> DoseChange:
    """A new daily dose (or supervision) from a date; the earlier ones stay in the history."""
    _may_record(actor, prescription.episode)
    lock(prescription)
    if expected_version is not None:
        check_version(
            expected=expected_version,
            current=prescription_version(prescription),
            what="This prescription",
            theirs=lambda: {
                f"From {uk(d.from_date)}": f"{d.reported_dose} ({d.get_supervision_display()})"
                for d in prescription.doses.order_by("from_date")
            },
        )
    _live(prescription)
    rules.check_dose_change(
        from_date=from_date,
        started_on=prescription.started_on,
        ended_on=prescription.ended_on,
        today=today(),
        taken=prescription.doses.filter(from_date=from_date).exists(),
        reason=reason,
    )
    change = _checked_dose(medicine_of(prescription.medication), dose)
    change.prescription, change.from_date = prescription, from_date
    change.reason, change.recorded_by = reason, user_or_none(actor)
    change.save()
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=prescription.episode.client,
        obj=prescription,
        detail={"from": from_date.isoformat(), "reported": str(change.reported_dose)},
    )
    return change


@action
def end_prescription(
    *, actor: Actor, prescription: Prescription, on: dt.date, reason: str = ""
) -> Prescription:
    """Stop the prescription: from `on` it is no longer taken, and its dose is 0."""
    _may_record(actor, prescription.episode)
    _live(prescription)
    last = prescription.doses.order_by("-from_date").values_list("from_date", flat=True).first()
    rules.check_end(
        on=on,
        started_on=prescription.started_on,
        last_change=last or prescription.started_on,
        today=today(),
        ended=prescription.ended_on is not None,
    )
    prescription.ended_on, prescription.end_reason = on, reason
    prescription.save(update_fields=["ended_on", "end_reason"])
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=prescription.episode.client,
        obj=prescription,
        detail={"ended_on": on.isoformat()},
    )
    return prescription


@action
def mark_prescription_in_error(
    *, actor: Actor, prescription: Prescription, reason: str
) -> Prescription:
    _may_record(actor, prescription.episode)
    mark_in_error_and_audit(
        actor,
        prescription,
        what="prescription",
        client=prescription.episode.client,
        reason=reason,
    )
    return prescription
