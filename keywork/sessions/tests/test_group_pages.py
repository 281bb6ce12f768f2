"""Groups and reintegration work through the web pages and the import: they save through the
same actions and refuse in the same words, with nothing saved."""

import datetime as dt
import html

import pytest
from django.utils import timezone

from keywork.clients.actions import DischargeInput, MovePhaseInput
from keywork.core.tests.test_import import SESSION, lines, run
from keywork.sessions.models import Attendance, KeyworkSession
from keywork.sessions.tests.test_groups import book, second_client

pytestmark = pytest.mark.django_db
GROUP = KeyworkSession.Kind.GROUP
REINTEGRATION = KeyworkSession.Kind.REINTEGRATION
HOURS = dt.timedelta(hours=2)


def local(when: dt.datetime) -> str:
    return timezone.localtime(when).replace(tzinfo=None).isoformat(timespec="minutes")


def booking_form(personas, **changes) -> dict:
    when = timezone.localtime() + dt.timedelta(days=2)
    data = {
        "title": "Relapse prevention group",
        "date": when.date().isoformat(),
        "time": "14:00",
        "duration_minutes": "90",
        "weeks": "3",
        "location": "Room 2",
        "facilitators": [str(personas.mi_keyworker.pk), str(personas.keyworker.pk)],
        "clients": [str(personas.episode.pk)],
        "other_clients": "T0003",
    }
    data.update(changes)
    return data


def page(response) -> str:
    return html.unescape(response.content.decode())


def test_a_keyworker_books_a_weekly_group_on_the_web(client, personas):
    second_client(personas)
    client.force_login(personas.mi_keyworker.user)
    assert "Book a group session" in page(client.get("/groups/"))
    form = page(client.get("/groups/new/"))
    assert "Sam Synthetic (T0001)" in form  # her caseload is offered by name
    response = client.post("/groups/new/", booking_form(personas))
    weeks = list(KeyworkSession.objects.filter(kind=GROUP))
    assert response.status_code == 302 and response.url == f"/groups/{weeks[0].pk}/"
    assert len(weeks) == 3
    assert {a.episode.client.local_id for a in weeks[2].attendances.all()} == {"T0001", "T0003"}
    listing = page(client.get("/groups/"))
    assert listing.count("Relapse prevention group") == 3


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"other_clients": "T0003, NOPE"}, "No open episode in your team for NOPE."),
        ({"title": ""}, "A group session has a name."),
        ({"duration_minutes": "600"}, "A group runs from 15 to 480 minutes."),
        ({"facilitators": []}, "One or more keyworkers of this team."),
        ({"clients": [], "other_clients": ""}, "Invite clients with open episodes"),
    ],
)
def test_a_refused_booking_says_why_and_saves_nothing(client, personas, changes, says):
    second_client(personas)
    client.force_login(personas.mi_keyworker.user)
    response = client.post("/groups/new/", booking_form(personas, **changes))
    assert response.status_code == 200 and says in page(response)
    assert not KeyworkSession.objects.exists()


def test_the_import_books_a_group_and_refuses_in_the_same_words(tmp_path, personas):
    second_client(personas)
    line = {
        "action": "schedule_group",
        "team": "north",
        "title": "Relapse prevention group",
        "starts_at": local(timezone.now() + dt.timedelta(days=2)),
        "facilitators": ["mia.trained"],
        "clients": ["T0001", "T0003"],
        "weeks": 2,
    }
    _, err, failed = run(
        tmp_path, lines(line, {**line, "title": " "}, {**line, "duration_minutes": 600})
    )
    assert "line 2: INVALID: title: a group session has a name" in err
    assert "line 3: INVALID: duration_minutes: a group runs from 15 to 480 minutes" in err
    assert failed and KeyworkSession.objects.filter(kind=GROUP).count() == 2


def register_form(group, **rows) -> dict:
    data = {
        "care_plan_work": "progress_checked",
        "information_advice": "Naloxone",
        "harm_reduction": "Overdose risk after a break",
        "motivational_work": "Change talk",
        "topics": ["topic.cravings"],
        "notes": "High-risk situations",
    }
    for attendance in group.attendances.select_related("episode__client"):
        row = rows.get(attendance.episode.client.local_id, {})
        data[f"outcome_{attendance.pk}"] = row.get("outcome", "")
        data[f"notes_{attendance.pk}"] = row.get("notes", "")
        data[f"next_date_{attendance.pk}"] = row.get("next", "")
    return data


def test_the_facilitator_takes_the_register_on_the_web(client, personas):
    second_client(personas)
    (group,) = book(personas, personas.episode, second_client(personas, "T0004"))
    next_week = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    client.force_login(personas.keyworker.user)
    response = client.post(
        f"/groups/{group.pk}/",
        register_form(
            group,
            T0001={"outcome": "attended", "notes": "Quiet today", "next": next_week},
            T0004={"outcome": "did_not_attend"},
        ),
    )
    assert response.status_code == 302
    came = Attendance.objects.get(session=group, episode=personas.episode)
    assert came.outcome == "attended" and came.notes == "High-risk situations\n\nQuiet today"
    record = page(client.get("/clients/T0001/"))
    assert "Group session</strong> (Relapse prevention group): attended" in record
    assert "Did not attend" in page(client.get(f"/groups/{group.pk}/"))


