"""Reads of prescribing: the national daily dose and supervision for any date."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch

from keywork.clients.models import Client
from keywork.core.dates import today
from keywork.prescribing import rules
from keywork.prescribing.models import DoseChange, Prescription
from keywork.prescribing.rules import DailyDose, DoseFacts, PrescriptionFacts


def prescriptions_of(client: Client) -> list[Prescription]:
    """The client's prescriptions, every episode, with their dose history (two queries)."""
    return list(
        Prescription.objects.filter(episode__client=client)
        .select_related("medication", "prescriber__user")
        .prefetch_related(Prefetch("doses", DoseChange.objects.order_by("from_date", "pk")))
        .order_by("-started_on", "-pk")
    )


def facts(prescription: Prescription) -> PrescriptionFacts:
    attributes = prescription.medication.attributes
    return PrescriptionFacts(
        started_on=prescription.started_on,
        ended_on=prescription.ended_on,
        dose_item=attributes.get("dose_item"),
        supervision_asked=rules.supervision_asked(attributes),
        doses=tuple(
            DoseFacts(d.from_date, d.reported_dose, d.supervision) for d in prescription.doses.all()
        ),
    )


def daily_dose_on(client: Client, day: dt.date) -> DailyDose:
    """Methadone (ml of 1 mg/ml), buprenorphine (mg) and supervision on a day: 0 and not
    applicable when nothing is prescribed. Entries in error do not count."""
    live = [p for p in prescriptions_of(client) if not p.in_error]
    return rules.daily_dose([facts(p) for p in live], day)


def warning_of(prescription: Prescription) -> str:
    """The visible warning for a withdrawal regime longer than usual, if any."""
    until = prescription.ended_on or today()
    return rules.withdrawal_warning(
        regime=prescription.regime,
        where=prescription.where,
        started_on=prescription.started_on,
        until=until,
    )
