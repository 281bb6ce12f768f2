"""Prescribing through its actions (rule 7), and the daily dose on a date worked by hand."""

import datetime as dt
from decimal import Decimal
from functools import partial

import pytest
from django.utils import timezone

from keywork.access.tests.trail import assert_refused
from keywork.careplans.actions import GoalInput
from keywork.careplans.tests.test_careplans import agree
from keywork.core.dates import today
from keywork.core.inputs import Reason
from keywork.interventions.tests.test_interventions import start as start_intervention
from keywork.prescribing import actions
from keywork.prescribing.actions import DoseInput, PrescriptionInput
from keywork.prescribing.models import DoseChange, Prescription
from keywork.prescribing.queries import daily_dose_on, warning_of
from keywork.prescribing.rules import withdrawal_warning
from keywork.sessions.actions import Appointment, schedule_session

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
D0 = today() - 30 * DAY
SUPERVISED = "supervised"


def ml(amount, supervision=SUPERVISED, strength=None) -> DoseInput:
    return DoseInput(
        amount=Decimal(amount),
        unit="ml",
        supervision=supervision,
        strength_mg_per_ml=Decimal(strength) if strength else None,
    )


def mg(amount, supervision=SUPERVISED) -> DoseInput:
    return DoseInput(amount=Decimal(amount), unit="mg", supervision=supervision)


def prescribe(personas, prescriber, medication="rx.methadone-oral", dose=None, **changes):
    values = {
        "medication": medication,
        "regime": "maintenance",
        "started_on": D0,
        "dose": dose or ml("60"),
        "prescriber": prescriber,
    }
    values.update(changes)
    return actions.start_prescription(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=PrescriptionInput(**values),
    )


def change(personas, prescription, day, dose, reason="Review with the prescriber"):
    return actions.change_dose(
        actor=personas.mi_keyworker.user,
        prescription=prescription,
        given=actions.ChangeDoseInput(from_date=day, dose=dose, reason=reason),
    )


refused = partial(assert_refused, unchanged=(Prescription, DoseChange))


def dose(personas, day):
    found = daily_dose_on(personas.client, day)
    return found.methadone_ml, found.buprenorphine_mg, found.supervision


def test_the_daily_dose_follows_every_change_and_is_0_once_ended(personas, prescriber):
    methadone = prescribe(personas, prescriber)  # 60 ml of 1 mg/ml from D0, supervised
    change(personas, methadone, D0 + 10 * DAY, ml("80"))
    change(personas, methadone, D0 + 15 * DAY, ml("80", "unsupervised"))
    actions.end_prescription(
        actor=personas.mi_keyworker.user,
        prescription=methadone,
        given=actions.EndPrescriptionInput(on=D0 + 20 * DAY),
    )
    assert dose(personas, D0 - DAY) == (0, 0, "not_applicable")
    assert dose(personas, D0) == (60, 0, SUPERVISED)
    assert dose(personas, D0 + 9 * DAY) == (60, 0, SUPERVISED)
    assert dose(personas, D0 + 10 * DAY) == (80, 0, SUPERVISED)
    assert dose(personas, D0 + 15 * DAY) == (80, 0, "unsupervised")
    assert dose(personas, D0 + 19 * DAY) == (80, 0, "unsupervised")
    assert dose(personas, D0 + 20 * DAY) == (0, 0, "not_applicable")  # ended: no longer taken


def test_a_concentrate_is_converted_to_1_mg_per_ml(personas, prescriber):
    # 7 ml of a 10 mg/ml concentrate is 70 mg: 70 ml of the 1 mg/ml solution.
    methadone = prescribe(personas, prescriber, dose=ml("7", strength="10"))
    assert methadone.doses.get().reported_dose == Decimal("70")
    # 4.5 ml of 20 mg/ml is 90 mg: 90 ml equivalent.
    change(personas, methadone, D0 + 5 * DAY, ml("4.5", strength="20"))
    assert dose(personas, D0 + 4 * DAY)[0] == Decimal("70")
    assert dose(personas, D0 + 5 * DAY)[0] == Decimal("90")


