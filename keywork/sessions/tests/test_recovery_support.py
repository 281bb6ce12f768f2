"""Rule 8 on a session as on an intervention record (DOMAIN.md rule 8: "whether it is
recorded as an intervention or ticked on a session"): housing and the other recovery
support need the assessed need and a care-plan goal; facilitated access to mutual aid is an
arranged first contact (an intervention record with the group, the date and how it was
supported), never a tick. Through the action, the form and the import, in the same words."""

import html

import pytest

from keywork.assessments.tests.test_assess import assess
from keywork.careplans.actions import GoalInput
from keywork.careplans.tests.test_careplans import agree
from keywork.core.tests.test_import import lines, run
from keywork.sessions.models import Attendance
from keywork.sessions.tests.test_form import URL, post_data
from keywork.sessions.tests.test_sessions import content, record, refused

pytestmark = pytest.mark.django_db
HOUSING = "rs.housing-support"


def housing_goal(personas) -> None:
    goal = GoalInput(domain="housing", description="A settled home", milestones=("Seen",))
    agree(personas, goals=(goal,))


def test_housing_support_on_a_session_needs_the_assessed_need_and_a_goal(personas):
    ticked = content(interventions=(HOUSING,))
    error = refused("R8", record, personas, content=ticked)
    assert "needs an assessed need for housing: record it in the assessment first" in error.message
    assess(personas)  # housing: no settled address
    error = refused("R8", record, personas, content=ticked)
    assert "needs a care-plan goal for housing: add it to the care plan first" in error.message
    housing_goal(personas)
    assert record(personas, content=ticked).interventions.filter(code=HOUSING).exists()


def test_mutual_aid_is_never_a_tick_on_a_session_and_is_not_offered_there(client, personas):
    error = refused("R8", record, personas, content=content(interventions=("rs.mutual-aid",)))
    assert "is an arranged first contact: record it as an intervention" in error.message
    client.force_login(personas.mi_keyworker.user)
    assert 'value="rs.mutual-aid"' not in client.get(URL).content.decode()
    assert f'value="{HOUSING}"' in client.get(URL).content.decode()  # offered, and checked


def test_the_form_and_the_import_refuse_housing_support_without_a_need_in_the_same_words(
    client, personas, tmp_path
):
    ticked = content(interventions=(HOUSING,))
    error = refused("R8", record, personas, content=ticked)
    client.force_login(personas.mi_keyworker.user)
    response = client.post(URL, post_data(interventions=[HOUSING]))
    assert response.status_code == 200
    assert error.says("interventions") in html.unescape(response.content.decode())
    session = post_data()
    line = {
        "action": "record_session",
        "client": "T0001",
        "starts_at": f"{session['date']}T{session['time']}",
        **{k: list(v) if isinstance(v, tuple) else v for k, v in vars(ticked).items()},
        "next_appointment": {"starts_at": f"{session['next_date']}T10:30"},
    }
    _, err, failed = run(tmp_path, lines(line))
    assert err.strip() == f"line 1: R8: {error.message}" and failed
    assert not Attendance.objects.exists()
