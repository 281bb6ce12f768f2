"""Recovery support (rule 8): the need assessed and a goal in the care plan; facilitated
access to mutual aid is an arranged first contact, never a leaflet. Through the action, the
form and the import, in the same words."""

import datetime as dt
import html

import pytest

from keywork.assessments.actions import NeedInput
from keywork.assessments.tests.test_assess import assess
from keywork.careplans.actions import GoalInput
from keywork.careplans.tests.test_careplans import agree
from keywork.core.dates import today
from keywork.core.errors import RuleViolation
from keywork.core.tests.test_import import lines, run
from keywork.interventions.actions import FirstContact
from keywork.interventions.models import Intervention
from keywork.interventions.tests.test_interventions import refused, start
from keywork.interventions.tests.test_pages import NEW, form, line

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
HOUSING = "rs.housing-support"
MUTUAL_AID = "rs.mutual-aid"


def housing(personas, **changes):
    return start(personas, HOUSING, planned_sessions=None, **changes)


def test_housing_support_needs_the_assessed_need_then_a_goal(personas):
    error = refused("R8", housing, personas)
    assert "needs an assessed need for housing: record it in the assessment first" in error.message
    assess(personas, needs=(NeedInput(domain="employment", description="Out of work"),))
    refused("R8", housing, personas)  # a need, but not for housing
    assess(personas, assessed_on=today() - 15 * DAY)  # housing: no settled address
    error = refused("R8", housing, personas)
    assert "needs a care-plan goal for housing: add it to the care plan first" in error.message
    agree(
        personas,
        goals=(
            GoalInput(
                domain="housing", description="A settled home", milestones=("Housing options seen",)
            ),
        ),
    )
    assert housing(personas).entry.code == HOUSING


def test_the_need_must_be_assessed_by_the_start(personas):
    agree(
        personas,
        goals=(GoalInput(domain="housing", description="A settled home", milestones=("x",)),),
    )
    assess(personas, assessed_on=today() - 2 * DAY)
    refused("R8", housing, personas, started_on=today() - 5 * DAY)
    assert housing(personas, started_on=today() - DAY).started_on == today() - DAY


def mutual_aid(personas, contact):
    return start(personas, MUTUAL_AID, planned_sessions=None, first_contact=contact)


def test_mutual_aid_records_the_arranged_first_contact_not_a_leaflet(personas):
    error = refused("R8", mutual_aid, personas, None)
    assert "records the arranged first contact: the group, the date and how" in error.message
    leaflet = FirstContact(group="SMART Recovery, Tuesday", on=today(), support="leaflet")
    error = refused("R8", mutual_aid, personas, leaflet)
    assert "a leaflet is not facilitated access to mutual aid" in error.message
    early = FirstContact(
        group="SMART Recovery, Tuesday", on=today() - 30 * DAY, support="accompanied"
    )
    refused("INVALID", mutual_aid, personas, early)
    done = mutual_aid(
        personas, FirstContact(group="SMART Recovery, Tuesday", on=today(), support="accompanied")
    )
    assert done.first_contact_group == "SMART Recovery, Tuesday"
    assert done.first_contact_support == "accompanied"


def test_rule_8_in_the_same_words_on_the_form_and_in_the_import(client, personas, tmp_path):
    with pytest.raises(RuleViolation) as caught:
        housing(personas)
    error = caught.value
    client.force_login(personas.mi_keyworker.user)
    response = client.post(NEW, form(personas, intervention=HOUSING, planned_sessions=""))
    assert error.shown in html.unescape(response.content.decode())
    imported = line(intervention=HOUSING)
    del imported["planned_sessions"]
    leaflet = {
        **line(intervention=MUTUAL_AID),
        "first_contact": {"group": "AA, Friday", "on": str(today()), "support": "leaflet"},
    }
    del leaflet["planned_sessions"]
    arranged = {**leaflet, "first_contact": {**leaflet["first_contact"], "support": "peer"}}
    _, err, _ = run(tmp_path, lines(imported, leaflet, arranged))
    refusals = err.strip().splitlines()
    assert refusals[0] == f"line 1: R8: {error.message}"
    assert refusals[1].startswith("line 2: R8: a leaflet is not facilitated access")
    assert len(refusals) == 2
    assert Intervention.objects.get().first_contact_support == "peer"


def test_transport_to_the_first_meeting_is_an_arranged_first_contact(personas):
    """DOMAIN.md rule 8: "an actual arranged first contact (a meeting with a member,
    transport or accompaniment to the first session), not a leaflet"."""
    taken = FirstContact(group="NA, Thursday", on=today(), support="transport")
    assert mutual_aid(personas, taken).first_contact_support == "transport"
