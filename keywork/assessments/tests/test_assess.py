"""The comprehensive assessment through its action: every risk rated, reassessments kept."""

import datetime as dt
from functools import partial
from typing import Any

import pytest

from keywork.access.tests.trail import assert_refused
from keywork.assessments import actions
from keywork.assessments.actions import AssessmentInput, NeedInput
from keywork.assessments.models import Assessment, Need
from keywork.audit.models import AuditEvent
from keywork.core.dates import today
from keywork.core.errors import RuleViolation

pytestmark = pytest.mark.django_db

NO_RISK = {
    "risk_to_self": "none",
    "risk_to_others": "none",
    "risk_from_others": "none",
    "risk_overdose": "none",
    "risk_blood_borne": "none",
}


def assessment(**changes) -> AssessmentInput:
    values: dict[str, Any] = {
        "assessed_on": today() - dt.timedelta(days=20),
        "sections": {"substance_use": "Heroin daily, crack at weekends.", "housing": "Sofa."},
        "risks": {**NO_RISK, "risk_overdose": "high"},
        "strengths": ("Close to a sister", "Wants to work again"),
        "needs": (NeedInput(domain="housing", description="No settled address"),),
    }
    values.update(changes)
    return AssessmentInput(**values)


def assess(personas, **changes) -> Assessment:
    return actions.assess(
        actor=personas.mi_keyworker.user, episode=personas.episode, given=assessment(**changes)
    )


refused = partial(assert_refused, unchanged=(Assessment, Need))


def test_an_assessment_records_sections_risks_strengths_and_needs(personas):
    made = assess(personas)
    assert made.assessed_by == personas.mi_keyworker and made.housing == "Sofa."
    assert made.flags == "Overdose"
    assert made.strengths == ["Close to a sister", "Wants to work again"]
    assert [str(n) for n in made.needs.all()] == ["Housing: No settled address"]
    assert AuditEvent.objects.filter(what="assess", client=personas.client).exists()


def test_a_reassessment_keeps_the_earlier_one_as_it_was(personas):
    first = assess(personas)
    second = assess(
        personas,
        assessed_on=today(),
        risks=NO_RISK,
        safeguarding_concern=True,
        safeguarding_detail="Two children; social worker involved.",
        dependent_children=2,
    )
    first.refresh_from_db()
    assert first.flags == "Overdose" and second.flags == "Safeguarding"
    assert list(personas.episode.assessments.all()) == [first, second]


def test_every_risk_area_must_be_rated(personas):
    error = refused("INVALID", assess, personas, risks={**NO_RISK, "risk_to_self": ""})
    assert error.field == "risk_to_self" and "rate risk to self" in error.message


def test_a_safeguarding_concern_must_be_described(personas):
    error = refused("INVALID", assess, personas, risks=NO_RISK, safeguarding_concern=True)
    assert error.field == "safeguarding_detail"


def test_it_refuses_a_future_date_and_a_need_with_no_domain(personas):
    refused("INVALID", assess, personas, assessed_on=today() + dt.timedelta(days=1))
    error = refused(
        "INVALID", assess, personas, needs=(NeedInput(domain="weather", description="Rain"),)
    )
    assert "'weather' is not a life domain" in error.message


def test_only_the_clients_team_assesses(personas):
    with pytest.raises(RuleViolation) as caught:
        actions.assess(
            actor=personas.other_keyworker.user, episode=personas.episode, given=assessment()
        )
    assert caught.value.code == "ACCESS" and not Assessment.objects.exists()
