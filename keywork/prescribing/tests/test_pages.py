"""Prescribing on the web and in the import: the same action and words; the dose history and
today's national figures on the page; prescriptions on the client's timeline."""

import datetime as dt
import html

import pytest

from keywork.core.dates import today
from keywork.core.errors import RuleViolation
from keywork.core.tests.test_import import lines, run
from keywork.prescribing.models import DoseChange, Prescription
from keywork.prescribing.tests.test_prescribing import ml, prescribe

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
NEW = "/clients/T0001/prescribing/new/"
START = today() - 10 * DAY


def form(prescriber, **changes) -> dict:
    data = {
        "medication": "rx.methadone-oral",
        "regime": "maintenance",
        "where": "community",
        "prescriber": prescriber.pk,
        "prescriber_elsewhere": "",
        "started_on": START.isoformat(),
        "amount": "60",
        "unit": "ml",
        "strength_mg_per_ml": "",
        "supervision": "supervised",
    }
    data.update(changes)
    return data


def line(**changes) -> dict:
    data = {
        "action": "start_prescription",
        "client": "T0001",
        "medication": "rx.methadone-oral",
        "regime": "maintenance",
        "prescriber": "nia.prescriber",
        "started_on": str(START),
        "daily_dose": 60,
        "unit": "ml",
        "supervision": "supervised",
    }
    data.update(changes)
    return data


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("kwargs", "form_changes", "line_changes"),
    [
        (
            {"dose": ml("16", strength="20")},
            {"amount": "16", "strength_mg_per_ml": "20"},
            {"daily_dose": 16, "strength_mg_per_ml": 20},
        ),
        (
            {"dose": ml("60", "not_applicable")},
            {"supervision": "not_applicable"},
            {"supervision": "not_applicable"},
        ),
        (
            {"regime": "relapse_prevention"},
            {"regime": "relapse_prevention"},
            {"regime": "relapse_prevention"},
        ),
    ],
    ids=["R7 implausible dose", "R7 supervision", "R7 regime"],
)
def test_the_form_and_the_import_refuse_in_the_actions_words(
    client, personas, prescriber, tmp_path, kwargs, form_changes, line_changes
):
    with pytest.raises(RuleViolation) as caught:
        prescribe(personas, prescriber, started_on=START, **kwargs)
    refusal = caught.value
    client.force_login(personas.mi_keyworker.user)
    response = client.post(NEW, form(prescriber, **form_changes))
    assert response.status_code == 200
    assert refusal.shown in page(response)
    _, err, failed = run(tmp_path, lines(line(**line_changes)))
    assert err.strip() == f"line 1: {refusal.code}: {refusal.message}" and failed
    assert not Prescription.objects.exists() and not DoseChange.objects.exists()


def test_a_prescription_recorded_on_the_web_shows_its_history_and_todays_figures(
    client, personas, prescriber, tmp_path
):
    client.force_login(personas.mi_keyworker.user)
    assert client.post(NEW, form(prescriber)).status_code == 302
    record = Prescription.objects.get()
    _, err, failed = run(
        tmp_path,
        lines(
            {
                "action": "change_dose",
                "client": "T0001",
                "medication": "rx.methadone-oral",
                "started_on": str(START),
                "from_date": str(today() - 3 * DAY),
                "daily_dose": 7,
                "unit": "ml",
                "strength_mg_per_ml": 10,
                "supervision": "unsupervised",
                "reason": "Moved to the concentrate; picks up weekly",
            }
        ),
    )
    assert err == "" and failed is None
    shown = page(client.get("/clients/T0001/prescribing/"))
    assert "70 ml of 1 mg/ml" in shown and "7 ml of 10 mg/ml" in shown
    assert "Methadone today</dt><dd>70 ml of 1 mg/ml" in shown.replace("\n", "")
    assert "Unsupervised" in shown
    timeline = page(client.get("/clients/T0001/"))
    assert (
        "<strong>Methadone (oral solution)</strong> prescribed (maintenance): 60 ml a day"
        in timeline
    )
    assert "dose changed: 7 ml a day, unsupervised (Moved to the concentrate" in timeline
    dose_url = f"/clients/T0001/prescribing/{record.pk}/dose/"
    refused = page(
        client.post(
            dose_url,
            {
                "from_date": str(today() - DAY),
                "amount": "0",
                "unit": "ml",
                "supervision": "supervised",
                "reason": "x",
            },
        )
    )
    assert "A daily dose on an active prescription is more than 0" in refused