def test_a_refused_register_line_names_the_client_on_the_web_and_in_the_import(
    client, personas, tmp_path
):
    (group,) = book(personas, when=timezone.now().replace(second=0, microsecond=0) - HOURS)
    client.force_login(personas.keyworker.user)
    response = client.post(
        f"/groups/{group.pk}/", register_form(group, T0001={"outcome": "attended"})
    )
    words = (
        "Sam Synthetic (T0001): an attended session books the next appointment, unless one is "
        "already booked or the client is being discharged"
    )
    assert response.status_code == 200 and words in page(response)
    line = {
        **SESSION,
        "action": "record_group",
        "team": "north",
        "starts_at": local(group.starts_at),
        "register": [{"client": "T0001", "outcome": "attended"}],
    }
    del line["client"]
    _, err, failed = run(tmp_path, lines(line), user="kit.plain")
    assert f"line 1: R9: {words}" in err and failed
    assert not Attendance.objects.exclude(outcome="scheduled").exists()


def test_only_facilitators_see_the_register_and_other_teams_see_nothing(client, personas):
    (group,) = book(personas)
    client.force_login(personas.lapsed_keyworker.user)
    shown = page(client.get(f"/groups/{group.pk}/"))
    assert "Only the group's facilitators take its register." in shown
    assert "Take the register" not in shown
    client.force_login(personas.other_keyworker.user)
    assert client.get(f"/groups/{group.pk}/").status_code == 404
    client.force_login(personas.manager.user)
    assert client.get("/groups/").status_code == 404


REINTEGRATION_URL = "/clients/T0001/reintegration/new/"


def reintegration_form(**changes) -> dict:
    when = timezone.localtime() - dt.timedelta(hours=1)
    data = {
        "date": when.date().isoformat(),
        "time": when.strftime("%H:%M"),
        "topics": ["topic.structuring-time"],
        "interventions": ["focus.community-integration"],
        "notes": "Allotment society open day",
    }
    data.update(changes)
    return data


def test_reintegration_work_after_discharge_on_the_web(client, personas):
    from keywork.clients.actions import discharge

    discharge(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=DischargeInput(
            on=timezone.localdate() - dt.timedelta(days=3), exit_reason="completed_drug_free"
        ),
    )
    client.force_login(personas.keyworker.user)
    record = page(client.get("/clients/T0001/"))
    assert f'href="{REINTEGRATION_URL}"' in record and "Record a session" not in record
    form = page(client.get(REINTEGRATION_URL))
    assert 'value="topic.structuring-time"' in form
    assert 'value="topic.ambivalence"' not in form  # only what is listed for Reintegration
    assert client.post(REINTEGRATION_URL, reintegration_form()).status_code == 302
    record = page(client.get("/clients/T0001/"))
    assert "<strong>Reintegration work</strong>, with Kit Plain." in record
    assert "1 record, the last on" in record


def test_reintegration_is_refused_in_the_same_words_on_the_web_and_in_the_import(
    client, personas, tmp_path
):
    words = "reintegration work records at least one topic or intervention listed for Reintegr"
    client.force_login(personas.keyworker.user)
    response = client.post(REINTEGRATION_URL, reintegration_form(topics=[], interventions=[]))
    assert response.status_code == 200 and words[1:] in page(response)
    line = {
        "action": "record_reintegration",
        "client": "T0001",
        "starts_at": local(timezone.now() - dt.timedelta(hours=1)),
        "notes": "x",
    }
    listed = {**line, "topics": ["topic.structuring-time"]}
    _, err, failed = run(tmp_path, lines(line, {**line, "topics": ["topic.ambivalence"]}, listed))
    assert f"line 1: R2: {words}" in err and failed
    assert (
        "line 2: R2: 'topic.ambivalence' is not listed for Reintegration: record it in a "
        "keywork session" in err
    )
    assert Attendance.objects.filter(session__kind=REINTEGRATION).count() == 1


def test_the_record_shows_the_phase_timeline(client, personas):
    from keywork.clients.actions import move_phase

    move_phase(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=MovePhaseInput(
            to="preparation", on=timezone.localdate() - dt.timedelta(days=10), reason="Goals agreed"
        ),
    )
    client.force_login(personas.mi_keyworker.user)
    shown = page(client.get("/clients/T0001/"))
    strip = shown[shown.index('<ol class="phase-strip">') : shown.index("</ol>")]
    assert strip.index("Engagement") < strip.index("Preparation")
    assert "on from Engagement: Goals agreed" in strip and "now" in strip
