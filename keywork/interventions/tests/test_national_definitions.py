"""Catalogue 2026.2: where keywork read its seeds wrongly, one worked fixture each, through
the actions and the national return (docs/catalogue.md quotes each sentence and reading)."""

import csv
import datetime as dt
import io

import pytest
from django import forms
from django.core.management import call_command

from keywork.access import actions as access
from keywork.assessments.actions import NeedInput
from keywork.assessments.tests.test_assess import assess
from keywork.careplans.actions import GoalInput
from keywork.careplans.tests.test_careplans import agree
from keywork.catalogue.models import Entry
from keywork.clients import actions as clients
from keywork.core.dates import today
from keywork.interventions.forms import intervention_choices
from keywork.interventions.tests.test_interventions import refused, start
from keywork.sessions.forms import SessionForm
from keywork.sessions.tests.test_sessions import content, record
from keywork.sessions.tests.test_sessions import refused as session_refused
from keywork.testing.personas import registered

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
STARTED = today() - 5 * DAY


def specialist(personas, *codes: str):
    """The plain keyworker, registered for these specialist entries and supervised."""
    covers = [personas.entry(code) for code in codes]
    return registered(personas.keyworker, "HCPC", "PYL-1", covers)


def returned(personas, tmp_path) -> list[dict[str, str]]:
    """The client's rows in the national return for the month the interventions start (the
    client consenting to it)."""
    clients.update_client_details(
        actor=personas.mi_keyworker.user,
        client=personas.client,
        given=clients.UpdateClientDetailsInput(
            consents_to_national_reporting=True, consent_recorded_on=STARTED
        ),
    )
    out = tmp_path / "return.csv"
    month = STARTED.strftime("%Y-%m")
    call_command("export", "ndtms", "--month", month, "--out", str(out), stdout=io.StringIO())
    rows = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    return [r for r in rows if r["CLIENTID"] == personas.client.local_id]


