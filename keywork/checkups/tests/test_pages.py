"""Recovery check-ups on the web and in the import: the same words, nothing saved; what is due
on the keyworker's caseload; a return to treatment in one step from the record."""

import datetime as dt
import html
from typing import Any

import pytest

from keywork.checkups.models import CheckUp
from keywork.checkups.tests.test_checkups import schedule
from keywork.clients.models import Episode
from keywork.core.dates import today
from keywork.core.tests.test_import import lines, on_the_form, run

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
BASE = "/clients/T0001/check-ups/"


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def refusal(response: Any) -> Any:
    """A refused form, shown again."""
    assert response.status_code == 200
    return response


def test_a_schedule_before_discharge_reads_the_same_on_the_form_and_in_the_import(
    client: Any, personas: Any, completed: Episode, tmp_path: Any
) -> None:
    client.force_login(personas.mi_keyworker.user)
    early = str(today() - 30 * DAY)
    shown = refusal(
        client.post(BASE + "new/", {"first_on": early, "every_weeks": "4", "count": "3"})
    )
    line = {"action": "schedule_checkups", "client": "T0001", "first_on": early, "count": 3}
    _, err, failed = run(tmp_path, lines(line))
    assert (
        err.startswith("line 1: INVALID: ")
        and failed
        and on_the_form(err, shown.context["form"]) in page(shown)
    )
    assert not CheckUp.objects.exists()
    response = client.post(
        BASE + "new/", {"first_on": str(today()), "every_weeks": "4", "count": "3"}
    )
    assert response.status_code == 302 and CheckUp.objects.count() == 3


def test_a_check_up_without_what_it_found_reads_the_same_on_the_form_and_in_the_import(
    client: Any, personas: Any, completed: Episode, tmp_path: Any
) -> None:
    first = schedule(personas, completed)[0]
    client.force_login(personas.mi_keyworker.user)
    form = {"done_on": str(today() - 9 * DAY), "contact_made": "yes", "lapse": "", "notes": ""}
    shown = refusal(client.post(f"{BASE}{first.pk}/", form))
    line = {
        "action": "record_checkup",
        "client": "T0001",
        "due_on": str(first.due_on),
        "done_on": str(today() - 9 * DAY),
        "contact_made": True,
    }
    _, err, failed = run(tmp_path, lines(line))
    assert (
        err.startswith("line 1: R12: ")
        and failed
        and on_the_form(err, shown.context["form"]) in page(shown)
    )
    first.refresh_from_db()
    assert first.status == "due"
    found = {**line, "lapse": "risk", "further_services": ["rs.peer-support", "ref.mental-health"]}
    _, err, failed = run(tmp_path, lines(found))
    assert err == "" and not failed
    listing = page(client.get(BASE))
    assert "Contact made" in listing and "marked risk of relapse" in listing
    record = page(client.get("/clients/T0001/"))
    assert (
        "Recovery check-up</strong> with Mia Trained: contact made, marked risk of relapse"
        in record
    )


def test_due_check_ups_show_on_the_keyworkers_caseload(
    client: Any, personas: Any, completed: Episode
) -> None:
    schedule(personas, completed, first_on=today() - 3 * DAY, count=2)
    client.force_login(personas.mi_keyworker.user)
    caseload = page(client.get("/"))
    assert "Recovery check-ups due" in caseload
    overdue = f"overdue since {today() - 3 * DAY:%d/%m/%Y}"
    assert f'Sam Synthetic</a> (T0001): <span class="flag">{overdue}' in caseload
    client.force_login(personas.keyworker.user)
    assert "Recovery check-ups due" not in page(client.get("/"))


def test_a_return_to_treatment_opens_a_linked_episode_from_the_record(
    client: Any, personas: Any, completed: Episode
) -> None:
    schedule(personas, completed)
    client.force_login(personas.mi_keyworker.user)
    record = page(client.get("/clients/T0001/"))
    assert "Return to treatment" in record and "Next due" in record
    response = client.post(
        BASE + "return/", {"on": str(today()), "reason": "Relapsed after a bereavement"}
    )
    assert response.status_code == 302
    new = Episode.objects.get(client=personas.client, discharged_on=None)
    assert new.previous_episode == completed
    record = page(client.get("/clients/T0001/"))
    assert "Returned to treatment after completion on" in record
    assert "Sam Synthetic" in page(client.get("/"))  # back on the caseload
