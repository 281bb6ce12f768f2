"""Outcome profiles on the web and in the import: the same words, nothing saved; what is due
on the caseload; the chart of change over time on the record."""

import datetime as dt
import html
import json
import re
from decimal import Decimal
from typing import Any

import pytest

from keywork.core.dates import add_months, today
from keywork.core.inputs import Reason
from keywork.core.tests.test_import import lines, on_the_form, run
from keywork.outcomes import actions
from keywork.outcomes.models import OutcomeProfile
from keywork.outcomes.tests.test_outcomes import take

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
NEW = "/clients/T0001/outcomes/new/"


def form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "stage": "start",
        "taken_on": str(today() - 50 * DAY),
        "opiates_days": "24",
        "opiates_amount": "0.5",
        "crack_days": "6",
        "crack_amount": "0.2",
        "injecting_days": "20",
        "shared_equipment": "on",
        "shoplifting_days": "0",
        "selling_drugs_days": "0",
        "psychological_health": "6",
        "physical_health": "8",
        "quality_of_life": "5",
        "paid_work_days": "0",
        "education_days": "0",
        "acute_housing_problem": "on",
    }
    for group in ("alcohol", "cocaine", "amphetamines", "cannabis", "other"):
        data[f"{group}_days"] = "0"
    data.update(changes)
    return data


def line(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "action": "take_outcomes",
        "client": "T0001",
        "stage": "start",
        "taken_on": str(today() - 50 * DAY),
        "use": {"opiates": [24, 0.5], "crack": [6, 0.2]},
        "injecting_days": 20,
        "shared_equipment": True,
        "psychological_health": 6,
        "physical_health": 8,
        "quality_of_life": 5,
        "acute_housing_problem": True,
    }
    data.update(changes)
    return data


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("on_form", "in_line", "code"),
    [
        ({"quality_of_life": "21"}, {"quality_of_life": 21}, "INVALID"),
        ({"alcohol_days": "29", "alcohol_amount": "10"}, {"use": {"alcohol": [29, 10]}}, "INVALID"),
        ({"crack_amount": ""}, {"use": {"opiates": [24, 0.5], "crack": [6, None]}}, "INVALID"),
        ({"stage": "review"}, {"stage": "review"}, "R11"),
    ],
)
def test_a_refusal_reads_the_same_on_the_form_and_in_the_import_and_saves_nothing(
    client: Any, personas: Any, tmp_path: Any, on_form: Any, in_line: Any, code: str
) -> None:
    client.force_login(personas.mi_keyworker.user)
    response = client.post(NEW, form(**on_form))
    assert response.status_code == 200
    _, err, failed = run(tmp_path, lines(line(**in_line)))
    assert err.startswith(f"line 1: {code}: ") and failed
    assert on_the_form(err, response.context["form"]) in page(response)
    assert not OutcomeProfile.objects.exists()


def test_the_form_and_the_import_record_the_same_profile(
    client: Any, personas: Any, tmp_path: Any
) -> None:
    client.force_login(personas.mi_keyworker.user)
    response = client.post(NEW, form())
    assert response.status_code == 302, page(response)
    on_web = OutcomeProfile.objects.get()
    assert on_web.use == {"opiates": [24, "0.5"], "crack": [6, "0.2"]}
    assert on_web.next_due_on == add_months(on_web.taken_on, 6)
    actions.mark_outcomes_in_error(
        actor=personas.mi_keyworker.user, profile=on_web, given=Reason(reason="Twice")
    )
    _, err, failed = run(tmp_path, lines(line()))
    assert err == "" and not failed
    imported = OutcomeProfile.objects.get(entered_in_error_at=None)
    fields = ("use", "injecting_days", "shared_equipment", "quality_of_life", "next_due_on")
    assert [getattr(imported, f) for f in fields] == [getattr(on_web, f) for f in fields]


def test_the_record_charts_the_change_over_time_and_lists_each_profile(
    client: Any, personas: Any
) -> None:
    take(personas)
    take(
        personas,
        stage="review",
        taken_on=today() - 5 * DAY,
        use={"opiates": (4, Decimal("0.2"))},
        injecting_days=0,
        shared_equipment=False,
        psychological_health=12,
        quality_of_life=11,
    )
    client.force_login(personas.mi_keyworker.user)
    record = page(client.get("/clients/T0001/"))
    assert "Outcomes over time" in record and record.count('class="outcome-chart"') == 2
    for item, start, latest in (
        ("Quality of life", 5, 11),
        ("Opiates (illicit)", 24, 4),
        ("Crack cocaine", 6, 0),
        ("Injecting", 20, 0),
    ):  # each chart's figures in its table, for those who cannot see the chart
        assert f'<th scope="row">{item}</th><td>{start}</td><td>{latest}</td>' in record
    found = re.search(r'id="outcome-chart-use"[^>]*>(.*?)</script>', record)
    assert found is not None
    drawn = json.loads(found[1])
    assert drawn["type"] == "line" and drawn["y"]["max"] == 28
    assert {"label": "Injecting", "data": [20, 0]} in drawn["datasets"]
    assert "Outcome profile</strong> (review)" in record
    listing = page(client.get("/clients/T0001/outcomes/"))
    assert "Opiates (illicit): days used</th><td>24</td><td>4</td>" in listing


def test_what_is_due_shows_on_the_caseload_and_filters_it(client: Any, personas: Any) -> None:
    client.force_login(personas.mi_keyworker.user)
    row = re.compile(r"Sam Synthetic.*?</tr>", re.S)

    def caseload(query: str = "") -> str:
        return page(client.get("/" + query))

    referred = personas.episode.referral_date
    assert f"Outcomes due {referred:%d/%m/%Y}" in row.search(caseload()).group(0)
    assert "Sam Synthetic" in caseload("?show=outcomes")
    take(personas, taken_on=today() - 55 * DAY)  # the review falls due in about four months
    assert "Outcomes due" not in row.search(caseload()).group(0)
    assert "Sam Synthetic" not in caseload("?show=outcomes")


def test_a_profile_marked_in_error_stays_struck_through(client: Any, personas: Any) -> None:
    wrong = take(personas)
    client.force_login(personas.mi_keyworker.user)
    url = f"/clients/T0001/outcomes/{wrong.pk}/in-error/"
    assert client.post(url, {"reason": ""}).status_code == 200
    wrong.refresh_from_db()
    assert not wrong.in_error
    assert client.post(url, {"reason": "Another client's answers"}).status_code == 302
    listing = page(client.get("/clients/T0001/outcomes/"))
    assert "Entered in error: Another client's answers" in listing
    assert "Outcomes over time" not in page(client.get("/clients/T0001/"))