def test_buprenorphine_is_in_mg_and_both_medicines_add_up_on_a_day(personas, prescriber):
    prescribe(personas, prescriber, "rx.buprenorphine-naloxone", mg("8"), regime="withdrawal")
    prescribe(
        personas, prescriber, "rx.buprenorphine", mg("4", "unsupervised"), started_on=D0 + 3 * DAY
    )
    assert dose(personas, D0 + 2 * DAY) == (0, 8, SUPERVISED)
    assert dose(personas, D0 + 3 * DAY) == (0, 12, SUPERVISED)  # supervised if any is


def test_supervision_is_not_applicable_if_and_only_if_no_opioid_substitution(personas, prescriber):
    prescribe(
        personas,
        prescriber,
        "rx.acamprosate",
        DoseInput(amount=Decimal("1998"), unit="mg", supervision="not_applicable"),
        regime="relapse_prevention",
    )
    assert dose(personas, D0) == (0, 0, "not_applicable")
    error = refused("R7", prescribe, personas, prescriber, dose=ml("60", "not_applicable"))
    assert "say whether consumption is supervised or unsupervised" in error.message
    error = refused(
        "R7",
        prescribe,
        personas,
        prescriber,
        "rx.disulfiram",
        DoseInput(amount=Decimal("200"), unit="mg", supervision=SUPERVISED),
        regime="relapse_prevention",
    )
    assert "for Disulfiram for alcohol relapse prevention it is not applicable" in error.message


@pytest.mark.parametrize(
    ("given", "says"),
    [
        (ml("0"), "more than 0: to stop it, end the prescription"),
        (ml("-5"), "more than 0"),
        (ml("301"), "301 ml of 1 mg/ml methadone a day is far outside any plausible dose"),
        (ml("16", strength="20"), "320 ml of 1 mg/ml methadone a day is far outside"),
        (ml("5", strength="25"), "a methadone liquid of 25 mg/ml is not made"),
        (mg("60"), "methadone oral solution is recorded in ml a day"),
        (
            DoseInput(amount=None, unit="", supervision=SUPERVISED),
            "record the daily dose of Methadone (oral solution)",
        ),
    ],
)
def test_impossible_methadone_doses_are_refused(personas, prescriber, given, says):
    assert says in refused("R7", prescribe, personas, prescriber, dose=given).message


def test_impossible_buprenorphine_doses_are_refused(personas, prescriber):
    error = refused("R7", prescribe, personas, prescriber, "rx.buprenorphine", mg("33"))
    assert "33 mg of buprenorphine a day is far outside any plausible dose" in error.message
    assert (
        prescribe(personas, prescriber, "rx.buprenorphine", mg("32")).doses.get().reported_dose
        == 32
    )


def test_the_regime_must_be_one_the_medicine_is_prescribed_for(personas, prescriber):
    error = refused(
        "R7",
        prescribe,
        personas,
        prescriber,
        "rx.acamprosate",
        DoseInput(amount=Decimal("1998"), unit="mg", supervision="not_applicable"),
        regime="maintenance",
    )
    assert "is prescribed for relapse prevention, not maintenance" in error.message


def test_a_long_withdrawal_is_allowed_with_a_warning(personas, prescriber):
    community = prescribe(personas, prescriber, regime="withdrawal", started_on=today() - 60 * DAY)
    assert warning_of(community) == ""  # 60 days: within 12 weeks
    inpatient = prescribe(
        personas,
        prescriber,
        "rx.chlordiazepoxide",
        DoseInput(amount=Decimal("80"), unit="mg", supervision="not_applicable"),
        regime="withdrawal",
        where="inpatient",
        started_on=today() - 30 * DAY,
    )
    assert warning_of(inpatient) == (
        "Withdrawal for 30 days: longer than the usual 28 days as an inpatient."
    )


def test_a_withdrawal_past_12_weeks_in_the_community_is_warned():
    assert (
        withdrawal_warning(
            regime="withdrawal", where="community", started_on=today() - 90 * DAY, until=today()
        )
        == "Withdrawal for 90 days: longer than the usual 12 weeks in the community."
    )
    assert (
        withdrawal_warning(
            regime="maintenance", where="community", started_on=today() - 900 * DAY, until=today()
        )
        == ""
    )


