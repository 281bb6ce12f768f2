"""Intervention records on the web and in the import: the same action, the same words, nothing
saved when refused; accepted records shown on the client's timeline."""

import datetime as dt
import html

import pytest

from keywork.careplans.tests.test_careplans import agree
from keywork.core.dates import today
from keywork.core.errors import RuleViolation
from keywork.core.tests.test_import import lines, run
from keywork.interventions.models import Intervention
from keywork.interventions.tests.test_interventions import MI, given, plan_for_both, start

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
NEW = "/clients/T0001/interventions/new/"


def form(personas, **changes) -> dict:
    data = {
        "intervention": MI,
        "setting": "community",
        "practitioner": personas.mi_keyworker.pk,
        "agency": "",
        "started_on": (today() - 5 * DAY).isoformat(),
        "planned_sessions": "6",
        "ended_on": "",
        "exit": "",
        "notes": "",
    }
    data.update(changes)
    return data


def line(**changes) -> dict:
    data = {
        "action": "start_intervention",
        "client": "T0001",
        "intervention": MI,
        "practitioner": "mia.trained",
        "started_on": str(today() - 5 * DAY),
        "planned_sessions": 6,
    }
    data.update(changes)
    return data


def page(response) -> str:
    return html.unescape(response.content.decode())


def refusal_of(personas, **changes) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        start(personas, **changes)
    return caught.value


@pytest.mark.parametrize(
    ("changes", "form_changes", "line_changes"),
    [
        ({"planned_sessions": 1}, {"planned_sessions": "1"}, {"planned_sessions": 1}),
        (
            {"practitioner_name": "keyworker"},
            {"practitioner": "kit"},
            {"practitioner": "kit.plain"},
        ),
        (
            {"started_on": today() + DAY},
            {"started_on": str(today() + DAY)},
            {"started_on": str(today() + DAY)},
        ),
    ],
    ids=["R5 planned sessions", "R4 competence", "a start in the future"],
)
def test_the_form_and_the_import_refuse_in_the_actions_words(
    client, personas, tmp_path, changes, form_changes, line_changes
):
    agree(personas)
    if changes.pop("practitioner_name", None):
        changes["practitioner"] = personas.keyworker
        form_changes["practitioner"] = personas.keyworker.pk
    refusal = refusal_of(personas, **changes)
    client.force_login(personas.mi_keyworker.user)
    response = client.post(NEW, form(personas, **form_changes))
    assert response.status_code == 200
    assert refusal.shown in page(response)
    _, err, failed = run(tmp_path, lines(line(**line_changes)))
    assert err.strip() == f"line 1: {refusal.code}: {refusal.message}" and failed
    assert not Intervention.objects.exists()


def test_rule_6_is_refused_in_the_same_words_on_the_form_and_in_the_import(
    client, personas, tmp_path
):
    plan_for_both(personas)
    start(personas, started_on=today() - 8 * DAY)
    ost = {"intervention": "nat.other-structured-treatment", "planned_sessions": ""}
    refusal = refusal_of(personas, code="nat.other-structured-treatment", planned_sessions=None)
    client.force_login(personas.mi_keyworker.user)
    assert refusal.shown in page(client.post(NEW, form(personas, **ost)))
    imported = line(intervention="nat.other-structured-treatment")
    del imported["planned_sessions"]
    _, err, _ = run(tmp_path, lines(imported))
    assert err.strip() == f"line 1: R6: {refusal.message}"
    assert Intervention.objects.count() == 1


def test_a_recorded_intervention_is_listed_amended_and_on_the_timeline(client, personas, tmp_path):
    agree(personas)
    client.force_login(personas.mi_keyworker.user)
    assert client.post(NEW, form(personas)).status_code == 302
    record = Intervention.objects.get()
    amend = f"/clients/T0001/interventions/{record.pk}/amend/"
    refused = page(client.post(amend, {**form(personas, planned_sessions="8"), "reason": ""}))
    assert "Say why the intervention is being amended. (rule 13)" in refused
    _, err, _ = run(
        tmp_path,
        lines(
            {
                "action": "amend_intervention",
                "client": "T0001",
                "intervention": MI,
                "started_on": str(today() - 5 * DAY),
                "planned_sessions": 8,
            }
        ),
    )
    assert err.strip() == "line 1: R13: say why the intervention is being amended"
    posted = client.post(
        amend, {**form(personas, planned_sessions="8"), "reason": "Two more agreed"}
    )
    assert posted.status_code == 302
    listing = page(client.get("/clients/T0001/interventions/"))
    assert "Motivational interviewing" in listing and "0 of 8" in listing
    assert "Two more agreed (planned sessions 6 → 8)" in listing
    assert "Motivational interventions" in listing  # what it counts as nationally
    timeline = page(client.get("/clients/T0001/"))
    assert "<strong>Motivational interviewing</strong> started with Mia Trained" in timeline


def test_the_import_records_counts_and_ends_an_intervention(personas, tmp_path):
    agree(personas)
    from keywork.interventions.tests.test_interventions import session_with

    attended = session_with(personas, personas.mi_keyworker, 2)
    at = attended.session.starts_at.astimezone().strftime("%Y-%m-%dT%H:%M")
    key = {"client": "T0001", "intervention": MI, "started_on": str(today() - 5 * DAY)}
    _, err, failed = run(
        tmp_path,
        lines(
            line(),
            {"action": "add_intervention_session", **key, "session_at": at},
            {"action": "end_intervention", **key, "ended_on": str(today()), "exit": "planned"},
        ),
    )
    assert err == "" and failed is None
    record = Intervention.objects.get()
    assert list(record.sessions.all()) == [attended] and record.exit == "planned"
    assert given(personas).code == record.entry.code
