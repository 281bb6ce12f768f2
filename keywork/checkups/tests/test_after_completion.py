"""Rule 12 as DOMAIN.md now reads it: what seed 003 says is delivered "following successful
completion of structured substance misuse treatment" (psychosocial relapse prevention, mental
health interventions, recovery check-ups) and "prescribing for relapse prevention (post
structured treatment only)" is recorded after a successful completion only, and the national
return carries it like any other intervention, though the episode has ended."""

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from keywork.access.tests.trail import assert_refused
from keywork.checkups import actions as checkups
from keywork.checkups.tests.test_checkups import found, schedule
from keywork.clients import actions as clients
from keywork.clients.models import Episode
from keywork.core.dates import today
from keywork.interventions.actions import InterventionInput, start_intervention
from keywork.interventions.models import Intervention
from keywork.prescribing.actions import DoseInput, PrescriptionInput, start_prescription
from keywork.prescribing.models import Prescription
from keywork.sessions.tests.test_reintegration import reintegrate
from keywork.sessions.tests.test_sessions import content, record
from keywork.sessions.tests.test_sessions import refused as session_refused
from keywork.testing.personas import prescriber

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
RELAPSE_PREVENTION = "rs.relapse-prevention-psychosocial"
MENTAL_HEALTH = "rs.mental-health"


def support(personas: Any, code: str, episode: Episode | None = None) -> Intervention:
    return start_intervention(
        actor=personas.mi_keyworker.user,
        episode=episode or personas.episode,
        given=InterventionInput(
            code=code,
            setting="community",
            started_on=today() - 5 * DAY,
            practitioner=personas.mi_keyworker,
        ),
    )


def naltrexone(personas: Any, nurse: Any, episode: Episode, code="rx.naltrexone.opioid"):
    regime = "relapse_prevention" if "naltrexone" in code else "maintenance"
    dose = (
        DoseInput(amount=Decimal(50), unit="mg", supervision="not_applicable")
        if "naltrexone" in code
        else DoseInput(amount=Decimal(30), unit="ml", supervision="supervised")
    )
    return start_prescription(
        actor=personas.mi_keyworker.user,
        episode=episode,
        given=PrescriptionInput(
            medication=code,
            regime=regime,
            started_on=today() - 4 * DAY,
            dose=dose,
            prescriber=nurse,
        ),
    )


@pytest.mark.parametrize("code", [RELAPSE_PREVENTION, MENTAL_HEALTH])
def test_support_after_completion_is_refused_during_treatment(personas: Any, code: str) -> None:
    """Seed 003: "delivered following successful completion of structured substance misuse
    treatment". In Engagement it is neither an intervention record nor a tick."""
    error = assert_refused("R12", support, personas, code, unchanged=(Intervention,))
    assert error.message.endswith(
        "is delivered following successful completion of structured treatment: record it once "
        "the episode has ended in a successful completion, on or after that day"
    )
    ticked = content(interventions=(code,))
    assert "delivered following successful completion" in (
        session_refused("R12", record, personas, content=ticked).message
    )


def test_after_a_successful_completion_it_is_recorded_as_intervention_and_as_work(
    personas: Any, completed: Episode
) -> None:
    assert support(personas, MENTAL_HEALTH, completed).episode == completed
    done = reintegrate(
        personas,
        personas.mi_keyworker,
        when=timezone.now() - 2 * DAY,
        interventions=(RELAPSE_PREVENTION,),
    )
    assert done.interventions.filter(code=RELAPSE_PREVENTION).exists()


def test_not_after_a_discharge_that_was_not_a_completion(personas: Any) -> None:
    clients.discharge(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=clients.DischargeInput(on=today() - 20 * DAY, exit_reason="dropped_out"),
    )
    personas.episode.refresh_from_db()
    assert_refused("R12", support, personas, RELAPSE_PREVENTION, unchanged=(Intervention,))


def test_relapse_prevention_prescribing_starts_after_a_successful_completion_only(
    personas: Any, completed: Episode
) -> None:
    """Seed 003: "Has the client been provided prescribing for relapse prevention (post
    structured treatment only)? Drug relapse prevention - naltrexone ... Alcohol relapse
    prevention - Acamprosate, oral naltrexone, or disulfiram"."""
    nurse = prescriber("nia.prescriber", personas, "NMC-4")
    made = naltrexone(personas, nurse, completed)
    assert made.started_on > completed.discharged_on
    error = assert_refused(
        "EPISODE",
        naltrexone,
        personas,
        nurse,
        completed,
        "rx.methadone-oral",
        unchanged=(Prescription,),
    )
    assert "only relapse-prevention prescribing after a successful completion" in error.message


def returned(personas: Any, tmp_path: Path) -> list[tuple[str, str, str]]:
    """(record, key, type) of the client's rows in this month's return."""
    clients.update_client_details(
        actor=personas.mi_keyworker.user,
        client=personas.client,
        given=clients.UpdateClientDetailsInput(
            consents_to_national_reporting=True, consent_recorded_on=today() - 60 * DAY
        ),
    )
    out = tmp_path / "return.csv"
    month = today().strftime("%Y-%m")
    said = io.StringIO()
    call_command("export", "ndtms", "--month", month, "--out", str(out), stdout=said)
    checked = io.StringIO()
    with pytest.raises(CommandError):  # the personas lack a postcode and a triage date
        call_command("export", "ndtms", "--month", month, "--check", stdout=checked)
    # support after the completion raises no problem of its own (rule 12 read back)
    assert not [p for p in checked.getvalue().splitlines() if p.startswith(("INT", "SUB"))]
    rows = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    return [
        (r["RECTYPE"], r["INTID"] or r["EPISODID"], r["INTTYPE"] or r["SUBTYPE"] or r["DISRSN"])
        for r in rows
        if r["CLIENTID"] == personas.client.local_id and r["RECTYPE"] != "CLT"
    ]


def test_the_return_carries_support_after_completion_though_the_episode_has_ended(
    personas: Any, tmp_path: Path
) -> None:
    """DOMAIN.md rule 12: "reported like any other intervention". The month after the
    discharge, the return still sends the episode, the relapse-prevention prescribing (RPP, not
    PHARM), the psychosocial relapse prevention (RS/RPS) and the check-ups (RS/RCU)."""
    last_month = today().replace(day=1) - 5 * DAY
    clients.discharge(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=clients.DischargeInput(on=last_month, exit_reason="completed_drug_free"),
    )
    completed = Episode.objects.get(pk=personas.episode.pk)
    nurse = prescriber("nia.prescriber", personas, "NMC-4")
    naltrexone(personas, nurse, completed)
    support(personas, RELAPSE_PREVENTION, completed)
    first = schedule(personas, completed, first_on=today() - 3 * DAY, count=3)[0]
    checkups.record_checkup(
        actor=personas.mi_keyworker.user, checkup=first, given=found(done_on=today() - 2 * DAY)
    )
    key = "T0001-E1"
    assert returned(personas, tmp_path) == [
        ("EPI", key, "80"),
        ("INT", f"{key}-I1", "RS"),
        ("SUB", f"{key}-I1", "RPS"),
        ("INT", f"{key}-P1", "RPP"),
        ("SUB", f"{key}-P1", "RP"),
        ("OST", key, ""),  # naltrexone: methadone 0, buprenorphine 0, supervision NA
        ("INT", f"{key}-C1", "RS"),
        ("SUB", f"{key}-C1", "RCU"),
    ]
