"""One client's record as a FHIR R4 bundle, through `keywork export fhir`: parsed back with
fhir.resources, every resource by its own model, every reference inside the bundle
resolving, the figures as recorded; refused outside the client's team, and audited."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from keywork.audit.models import AuditEvent
from keywork.careplans.tests.test_careplans import agree
from keywork.core.inputs import Reason
from keywork.exports.tests.test_ndtms import month  # noqa: F401  (a fixture)
from keywork.measures.tests.test_qs6 import FOCUS, seen
from keywork.prescribing.tests.conftest import prescriber  # noqa: F401  (a fixture)
from keywork.referrals import actions as referrals
from keywork.referrals.tests.test_referrals import refer

pytestmark = pytest.mark.django_db


def exported(tmp_path, client_id: str, *more: str) -> dict:
    out = tmp_path / "record.json"
    call_command(
        "export", "fhir", "--client", client_id, "--out", str(out), *more, stdout=io.StringIO()
    )
    found = json.loads(out.read_text(encoding="utf-8"))
    Bundle.model_validate(found)
    for entry in found["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return found


def by_type(found: dict) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for entry in found["entry"]:
        grouped.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return grouped


def references(value) -> list[str]:
    if isinstance(value, dict):
        inner = [r for v in value.values() for r in references(v)]
        return [value["reference"], *inner] if "reference" in value else inner
    if isinstance(value, list):
        return [r for v in value for r in references(v)]
    return []


def test_a_record_with_prescribing_support_and_outcomes_parses_as_recorded(month, tmp_path):  # noqa: F811
    found = exported(tmp_path, "T0101")
    assert found["type"] == "collection"
    resources = by_type(found)
    patient = resources["Patient"][0]
    assert (patient["id"], patient["birthDate"], patient["gender"]) == (
        "T0101",
        "1985-05-01",
        "female",
    )
    assert patient["meta"]["tag"][0]["code"] == "HTEST"  # synthetic, and labelled so
    assert resources["Consent"][0]["provision"]["type"] == "permit"
    assert resources["EpisodeOfCare"][0]["period"] == {"start": "2026-02-02"}
    request = resources["MedicationRequest"][0]
    doses = [d["doseAndRate"][0]["doseQuantity"] for d in request["dosageInstruction"]]
    assert doses == [{"value": 40.0, "unit": "ml"}, {"value": 50.0, "unit": "ml"}]
    assert [p["code"]["coding"][0]["code"] for p in resources["Procedure"]] == ["rs.peer-support"]
    profile = {c["code"]["text"]: c for c in resources["Observation"][0]["component"]}
    assert profile["Days used in the past 28: Opiates (illicit)"]["valueInteger"] == 20
    assert profile["Days injected"]["valueInteger"] == 12
    assert profile["An acute housing problem now"]["valueBoolean"] is True


def test_care_plan_goals_sessions_and_referrals_link_up_inside_the_bundle(personas, tmp_path):
    agree(personas)
    seen(personas, personas.mi_keyworker, 3, FOCUS)
    refer(personas)
    mistaken = refer(personas, destination="ref.financial-legal", agency="Citizens Advice")
    referrals.mark_referral_in_error(
        actor=personas.mi_keyworker.user, referral=mistaken, given=Reason(reason="Wrong client")
    )
    found = exported(tmp_path, "T0001")
    resources = by_type(found)
    plan = resources["CarePlan"][0]
    assert plan["status"] == "active" and len(plan["goal"]) == len(resources["Goal"]) > 0
    encounter = next(e for e in resources["Encounter"] if e["status"] == "finished")
    assert encounter["participant"][0]["individual"]["identifier"]["value"] == "mia.trained"
    delivered = [p for p in resources["Procedure"] if "encounter" in p]
    assert delivered[0]["code"]["coding"][0]["code"] == FOCUS
    statuses = {r["id"]: r["status"] for r in resources["ServiceRequest"]}
    assert sorted(statuses.values()) == ["active", "entered-in-error"]  # kept, as recorded
    assert resources["ServiceRequest"][0]["code"]["text"].startswith("Referral to ")
    present = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in found["entry"]}
    assert set(references(found)) <= present  # nothing points outside the bundle


def test_the_export_is_refused_outside_the_team_and_audited_inside_it(personas, tmp_path):
    with pytest.raises(CommandError, match="ACCESS: you cannot see this client's record"):
        exported(tmp_path, "T0001", "--as", "oli.other")
    assert not AuditEvent.objects.filter(what="FHIR export").exists()
    exported(tmp_path, "T0001", "--as", "kit.plain")
    read = AuditEvent.objects.get(what="FHIR export")
    assert read.client == personas.client and read.actor == personas.keyworker.user
    with pytest.raises(CommandError, match="--client: no client 'T9999'"):
        exported(tmp_path, "T9999")


def test_maps_and_recovery_capital_are_documents_and_questionnaire_answers(personas, tmp_path):
    import base64

    from keywork.maps.tests.test_maps import BOXES, save, start
    from keywork.recovery.tests.test_recovery import take

    first = seen(personas, personas.mi_keyworker, 3, FOCUS)
    the_map = start(personas, attendance=first.pk, title="Sundays")
    save(personas, the_map, nodes=BOXES, note="In Sam's words")
    take(personas)
    wrong = take(personas, stage="review", days_ago=2, mo_1=0)
    from keywork.recovery import actions as recovery

    recovery.mark_check_in_error(
        actor=personas.mi_keyworker.user, check=wrong, given=Reason(reason="Wrong client")
    )
    found = exported(tmp_path, "T0001")
    resources = by_type(found)
    documents = {d["id"]: d for d in resources["DocumentReference"]}
    old, new = documents[f"map-{the_map.pk}-1"], documents[f"map-{the_map.pk}-2"]
    assert (old["status"], new["status"]) == ("superseded", "current")
    assert new["relatesTo"][0]["target"]["reference"] == f"DocumentReference/map-{the_map.pk}-1"
    assert old["context"]["encounter"][0]["reference"] == f"Encounter/session-{first.pk}"
    svg = base64.b64decode(new["content"][0]["attachment"]["data"]).decode()
    assert svg.startswith("<svg") and "Walk the dog with Sam" in svg
    assert new["content"][0]["attachment"]["contentType"] == "image/svg+xml"
    [questionnaire] = resources["Questionnaire"]
    assert len(questionnaire["item"]) == 10 and questionnaire["version"] == "1"
    answers = resources["QuestionnaireResponse"]
    assert [r["status"] for r in answers] == ["completed", "entered-in-error"]
    assert answers[0]["questionnaire"] == questionnaire["url"] + "|1"
    money = next(i for i in answers[1]["item"] if i["linkId"] == "money")
    assert money["item"][0]["answer"][0]["valueCoding"]["display"] == "Not at all true"
    present = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in found["entry"]}
    assert set(references(found)) <= present
