"""The diary: one-to-one appointments booked, moved and cancelled as records of their own;
recording a session at a booked appointment's time records its outcome on it, never a second
session beside it; the keyworker's diary and the client record show what is booked and what
is past with no outcome."""

from __future__ import annotations

import datetime as dt
import json
from functools import partial
from typing import Any

import pytest
from django.utils import timezone

from keywork.access.tests.trail import assert_refused
from keywork.audit.models import AuditEvent
from keywork.clients import actions as clients
from keywork.core.importer import run_import
from keywork.sessions import actions
from keywork.sessions.actions import Appointment
from keywork.sessions.models import AppointmentMove, Attendance, KeyworkSession, ReEngagement
from keywork.sessions.tests.test_form import post_data
from keywork.sessions.tests.test_sessions import content

pytestmark = pytest.mark.django_db
DAY, HOUR = dt.timedelta(days=1), dt.timedelta(hours=1)
refused = partial(assert_refused, unchanged=(KeyworkSession, AppointmentMove))


def at(days: int, hour: int = 10) -> dt.datetime:
    """A whole hour `days` from today, local time."""
    day = timezone.localdate() + days * DAY
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def book(personas: Any, when: dt.datetime, **more: Any) -> Attendance:
    return actions.schedule_session(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=Appointment(starts_at=when, **more),
    )


def sessions_at(personas: Any, when: dt.datetime) -> int:
    return KeyworkSession.objects.filter(
        attendances__episode=personas.episode, starts_at=when
    ).count()


def test_recording_at_a_booked_time_records_the_outcome_on_that_appointment(personas):
    when = timezone.now().replace(second=0, microsecond=0) - 2 * HOUR
    booked = book(personas, when, place="home_visit")
    recorded = actions.record_session(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=actions.RecordSessionInput(
            starts_at=when, content=content(), next_appointment=Appointment(starts_at=at(7))
        ),
    )
    assert recorded.pk == booked.pk and recorded.outcome == "attended"
    assert sessions_at(personas, when) == 1
    assert recorded.session.place == "home_visit"


def test_the_web_form_opened_from_an_appointment_records_on_it(client, personas):
    when = timezone.localtime().replace(second=0, microsecond=0) - 2 * HOUR
    booked = book(personas, when)
    client.force_login(personas.mi_keyworker.user)
    url = f"/clients/T0001/sessions/new/?appointment={booked.pk}"
    page = client.get(url).content.decode()
    assert f'name="time" value="{when:%H:%M}"' in page and "Recording the appointment" in page
    data = post_data(date=when.date().isoformat(), time=when.strftime("%H:%M"))
    assert client.post(url, data).status_code == 302
    booked.refresh_from_db()
    assert booked.outcome == "attended" and sessions_at(personas, when) == 1


def test_a_missed_booked_appointment_starts_re_engagement_on_the_same_slot(personas):
    when = timezone.now().replace(second=0, microsecond=0) - 3 * HOUR
    booked = book(personas, when)
    actions.record_session(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=actions.RecordSessionInput(starts_at=when, outcome="did_not_attend"),
    )
    booked.refresh_from_db()
    assert booked.outcome == "did_not_attend" and sessions_at(personas, when) == 1
    assert ReEngagement.objects.filter(started_by=booked, ended_on=None).exists()


def test_an_appointment_moves_with_a_reason_and_keeps_where_it_was(personas):
    booked = book(personas, at(3), location="Room 2")
    moved = actions.move_appointment(
        actor=personas.mi_keyworker.user,
        attendance=booked,
        given=actions.MoveAppointmentInput(starts_at=at(4, 14), place="phone", reason="At work"),
    )
    moved.session.refresh_from_db()
    assert moved.session.starts_at == at(4, 14) and moved.session.place == "phone"
    assert moved.session.location == "Room 2" and moved.session.day == (at(4)).date()
    history = AppointmentMove.objects.get(session=moved.session)
    assert (history.was_at, history.now_at, history.reason) == (at(3), at(4, 14), "At work")


@pytest.mark.parametrize(
    ("changes", "code", "says"),
    [
        ({"reason": " "}, "INVALID", "reason: say why the appointment moves"),
        ({"starts_at": at(-1)}, "INVALID", "moved_to: move it to a time still to come"),
        ({"place": "moon"}, "INVALID", "place: 'moon' is not one of"),
    ],
)
def test_a_move_without_a_reason_or_into_the_past_is_refused(personas, changes, code, says):
    booked = book(personas, at(3))
    given = {"starts_at": at(5), "reason": "Clash", **changes}
    error = refused(
        code,
        actions.move_appointment,
        actor=personas.mi_keyworker.user,
        attendance=booked,
        given=actions.MoveAppointmentInput(**given),
    )
    assert says in error.message


