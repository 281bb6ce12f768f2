"""The measure as FHIR R4: the Measure, and its MeasureReport as a summary and as a subject
list, each parsed back through fhir.resources (R4B) and carrying the report's numbers."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from fhir.resources.R4B.list import List as FhirList
from fhir.resources.R4B.measure import Measure
from fhir.resources.R4B.measurereport import MeasureReport
from pydantic import BaseModel

from keywork.audit.models import AuditEvent
from keywork.measures.tests.test_qs6 import FOCUS, MI, period, seen
from keywork.measures.tests.test_report import params
from keywork.testing.worker import report_page

pytestmark = pytest.mark.django_db


def report(*args: str) -> dict:
    out = io.StringIO()
    p = period()
    call_command("report", "qs6", "--from", str(p.start), "--to", str(p.end), *args, stdout=out)
    return json.loads(out.getvalue())


def valid(resource: dict, model: type[BaseModel]) -> dict:
    """Parse the resource with fhir.resources and give it back as plain data."""
    return model.model_validate(resource).model_dump(mode="json", exclude_none=True)


def code(concept: dict) -> str:
    return concept["coding"][0]["code"]


def populations(group: dict) -> dict[str, int]:
    return {code(p["code"]): p["count"] for p in group["population"]}


@pytest.fixture
def measured(personas):
    """Two clients with drugs: T0001 counted (MI from mia, her keyworker), T0003 not (a
    colleague's session); T0002 is alcohol only and excluded."""
    from keywork.testing.personas import another_client

    seen(personas, personas.mi_keyworker, 5, MI)
    other = another_client(personas, "T0003", 30)
    seen(personas, personas.keyworker, 4, FOCUS, episode=other)
    return personas


def test_the_summary_report_parses_and_carries_the_numbers_and_strata(measured):
    printed = report("--format", "json", "--include-alcohol-only")
    resource = report("--format", "fhir")
    parsed = valid(resource, MeasureReport)
    assert (parsed["type"], parsed["status"]) == ("summary", "complete")
    assert parsed["measure"].endswith("/Measure/qs6")
    group = parsed["group"][0]
    assert populations(group) == {
        "initial-population": 3,
        "denominator-exclusion": 1,
        "denominator": 2,
        "numerator": 1,
    }
    assert group["measureScore"]["value"] == 0.5
    strata = {code(s["code"][0]): s["stratum"] for s in group["stratifier"]}
    assert set(strata) == {"month", "team", "keyworker", "phase"}
    assert sum(populations(s)["denominator"] for s in strata["keyworker"]) == 2
    assert printed["denominator"] == 3  # with the alcohol-only client, for contrast
    assert "contained" not in resource and "T0003" not in json.dumps(resource)


def test_the_subject_list_names_who_is_counted_and_why_not_and_is_audited(measured):
    before = AuditEvent.objects.filter(what="qs6 report").count()
    parsed = valid(report("--format", "fhir-subject-list"), MeasureReport)
    assert parsed["type"] == "subject-list"
    lists = {c["id"]: valid(c, FhirList) for c in parsed["contained"]}
    refs = {
        code(p["code"]): p["subjectResults"]["reference"]
        for p in parsed["group"][0]["population"]
        if "subjectResults" in p
    }
    assert refs == {"denominator": "#denominator", "numerator": "#numerator"}
    denominator = {e["item"]["reference"]: e.get("flag") for e in lists["denominator"]["entry"]}
    assert set(denominator) == {"Patient/T0001", "Patient/T0003"}
    assert denominator["Patient/T0001"] is None
    assert code(denominator["Patient/T0003"]) == "not_by_keyworker"
    assert [e["item"]["reference"] for e in lists["numerator"]["entry"]] == ["Patient/T0001"]
    assert AuditEvent.objects.filter(what="qs6 report").count() == before + 2


def test_the_measure_definition_parses_and_is_where_the_report_points(measured, client):
    client.force_login(measured.manager.user)
    summary = report_page(client, "/reports/qs6/", params(format="fhir"))
    assert summary["Content-Type"] == "application/fhir+json"
    served = client.get("/fhir/Measure/qs6")
    definition = valid(served.json(), Measure)
    assert definition["url"] == summary.json()["measure"]
    assert code(definition["scoring"]) == "proportion"
    codes = {code(p["code"]) for p in definition["group"][0]["population"]}
    assert codes == {"initial-population", "denominator", "denominator-exclusion", "numerator"}
    printed = io.StringIO()
    call_command("report", "qs6", "--format", "fhir-measure", stdout=printed)
    assert json.loads(printed.getvalue()) == served.json()


def test_a_commissioner_gets_the_summary_and_not_the_subject_list(measured, client):
    client.force_login(measured.commissioner.user)
    summary = report_page(client, "/reports/qs6/", params(format="fhir"))
    assert summary.status_code == 200 and "T000" not in summary.content.decode()
    refused = report_page(client, "/reports/qs6/", params(format="fhir-subject-list"))
    assert refused.status_code == 403
    assert "the subject list names clients" in refused.content.decode()
    with pytest.raises(CommandError, match="ACCESS: the subject list names clients"):
        report("--format", "fhir-subject-list", "--as", "cora.commissioner")
    assert not AuditEvent.objects.filter(what="qs6 report").exists()


def test_a_team_report_names_its_team_as_the_subject(measured):
    parsed = valid(report("--format", "fhir", "--team", "north"), MeasureReport)
    assert parsed["subject"]["type"] == "Group"
    assert parsed["subject"]["identifier"]["value"] == "north"
    assert populations(parsed["group"][0])["denominator"] == 2