def test_a_dose_change_on_the_day_a_prescription_ends(personas, prescriber):
    methadone = prescribe(personas, prescriber)
    user = personas.mi_keyworker.user
    change(personas, methadone, D0 + 10 * DAY, ml("50"))
    error = refused(
        "R7",
        actions.end_prescription,
        actor=user,
        prescription=methadone,
        given=actions.EndPrescriptionInput(on=D0 + 10 * DAY),
    )
    assert "ends after it" in error.message
    actions.end_prescription(
        actor=user, prescription=methadone, given=actions.EndPrescriptionInput(on=D0 + 11 * DAY)
    )
    error = refused("R7", change, personas, methadone, D0 + 11 * DAY, ml("40"))
    assert "no dose is taken from then" in error.message
    assert dose(personas, D0 + 10 * DAY)[0] == 50 and dose(personas, D0 + 11 * DAY)[0] == 0


def test_a_dose_change_keeps_its_history_and_needs_a_reason(personas, prescriber):
    methadone = prescribe(personas, prescriber)
    refused("R7", change, personas, methadone, D0 + 5 * DAY, ml("70"), reason=" ")
    refused("R7", change, personas, methadone, D0, ml("70"))  # the start's own dose
    change(personas, methadone, D0 + 5 * DAY, ml("70"))
    refused("R7", change, personas, methadone, D0 + 5 * DAY, ml("75"))  # one change a day
    assert [d.reported_dose for d in methadone.doses.all()] == [60, 70]


def test_a_prescriber_needs_a_registration_or_is_named_outside_the_service(personas, prescriber):
    error = refused("R4", prescribe, personas, personas.mi_keyworker)
    assert error.suggestion is not None
    gp = prescribe(personas, None, prescriber_elsewhere="Dr Example, Northbrook GP (shared care)")
    assert gp.prescriber is None and gp.prescriber_elsewhere.startswith("Dr Example")
    refused("INVALID", prescribe, personas, None)


def test_a_prescription_and_other_structured_treatment_do_not_overlap(personas, prescriber):
    goals = tuple(
        GoalInput(domain=d, description=d, milestones=("x",))
        for d in ("substance_use", "physical_health", "legal", "housing")
    )
    agree(personas, goals=goals, agreed_on=today() - 40 * DAY)
    schedule_session(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=Appointment(starts_at=timezone.now() + DAY),
    )
    methadone = prescribe(personas, prescriber, started_on=today() - 20 * DAY)
    error = refused(
        "R6",
        start_intervention,
        personas,
        "nat.other-structured-treatment",
        planned_sessions=None,
        started_on=today() - 5 * DAY,
    )
    assert "cannot overlap Methadone (oral solution)" in error.message
    actions.end_prescription(
        actor=personas.mi_keyworker.user,
        prescription=methadone,
        given=actions.EndPrescriptionInput(on=today() - 5 * DAY),
    )
    start_intervention(
        personas,
        "nat.other-structured-treatment",
        planned_sessions=None,
        started_on=today() - 5 * DAY,
    )
    refused("R6", prescribe, personas, prescriber, started_on=today() - 2 * DAY)


def test_a_prescription_in_error_no_longer_counts(personas, prescriber):
    methadone = prescribe(personas, prescriber)
    actions.mark_prescription_in_error(
        actor=personas.mi_keyworker.user,
        prescription=methadone,
        given=Reason(reason="Wrong client"),
    )
    assert dose(personas, D0) == (0, 0, "not_applicable")
    refused("R13", change, personas, methadone, D0 + DAY, ml("50"))


@pytest.mark.parametrize("medication", ["rx.buprenorphine-depot", "rx.methadone-injection"])
def test_supervision_is_asked_only_of_oral_methadone_and_buprenorphine(
    personas, prescriber, medication
):
    """Seed 003: "If client's OST medication (indicated with a * or #) is currently
    supervised at every or most dispenses record 'Supervised'". Depot buprenorphine and the
    injectable opioids are opioid substitution without a * or #: not applicable."""
    depot = DoseInput(amount=Decimal("100"), unit="mg", supervision=SUPERVISED)
    error = refused("R7", prescribe, personas, prescriber, medication, depot)
    assert error.message.startswith("supervision is recorded for oral methadone and oral")
    assert error.message.endswith("it is not applicable")
    prescribe(
        personas,
        prescriber,
        medication,
        DoseInput(amount=Decimal("100"), unit="mg", supervision="not_applicable"),
    )
    assert dose(personas, D0)[2] == "not_applicable"
    prescribe(personas, prescriber, "rx.buprenorphine", mg("8", "unsupervised"))
    assert dose(personas, D0) == (0, 8, "unsupervised")  # the oral one's, the depot's not asked
