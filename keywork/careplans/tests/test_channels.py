"""Rules 8, 10 and 11 and the assessment's checks, refused in the same words through the
action, the web form and the import, with nothing saved."""

import datetime as dt
import html
from typing import Any

import pytest

from keywork.assessments.models import Assessment
from keywork.careplans.actions import ActionInput, GoalInput
from keywork.careplans.models import CarePlan, Review
from keywork.careplans.tests.test_careplans import agree, review
from keywork.core.dates import today
from keywork.core.errors import RuleViolation
from keywork.core.tests.test_import import lines, run

pytestmark = pytest.mark.django_db
CLIENT = "/clients/T0001/"
DUE = (today() + dt.timedelta(days=7)).isoformat()


def plan_form(**changes) -> dict:
    data = {
        "agreed_on": today().isoformat(),
        "agreed_how": "in_person",
        "goal_1_domain": "substance_use",
        "goal_1_description": "Stop using on top",
        "goal_1_milestones": "Two clean tests\nA month clean",
        "action_1_description": "Book the BBV test",
        "action_1_owner": "keyworker",
        "action_1_due": DUE,
        "action_1_kind": "health_monitoring",
    }
    data.update(changes)
    return data


def plan_line(**changes) -> dict:
    line = {
        "action": "agree_care_plan",
        "client": "T0001",
        "agreed_on": today().isoformat(),
        "agreed_how": "in_person",
        "goals": [
            {
                "domain": "substance_use",
                "description": "Stop using on top",
                "milestones": ["Two clean tests", "A month clean"],
            }
        ],
        "actions": [{"description": "Book the BBV test", "owner": "keyworker", "due_on": DUE}],
    }
    line.update(changes)
    return line


