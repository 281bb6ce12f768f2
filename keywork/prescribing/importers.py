"""Import lines for prescribing; each calls the action the web form calls."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from keywork.clients.importers import client_of, open_episode_of, worker
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import Fields, importer
from keywork.prescribing import actions
from keywork.prescribing.actions import PrescriptionInput
from keywork.prescribing.models import Prescription
from keywork.prescribing.rules import DoseInput


def decimal(f: Fields, name: str) -> Decimal | None:
    value = f.data.get(name)
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise invalid(name, f"'{value}' is not a number") from None


def dose(f: Fields) -> DoseInput:
    return DoseInput(
        amount=decimal(f, "daily_dose"),
        unit=f.text("unit", ""),
        supervision=f.text("supervision", ""),
        strength_mg_per_ml=decimal(f, "strength_mg_per_ml"),
    )


def prescription_of(actor: Actor, f: Fields) -> Prescription:
    client = client_of(actor, f)
    code, started_on = f.text("medication"), f.date("started_on")
    found = (
        Prescription.objects.select_related("episode", "medication")
        .filter(episode__client=client, medication__code=code, started_on=started_on)
        .filter(entered_in_error_at=None)
        .first()
    )
    if found is None:
        raise invalid("medication", f"no '{code}' starting {started_on:%d/%m/%Y} for this client")
    return found


@importer("start_prescription")
def start_prescription(actor: Actor, f: Fields) -> object:
    return actions.start_prescription(
        actor=actor,
        episode=open_episode_of(actor, f),
        given=PrescriptionInput(
            medication=f.text("medication"),
            regime=f.text("regime"),
            started_on=f.date("started_on"),
            dose=dose(f),
            where=f.text("where", "community"),
            prescriber=worker(f, "prescriber") if "prescriber" in f.data else None,
            prescriber_elsewhere=f.text("prescriber_elsewhere", ""),
        ),
    )


@importer("change_dose")
def change_dose(actor: Actor, f: Fields) -> object:
    return actions.change_dose(
        actor=actor,
        prescription=prescription_of(actor, f),
        from_date=f.date("from_date"),
        dose=dose(f),
        reason=f.text("reason", ""),
        expected_version=f.optional_number("version"),
    )


@importer("end_prescription")
def end_prescription(actor: Actor, f: Fields) -> object:
    return actions.end_prescription(
        actor=actor,
        prescription=prescription_of(actor, f),
        on=f.date("ended_on"),
        reason=f.text("reason", ""),
    )


@importer("mark_prescription_in_error")
def mark_prescription_in_error(actor: Actor, f: Fields) -> object:
    return actions.mark_prescription_in_error(
        actor=actor, prescription=prescription_of(actor, f), reason=f.text("reason", "")
    )