def test_an_appointment_is_cancelled_by_the_client_or_the_service_with_the_reason(personas):
    booked = book(personas, at(2))
    cancelled = actions.cancel_appointment(
        actor=personas.mi_keyworker.user,
        attendance=booked,
        given=actions.CancelAppointmentInput(by="service", reason="Keyworker off sick"),
    )
    assert cancelled.outcome == "cancelled_by_service" and cancelled.notes == "Keyworker off sick"
    error = refused(
        "R13",
        actions.move_appointment,
        actor=personas.mi_keyworker.user,
        attendance=cancelled,
        given=actions.MoveAppointmentInput(starts_at=at(5), reason="Try again"),
    )
    assert "already recorded" in error.message
    other = book(personas, at(3))
    error = refused(
        "INVALID",
        actions.cancel_appointment,
        actor=personas.mi_keyworker.user,
        attendance=other,
        given=actions.CancelAppointmentInput(by="client", reason=""),
    )
    assert error.message == "reason: say why the appointment was cancelled"


def test_only_the_clients_team_books_moves_and_cancels(personas):
    booked = book(personas, at(2))
    refused(
        "ACCESS",
        actions.cancel_appointment,
        actor=personas.other_keyworker.user,
        attendance=booked,
        given=actions.CancelAppointmentInput(by="client", reason="Unwell"),
    )


def test_import_lines_book_move_cancel_and_record_a_booked_appointment(personas):
    first, second = at(-1, 9), at(2, 11)
    lines = [
        {"action": "schedule_session", "client": "T0001", "starts_at": f"{first:%Y-%m-%dT%H:%M}"},
        {"action": "schedule_session", "client": "T0001", "starts_at": f"{second:%Y-%m-%dT%H:%M}"},
        {
            "action": "move_appointment",
            "client": "T0001",
            "starts_at": f"{second:%Y-%m-%dT%H:%M}",
            "moved_to": f"{at(3, 11):%Y-%m-%dT%H:%M}",
            "place": "video",
            "reason": "Asked for video",
        },
        {
            "action": "record_session",
            "client": "T0001",
            "starts_at": f"{first:%Y-%m-%dT%H:%M}",
            "outcome": "did_not_attend",
        },
        {
            "action": "cancel_appointment",
            "client": "T0001",
            "starts_at": f"{at(3, 11):%Y-%m-%dT%H:%M}",
            "by": "client",
            "reason": "In hospital",
        },
    ]
    text = [json.dumps(line) for line in lines]
    results = list(run_import(personas.mi_keyworker.user, text))
    assert [refusal for _, refusal in results] == [None] * 5
    assert sessions_at(personas, first) == 1
    outcomes = Attendance.objects.filter(episode=personas.episode).values_list(
        "session__starts_at", "outcome", "session__place"
    )
    assert (first, "did_not_attend", "office") in outcomes
    assert (at(3, 11), "cancelled_by_client", "video") in outcomes


def test_the_record_shows_the_clients_number_gp_and_appointments(client, personas):
    reached = clients.register_client(
        actor=personas.mi_keyworker.user,
        given=clients.RegisterClientInput(
            local_id="T0009",
            given_name="Ro",
            family_name="Reachable",
            date_of_birth=dt.date(1980, 5, 5),
            sex="female",
            phone="07700 900123",
            gp_practice="Riverside Surgery",
        ),
    )
    episode = clients.open_episode(
        actor=personas.mi_keyworker.user,
        client=reached,
        given=clients.OpenEpisodeInput(
            team=personas.team,
            referral_date=timezone.localdate() - 30 * DAY,
            keyworker=personas.mi_keyworker,
            substances=[clients.SubstanceUse(code="sub.cocaine", route="sniff")],
        ),
    )

    def book_for(when: dt.datetime, **more: Any) -> Attendance:
        given = Appointment(starts_at=when, **more)
        return actions.schedule_session(
            actor=personas.mi_keyworker.user, episode=episode, given=given
        )

    past, ahead = book_for(at(-2)), book_for(at(2), place="home_visit")
    client.force_login(personas.mi_keyworker.user)
    page = client.get("/clients/T0009/").content.decode()
    assert 'href="tel:07700900123"' in page and "Riverside Surgery" in page
    assert "1 past appointment with no outcome recorded" in page
    assert f"?appointment={past.pk}" in page and f"/appointments/{ahead.pk}/move/" in page
    assert "(age " in page
    assert "home visit" in page


def test_the_diary_shows_today_the_week_and_past_appointments_with_no_outcome(client, personas):
    book(personas, at(-2))
    book(personas, at(1, 15), place="phone")
    client.force_login(personas.mi_keyworker.user)
    page = client.get("/diary/").content.decode()
    assert "Past appointments with no outcome" in page and "by phone" in page
    assert page.count("Sam Synthetic") == 2
    assert AuditEvent.objects.filter(what="diary", verb="view").exists()
    team = client.get("/diary/?who=team").content.decode()
    assert "The whole team" in team and '<th scope="col">With</th>' in team
    client.force_login(personas.keyworker.user)
    theirs = client.get("/diary/").content.decode()
    assert "Sam Synthetic" not in theirs  # not theirs: they facilitate none of these