def direct(call, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    return caught.value


def posted(client, personas, url: str, data: dict) -> str:
    client.force_login(personas.mi_keyworker.user)
    response = client.post(url, data)
    assert response.status_code == 200  # shown again with the refusal, not redirected
    return html.unescape(response.content.decode())


def test_the_care_plan_form_and_import_save_a_plan(client, personas, tmp_path):
    client.force_login(personas.mi_keyworker.user)
    response = client.post(CLIENT + "care-plan/new/", plan_form())
    assert response.status_code == 302
    _, err, failed = run(tmp_path, lines(plan_line()))
    assert failed is None and err == ""
    assert [p.version for p in CarePlan.objects.all()] == [1, 2]
    page = client.get(CLIENT + "care-plan/").content.decode()
    assert "Version 2" in page and "Book the BBV test" in page and "Health monitoring" in page


def test_rule_10_an_action_without_an_owner_in_the_same_words_everywhere(
    client, personas, tmp_path
):
    error = direct(
        agree,
        personas,
        agreed_on=today(),
        actions=(ActionInput(description="Book it", owner="", due_on=today()),),
    )
    page = posted(
        client,
        personas,
        CLIENT + "care-plan/new/",
        plan_form(
            action_1_description="Book it", action_1_owner="", action_1_due=today().isoformat()
        ),
    )
    assert error.shown in page
    _, err, failed = run(
        tmp_path,
        lines(
            plan_line(
                actions=[{"description": "Book it", "owner": "", "due_on": today().isoformat()}]
            )
        ),
    )
    assert err.strip() == f"line 1: R10: {error.message}" and failed
    assert not CarePlan.objects.exists()


def test_rule_8_housing_support_without_a_housing_need_in_the_same_words_everywhere(
    client, personas, tmp_path
):
    goal = GoalInput(
        domain="housing",
        description="Settled",
        milestones=("Viewing",),
        interventions=("rs.housing-support",),
    )
    error = direct(agree, personas, agreed_on=today(), goals=(goal,))
    page = posted(
        client,
        personas,
        CLIENT + "care-plan/new/",
        plan_form(
            goal_1_domain="housing",
            goal_1_description="Settled",
            goal_1_milestones="Viewing",
            goal_1_interventions=["rs.housing-support"],
        ),
    )
    assert error.shown in page
    bad = {"domain": "housing", "description": "Settled", "milestones": ["Viewing"]}
    _, err, _ = run(
        tmp_path, lines(plan_line(goals=[{**bad, "interventions": ["rs.housing-support"]}]))
    )
    assert err.strip() == f"line 1: R8: {error.message}"
    assert not CarePlan.objects.exists()


def test_rule_11_a_review_missing_a_milestone_in_the_same_words_everywhere(
    client, personas, tmp_path
):
    plan = agree(personas)
    error = direct(review, personas, plan, leave_out=1)
    first, second = [m for g in plan.goals.all() for m in g.milestones.all()]
    data = {
        "reviewed_on": today().isoformat(),
        "summary": "Using less; keen to keep going.",
        f"progress_{second.pk}": "in_progress",
    }
    page = posted(client, personas, CLIENT + "care-plan/review/", data)
    assert error.shown in page
    line: dict[str, Any] = {
        "action": "review_care_plan",
        "client": "T0001",
        "reviewed_on": today().isoformat(),
        "summary": "Using less; keen to keep going.",
        "progress": [{"milestone": second.description, "progress": "in_progress"}],
    }
    _, err, _ = run(tmp_path, lines(line))
    assert err.strip() == f"line 1: R11: {error.message}"
    assert not Review.objects.exists()
    line["progress"].append({"milestone": first.description, "progress": "achieved"})
    _, err, failed = run(
        tmp_path, lines({**line, "move_to": "preparation", "move_reason": "Ready"})
    )
    assert err == "" and failed is None
    personas.episode.refresh_from_db()
    assert personas.episode.phase.code == "preparation" and Review.objects.count() == 1


def test_an_unrated_risk_is_refused_in_the_same_words_by_the_form_and_the_import(
    client, personas, tmp_path
):
    from keywork.assessments.tests.test_assess import NO_RISK, assess

    with pytest.raises(RuleViolation) as caught:
        assess(personas, risks={**NO_RISK, "risk_overdose": ""})
    data = {"assessed_on": today().isoformat(), "dependent_children": 0, **NO_RISK}
    data["risk_overdose"] = ""
    page = posted(client, personas, CLIENT + "assessments/new/", data)
    assert caught.value.shown in page
    line = {
        "action": "assess",
        "client": "T0001",
        "assessed_on": today().isoformat(),
        "risks": {**NO_RISK, "risk_overdose": ""},
    }
    _, err, _ = run(tmp_path, lines(line))
    assert err.strip() == f"line 1: INVALID: {caught.value.message}"
    assert not Assessment.objects.exists()
    data["risk_overdose"] = "high"
    client.post(CLIENT + "assessments/new/", data)
    _, err, _ = run(
        tmp_path,
        lines(
            {**line, "risks": NO_RISK, "assessed_on": (today() - dt.timedelta(days=1)).isoformat()}
        ),
    )
    assert err == "" and Assessment.objects.count() == 2
    page = client.get(CLIENT + "assessments/").content.decode()
    assert page.count('<th scope="col">') == 3 and "High" in page


def test_the_caseload_flags_risks_and_the_review_date(client, personas):
    from keywork.assessments.tests.test_assess import assess

    client.force_login(personas.mi_keyworker.user)
    page = client.get("/").content.decode()
    assert "No care plan" in page and "Overdose" not in page
    assess(personas)
    plan = agree(
        personas,
        review_due=today() - dt.timedelta(days=1),
        agreed_on=today() - dt.timedelta(days=30),
    )
    page = client.get("/").content.decode()
    assert "Overdose" in page and f"Overdue {plan.review_due:%d/%m/%Y}" in page
    assert "T0001" in client.get("/?show=flagged").content.decode()
    assert "T0001" in client.get("/?show=review").content.decode()
    review(personas, plan)
    page = client.get("/?show=review").content.decode()
    assert "T0001" not in page


def test_the_summary_tells_the_client_who_what_when_and_whats_expected(client, personas):
    agree(personas)
    client.force_login(personas.keyworker.user)
    page = html.unescape(client.get(CLIENT + "summary/").content.decode())
    assert "Your keyworking" in page and personas.mi_keyworker.name in page
    assert "Book the BBV test" in page and "Shelter" in page
    expected = page.split("What is expected of you")[1]
    assert "Go to the Tuesday group" in expected and "Come to your appointments" in expected