def types(rows: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [
        (r["RECTYPE"], r["INTTYPE"] or r["SUBTYPE"]) for r in rows if r["RECTYPE"] in ("INT", "SUB")
    ]


def ticks(worker) -> set[str]:
    """What the session form offers this worker to tick."""
    field = SessionForm(worker=worker, phase=None).fields["interventions"]
    assert isinstance(field, forms.ChoiceField)
    return {code for code, _ in field.choices}  # type: ignore[misc]


def offered_names() -> list[str]:
    return [name for _, items in intervention_choices()[1:] for _, name in items]


# -- finding 2: medical treatment is a prescription or a treatment setting ---------------------


@pytest.mark.parametrize(
    "code",
    [
        "spec.opioid-substitution",
        "spec.injectable-opioid-treatment",
        "spec.community-detox",
        "spec.medically-assisted-recovery",
    ],
)
def test_medical_treatment_is_never_a_plain_intervention(personas, code):
    """DOMAIN.md rule 7 (corrected): "Medical treatment (opioid substitution,
    detoxification, inpatient stabilisation) is recorded as prescribing or a treatment
    setting, never as a plain intervention." Seed 003 asks of each opioid medicine its
    "current daily dose" and whether consumption "is currently supervised"."""
    worker = specialist(personas, "spec.medically-assisted-recovery", "spec.community-detox")
    error = refused("R7", start, personas, code, actor=worker, practitioner=worker)
    name = personas.entry(code).name
    assert error.message == (
        f"intervention: {name} is medical treatment: record it as a prescription, with the "
        "medicine, regime, dose and supervision"
    )
    assert name not in offered_names()
    ticked = content(interventions=(code,))
    error = session_refused("R7", record, personas, worker, content=ticked)
    assert "is medical treatment: record it as a prescription" in error.message
    assert code not in ticks(worker)


def test_inpatient_stabilisation_is_a_treatment_setting_returned_as_inpatient(personas, tmp_path):
    """Seed 001 nests "Inpatient assessment & stabilisation" under medically assisted
    recovery; seed 002 names "inpatient treatment" among the settings other structured
    treatment cannot overlap. It is returned as inpatient treatment, delivered inpatient."""
    worker = specialist(personas, "spec.inpatient-stabilisation")
    start(
        personas,
        "spec.inpatient-stabilisation",
        actor=worker,
        practitioner=worker,
        setting="inpatient",
        started_on=STARTED,
    )
    assert types(returned(personas, tmp_path)) == [("INT", "INP")]


# -- finding 3: residential and community rehabilitation ---------------------------------------


def test_rehabilitation_is_residential_or_community_and_returned_as_delivered(personas, tmp_path):
    """Seed 001: "Residential and community rehabilitation." Residential is returned as
    residential rehabilitation (seed 002); community rehabilitation as a structured day
    programme, seed 002's structured community setting (a local reading, to be mapped)."""
    worker = specialist(personas, "spec.rehabilitation")
    code = "spec.rehabilitation"
    error = refused(
        "INVALID", start, personas, code, actor=worker, practitioner=worker, setting="prison"
    )
    assert error.message == (
        "setting: Residential and community rehabilitation is delivered in a community or "
        "residential setting"
    )
    start(
        personas,
        code,
        actor=worker,
        practitioner=worker,
        setting="community",
        started_on=STARTED,
        ended_on=STARTED + DAY,
        exit="planned",
    )
    start(
        personas,
        code,
        actor=worker,
        practitioner=worker,
        setting="residential",
        started_on=STARTED + 2 * DAY,
    )
    assert types(returned(personas, tmp_path)) == [("INT", "SDP"), ("INT", "RES")]


# -- finding 7: family support is non-structured recovery support ------------------------------


def test_keywork_plus_family_support_is_recovery_support_with_an_assessed_family_need(
    personas, tmp_path
):
    """Seed 003 lists "Family support" under "Recovery support interventions -
    non-structured": "Staff have assessed the family support needs of the individual/family";
    its structured family interventions are "social behaviour and network therapy (SBNT),
    community reinforcement approach (CRA), behavioural couples therapy (BCT) and formal
    family therapy". Keywork+ family support (seed 001) is that support, by a trained worker."""
    code = "kwp.family-support"
    access.record_training(
        actor=None,
        worker=personas.mi_keyworker,
        given=access.RecordTrainingInput(
            intervention=personas.entry(code), trained_on=today() - 90 * DAY
        ),
    )
    error = refused("R8", start, personas, code, started_on=STARTED)
    assert "needs an assessed need for family" in error.message
    assess(personas, needs=(NeedInput(domain="family", description="Mum wants to help"),))
    goal = GoalInput(domain="family", description="Mum involved", milestones=("Meet",))
    agree(personas, goals=(goal,))
    start(personas, code, started_on=STARTED)
    assert types(returned(personas, tmp_path)) == [("INT", "RS"), ("SUB", "FAM")]
    names = offered_names()
    assert len(names) == len(set(names)), "two entries offered under one name"
    assert {"Family support", "Family support (Keywork+)"} <= set(names)


# -- finding 9: the smaller ones ---------------------------------------------------------------


@pytest.mark.parametrize("code", ["spec.mutual-aid", "spec.recovery-communities"])
def test_mutual_aid_is_delivered_by_the_group_and_needs_no_registration(personas, tmp_path, code):
    """Seed 003: mutual aid groups "may be based on 12-step principles (such as Alcoholics
    Anonymous ...) or another approach (such as SMART Recovery)": a group outside the
    service, not a registered worker. Facilitating access is the worker's part."""
    worker = specialist(personas, code)
    error = refused("R4", start, personas, code, actor=worker, practitioner=worker)
    assert "is delivered by a group outside the service, not by a worker" in error.message
    made = start(
        personas, code, practitioner=None, agency="SMART Recovery, Testshire", started_on=STARTED
    )
    assert made.agency == "SMART Recovery, Testshire"
    assert (
        types(returned(personas, tmp_path)) == []
    )  # not a national definition: kept, not returned
    assert code not in ticks(worker)


def test_models_of_care_interventions_are_in_the_catalogue(catalogue):
    """Seed 002 names "Coping skills training" among evidence-based psychosocial
    interventions, and "cognitive-analytic therapy, dialectical behaviour therapy, or
    schema-focused therapy for personality disorders" among specialist psychological
    treatments "aimed primarily at the non-drug psychological problem"."""
    reported = dict(
        Entry.objects.offered()
        .filter(source="models-of-care", kind="intervention")
        .values_list("code", "reports_as__code")
    )
    assert reported == {
        "moc.coping-skills-training": "nat.psy.cbt-relapse-prevention",
        "moc.cognitive-analytic-therapy": "nat.psy.coexisting-mental-health",
        "moc.dialectical-behaviour-therapy": "nat.psy.coexisting-mental-health",
        "moc.schema-focused-therapy": "nat.psy.coexisting-mental-health",
    }
    assert Entry.objects.get(code="moc.schema-focused-therapy").tier.code == "specialist"


def test_names_keep_the_seeds_qualifiers_and_multi_agency_work_its_parts(catalogue):
    """Seed 003's headings "Cognitive and behavioural based relapse prevention interventions
    (substance misuse specific)" and "Domestic abuse/violence support"; seed 001's
    "Multi-agency work, including: Safeguarding and family services; Mental health"."""
    names = dict(Entry.objects.offered().values_list("code", "name"))
    assert names["nat.psy.cbt-relapse-prevention"] == (
        "Cognitive and behavioural based relapse prevention interventions "
        "(substance misuse specific)"
    )
    assert names["rs.domestic-abuse-support"] == "Domestic abuse/violence support"
    parts = Entry.objects.filter(parent__code="kwe.engagement.multi-agency")
    assert sorted(parts.values_list("name", flat=True)) == [
        "Multi-agency work: mental health",
        "Multi-agency work: safeguarding and family services",
    ]