def test_the_caseload_flags_a_past_appointment_with_no_outcome_and_filters_on_it(client, personas):
    client.force_login(personas.mi_keyworker.user)
    assert "Appointment with no outcome" not in client.get("/").content.decode()
    past = book(personas, at(-2))
    page = client.get("/").content.decode()
    assert "Appointment with no outcome" in page
    assert "Sam Synthetic" in client.get("/?show=unrecorded").content.decode()
    actions.cancel_appointment(
        actor=personas.mi_keyworker.user,
        attendance=past,
        given=actions.CancelAppointmentInput(by="client", reason="Rang to say unwell"),
    )
    assert "Sam Synthetic" not in client.get("/?show=unrecorded").content.decode()


def test_every_client_page_carries_the_banner_but_the_record_and_the_printout(client, personas):
    client.force_login(personas.mi_keyworker.user)
    for url in (
        "/clients/T0001/sessions/new/",
        "/clients/T0001/care-plan/",
        "/clients/T0001/appointments/new/",
    ):
        page = client.get(url).content.decode()
        assert 'class="client-banner"' in page and "Keyworker " in page, url
    for url in ("/clients/T0001/", "/clients/T0001/summary/"):
        assert 'class="client-banner"' not in client.get(url).content.decode(), url


def test_the_banner_shows_nothing_to_someone_who_may_not_see_the_client(client, personas):
    client.force_login(personas.other_keyworker.user)  # the service's other team
    page = client.get("/clients/T0001/").content.decode()
    assert "client-banner" not in page and "Keyworker " not in page
    from types import SimpleNamespace

    from keywork.overview.templatetags.banner import client_banner

    request = SimpleNamespace(user=personas.other_keyworker.user)
    assert client_banner({"request": request}, personas.client) == {"shown": False}
    request.user = personas.keyworker.user
    assert client_banner({"request": request}, personas.client)["shown"] is True


def test_the_timeline_orders_a_days_sessions_by_time_and_names_who_moved_the_phase(
    client, personas
):
    day = timezone.localdate() - 3 * DAY
    for hour in (15, 9):  # recorded afternoon first
        when = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
        actions.record_session(
            actor=personas.mi_keyworker.user,
            episode=personas.episode,
            given=actions.RecordSessionInput(
                starts_at=when,
                content=content(notes=f"At {hour}"),
                next_appointment=Appointment(starts_at=at(7, hour)),
            ),
        )
    client.force_login(personas.mi_keyworker.user)
    page = client.get("/clients/T0001/").content.decode()
    assert page.index("At 15") < page.index("At 9")  # the latest first, within the day too
    assert "<time>15:00</time>" in page and "(decided by" in page


def test_the_team_diary_shows_a_day_at_a_time_and_pages_by_day(client, personas):
    book(personas, at(0, 23) if timezone.localtime().hour < 23 else at(1, 9))
    book(personas, at(2, 11))
    client.force_login(personas.keyworker.user)
    page = client.get("/diary/?who=team").content.decode()
    assert page.count("<h2>") == 1 and "Today, " in page  # one day for the whole team
    later = client.get(f"/diary/?who=team&from={at(2).date().isoformat()}").content.decode()
    assert "11:00" in later and "Sam Synthetic" in later
    assert client.get("/diary/?who=team&from=9999-12-31").status_code == 200
    assert client.get("/diary/?from=nonsense").status_code == 200


def test_a_big_teams_day_is_shown_a_page_at_a_time(client, personas, monkeypatch):
    from keywork.sessions import queries

    monkeypatch.setattr(queries, "TEAM_DIARY_PAGE", 1)
    day = at(2).date().isoformat()
    book(personas, at(2, 9))
    book(personas, at(2, 11))
    client.force_login(personas.keyworker.user)
    first = client.get(f"/diary/?who=team&from={day}").content.decode()
    assert "09:00" in first and "11:00" not in first and "1 to 1 of 2 appointments" in first
    assert f'href="?who=team&amp;from={day}&amp;page=2#day-1"' in first
    second = client.get(f"/diary/?who=team&from={day}&page=2").content.decode()
    assert "11:00" in second and "09:00" not in second


def test_the_diary_lists_the_oldest_past_appointments_with_no_outcome_and_counts_them_all(
    client, personas, monkeypatch
):
    from keywork.sessions import queries

    monkeypatch.setattr(queries, "UNRECORDED_SHOWN", 2)
    oldest = [book(personas, at(-days)) for days in (5, 4, 3)]
    client.force_login(personas.mi_keyworker.user)
    page = client.get("/diary/").content.decode()
    assert '<span class="flag">3</span>' in page and "The oldest 2 are listed" in page
    assert f"?appointment={oldest[0].pk}" in page and f"?appointment={oldest[2].pk}" not in page
    assert "/?scope=mine&amp;show=unrecorded" in page
