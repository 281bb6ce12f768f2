"""An action of the care plan marked done, once, on the current version; one past its date
and not done is flagged on the caseload and the record, and refused in the same words on the
form and in the import."""

import datetime as dt
import html

import pytest

from keywork.audit.models import AuditEvent
from keywork.careplans import actions
from keywork.careplans.actions import ActionInput
from keywork.careplans.models import PlanAction
from keywork.careplans.tests.test_careplans import agree
from keywork.core.dates import today
from keywork.core.errors import RuleViolation
from keywork.core.tests.test_import import lines, run

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
CLIENT = "/clients/T0001/"


def overdue_plan(personas) -> PlanAction:
    """A plan agreed ten days ago whose one action was due three days ago."""
    agree(
        personas,
        actions=(
            ActionInput(
                description="Book the BBV test", owner="keyworker", due_on=today() - 3 * DAY
            ),
        ),
    )
    return PlanAction.objects.get()


def done(personas, plan_action, on=None) -> PlanAction:
    return actions.complete_plan_action(
        actor=personas.mi_keyworker.user,
        plan_action=plan_action,
        given=actions.ActionDoneInput(done_on=on or today()),
    )


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_an_overdue_action_is_flagged_until_it_is_marked_done(client, personas):
    overdue = overdue_plan(personas)
    client.force_login(personas.mi_keyworker.user)
    row = text(client.get("/?show=actions_overdue"))
    assert "Care-plan action overdue" in row and "Sam Synthetic" in row
    record = text(client.get(CLIENT))
    assert "Action overdue since" in record and "Book the BBV test" in record

    page = text(client.get(CLIENT + "care-plan/"))
    assert "Overdue" in page and "Done today" in page
    response = client.post(
        f"{CLIENT}care-plan/actions/{overdue.pk}/done/", {"done_on": today().isoformat()}
    )
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert overdue.done_on == today() and overdue.done_by == personas.mi_keyworker
    assert AuditEvent.objects.filter(what="complete_plan_action").count() == 1
    assert "Sam Synthetic" not in text(client.get("/?show=actions_overdue"))
    assert "Action overdue since" not in text(client.get(CLIENT))
    assert "Mia Trained" in text(client.get(CLIENT + "care-plan/"))


def test_an_action_is_done_once_on_the_current_plan_and_never_in_the_future(personas):
    first = overdue_plan(personas)
    with pytest.raises(RuleViolation) as future:
        done(personas, first, today() + DAY)
    assert future.value.field == "done_on" and "in the future" in future.value.message
    done(personas, first)
    with pytest.raises(RuleViolation) as again:
        done(personas, first)
    assert again.value.code == "R10" and "already" in again.value.message
    agree(personas)  # a new version: the old one's actions stay as they were
    with pytest.raises(RuleViolation) as old:
        done(personas, PlanAction.objects.get(pk=first.pk))
    assert old.value.code == "R10"


def test_the_form_and_the_import_refuse_a_date_before_the_plan_in_the_same_words(
    client, personas, tmp_path
):
    overdue = overdue_plan(personas)
    early = (today() - 30 * DAY).isoformat()
    with pytest.raises(RuleViolation) as caught:
        done(personas, overdue, today() - 30 * DAY)
    client.force_login(personas.mi_keyworker.user)
    response = client.post(f"{CLIENT}care-plan/actions/{overdue.pk}/done/", {"done_on": early})
    assert response.status_code == 200 and caught.value.shown in text(response)
    line = {
        "action": "complete_plan_action",
        "client": "T0001",
        "description": "Book the BBV test",
        "done_on": early,
    }
    _, err, failed = run(tmp_path, lines(line))
    assert err.strip() == f"line 1: INVALID: {caught.value.message}" and failed
    _, err, failed = run(tmp_path, lines({**line, "done_on": today().isoformat()}))
    assert err == "" and not failed
    overdue.refresh_from_db()
    assert overdue.done_on == today()


def test_only_the_current_versions_actions_are_flagged(client, personas):
    overdue_plan(personas)
    client.force_login(personas.mi_keyworker.user)
    assert "Sam Synthetic" in text(client.get("/?show=actions_overdue"))
    agree(personas)  # a new version, its actions not yet due: the old one's no longer count
    assert "Sam Synthetic" not in text(client.get("/?show=actions_overdue"))
    assert "Action overdue since" not in text(client.get(CLIENT))
