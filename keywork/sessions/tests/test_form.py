"""Recording a session on the web form: it offers what fits the phase and the worker's
competence; the action refuses the rest in the same words as the import."""

import datetime as dt

import pytest
from django.utils import timezone

from keywork.core.errors import RuleViolation
from keywork.sessions import actions
from keywork.sessions.actions import Appointment, SessionContent
from keywork.sessions.models import Attendance, KeyworkSession

pytestmark = pytest.mark.django_db

URL = "/clients/T0001/sessions/new/"


def post_data(**changes):
    when = timezone.localtime() - dt.timedelta(hours=1)
    data = {
        "date": when.date().isoformat(),
        "time": when.strftime("%H:%M"),
        "outcome": "attended",
        "care_plan_work": "progress_checked",
        "information_advice": "Naloxone",
        "harm_reduction": "Safer injecting",
        "motivational_work": "Change talk",
        "topics": ["topic.ambivalence"],
        "interventions": [],
        "techniques": ["tool.decision-balance"],
        "notes": "Recorded on the form",
        "next_date": (when.date() + dt.timedelta(days=7)).isoformat(),
        "next_time": "10:30",
        "discharge_reason": "",
    }
    data.update(changes)
    return data


def offered(page: str, code: str) -> bool:
    return f'value="{code}"' in page


def test_the_record_links_to_the_form_for_the_clients_team_only(client, personas):
    client.force_login(personas.keyworker.user)
    assert f'href="{URL}"' in client.get("/clients/T0001/").content.decode()
    client.force_login(personas.manager.user)
    assert f'href="{URL}"' not in client.get("/clients/T0001/").content.decode()


def test_the_form_starts_at_today_in_the_date_field(client, personas):
    client.force_login(personas.mi_keyworker.user)
    page = client.get(URL).content.decode()
    assert f'type="date" name="date" value="{timezone.localdate().isoformat()}"' in page


def test_the_form_offers_only_what_the_worker_is_competent_to_deliver(client, personas):
    client.force_login(personas.mi_keyworker.user)
    page = client.get(URL).content.decode()
    assert offered(page, "kwp.motivational-interviewing") and not offered(page, "kwp.sbnt")
    assert not offered(page, "spec.counselling")
    client.force_login(personas.keyworker.user)
    page = client.get(URL).content.decode()
    assert not offered(page, "kwp.motivational-interviewing")
    assert offered(page, "focus.motivation-for-change")


def test_topics_for_the_clients_phase_come_first(client, personas):
    client.force_login(personas.mi_keyworker.user)
    page = client.get(URL).content.decode()
    assert (
        page.index("For Engagement")
        < page.index('value="topic.ambivalence"')
        < page.index("Other phases")
    )
    assert page.index("Other phases") < page.index('value="topic.cravings"')


def test_a_session_recorded_on_the_form_shows_on_the_record(client, personas):
    client.force_login(personas.mi_keyworker.user)
    response = client.post(URL, post_data(interventions=["kwp.motivational-interviewing"]))
    assert response.status_code == 302 and response["Location"] == "/clients/T0001/"
    attendance = Attendance.objects.get(episode=personas.episode, outcome="attended")
    assert attendance.notes == "Recorded on the form"
    page = client.get("/clients/T0001/").content.decode()
    assert "Motivational interviewing" in page and "Recorded on the form" in page
    assert "10:30" in page  # the next appointment


def test_the_form_refuses_rule_4_in_the_same_words_as_the_action(client, personas):
    """The form offers what the worker may deliver today; a session dated before their
    supervision began is refused by the action, with rule 4's words, and nothing is saved."""
    earlier = timezone.localtime() - dt.timedelta(days=20)
    with pytest.raises(RuleViolation) as direct:
        actions.record_session(
            actor=personas.mi_keyworker.user,
            episode=personas.episode,
            given=actions.RecordSessionInput(
                starts_at=earlier,
                content=SessionContent(
                    care_plan_work="agreed",
                    information_advice="a",
                    harm_reduction="b",
                    motivational_work="c",
                    topics=("topic.ambivalence",),
                    interventions=("kwp.motivational-interviewing",),
                ),
                next_appointment=Appointment(starts_at=earlier + dt.timedelta(days=7)),
            ),
        )
    client.force_login(personas.mi_keyworker.user)
    sessions = KeyworkSession.objects.count()
    page = client.post(
        URL,
        post_data(
            date=earlier.date().isoformat(),
            time=earlier.strftime("%H:%M"),
            care_plan_work="agreed",
            information_advice="a",
            harm_reduction="b",
            motivational_work="c",
            interventions=["kwp.motivational-interviewing"],
            techniques=[],
            notes="",
            next_date=(earlier.date() + dt.timedelta(days=7)).isoformat(),
        ),
    ).content.decode()
    assert direct.value.shown.replace("'", "&#x27;") in page
    assert KeyworkSession.objects.count() == sessions


def test_the_form_refuses_rule_9_in_the_same_words_as_the_action(client, personas):
    client.force_login(personas.mi_keyworker.user)
    page = client.post(URL, post_data(harm_reduction="", next_date="")).content.decode()
    assert "missing: harm reduction work. (rule 9)" in page
    assert not Attendance.objects.filter(episode=personas.episode).exists()
    page = client.post(URL, post_data(next_date="")).content.decode()
    assert (
        "An attended session books the next appointment, unless one is already booked or the "
        "client is being discharged. (rule 9)" in page
    )


def test_another_team_cannot_open_the_form(client, personas):
    client.force_login(personas.other_keyworker.user)
    assert client.get(URL).status_code == 404
    client.force_login(personas.commissioner.user)
    assert client.get(URL).status_code == 404


def test_notes_are_amended_on_the_web_with_a_reason_and_the_old_version_shown(client, personas):
    client.force_login(personas.mi_keyworker.user)
    client.post(URL, post_data())
    attendance = Attendance.objects.get(episode=personas.episode, outcome="attended")
    amend = f"/clients/T0001/sessions/{attendance.pk}/amend/"
    page = client.post(amend, {"notes": "Changed", "reason": ""}).content.decode()
    assert "Say why the notes are being amended. (rule 13)" in page
    client.post(
        amend, {"notes": "Recorded on the form; GP letter sent", "reason": "Added the letter"}
    )
    page = client.get("/clients/T0001/").content.decode()
    assert "GP letter sent" in page and "Before: “Recorded on the form”" in page


def test_an_entry_marked_in_error_stays_on_the_record_struck_through(client, personas):
    client.force_login(personas.mi_keyworker.user)
    client.post(URL, post_data())
    attendance = Attendance.objects.get(episode=personas.episode, outcome="attended")
    client.post(f"/clients/T0001/sessions/{attendance.pk}/in-error/", {"reason": "Wrong client"})
    page = client.get("/clients/T0001/").content.decode()
    assert "Entered in error: Wrong client" in page and 'class="in-error"' in page
    assert client.get(f"/clients/T0001/sessions/{attendance.pk}/amend/").status_code == 200
    client.force_login(personas.other_keyworker.user)
    assert client.get(f"/clients/T0001/sessions/{attendance.pk}/amend/").status_code == 404
