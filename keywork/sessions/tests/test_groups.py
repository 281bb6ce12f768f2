"""Group sessions through the actions: booking (weekly if asked) and the register, where each
client's line keeps the same rules as a one-to-one and one refused line refuses the lot."""

import datetime as dt

import pytest
from django.utils import timezone

from keywork.clients.actions import (
    OpenEpisodeInput,
    RegisterClientInput,
    SubstanceUse,
    open_episode,
    register_client,
)
from keywork.sessions import actions
from keywork.sessions.actions import Appointment, RegisterLine
from keywork.sessions.models import Attendance, ReEngagement
from keywork.sessions.tests.test_sessions import HOUR, WEEK, content, refused

pytestmark = pytest.mark.django_db


def second_client(personas, local_id="T0003"):
    client = register_client(
        actor=personas.keyworker.user,
        given=RegisterClientInput(
            local_id=local_id,
            given_name="Lee",
            family_name="Group",
            date_of_birth=dt.date(1990, 3, 3),
            sex="male",
            not_a_duplicate=True,  # a second synthetic Lee Group, on purpose
        ),
    )
    return open_episode(
        actor=personas.keyworker.user,
        client=client,
        given=OpenEpisodeInput(
            team=personas.team,
            referral_date=timezone.localdate() - 2 * WEEK,
            keyworker=personas.keyworker,
            substances=[SubstanceUse(code="sub.cocaine", route="sniff")],
        ),
    )


def book(personas, *episodes, when=None, **kwargs):
    return actions.schedule_group(
        actor=personas.mi_keyworker.user,
        team=personas.team,
        episodes=list(episodes) or [personas.episode],
        given=actions.ScheduleGroupInput(
            title="Relapse prevention group",
            starts_at=when or timezone.now() - 2 * HOUR,
            facilitators=[personas.mi_keyworker, personas.keyworker],
            **kwargs,
        ),
    )


def lines(group):
    return {a.episode.client.local_id: a for a in group.attendances.select_related("episode")}


def test_a_weekly_group_books_each_week_with_the_same_list(personas):
    second = second_client(personas)
    weeks = book(personas, personas.episode, second, when=timezone.now() + HOUR, weeks=4)
    assert [s.starts_at - weeks[0].starts_at for s in weeks] == [i * WEEK for i in range(4)]
    for session in weeks:
        assert set(lines(session)) == {"T0001", "T0003"}
        assert session.facilitators.count() == 2


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"title": " "}, "title: a group session has a name"),
        ({"weeks": 0}, "weeks: book from 1 to 52"),
        ({"title": "x" * 121}, "title: at most 120 characters"),
        ({"duration_minutes": 5}, "duration_minutes: a group runs from 15 to 480 minutes"),
        ({"facilitators": []}, "facilitators: one or more keyworkers of this team"),
        ({"episodes": []}, "clients: invite clients with open episodes in this team"),
    ],
)
def test_a_group_booking_is_refused_when_incomplete(personas, changes, says):
    episodes = changes.pop("episodes", [personas.episode])
    given = {
        "title": "Group",
        "starts_at": timezone.now() + HOUR,
        "facilitators": [personas.mi_keyworker],
        **changes,
    }
    error = refused(
        "INVALID",
        actions.schedule_group,
        actor=personas.mi_keyworker.user,
        team=personas.team,
        episodes=episodes,
        given=actions.ScheduleGroupInput(**given),
    )
    assert says in error.message


def test_the_register_records_each_client_with_the_groups_content(personas):
    second = second_client(personas)
    (group,) = book(personas, personas.episode, second)
    listed = lines(group)
    done = actions.record_group(
        actor=personas.keyworker.user,
        session=group,
        given=actions.RecordGroupInput(
            content=content(notes="Worked through high-risk situations."),
            register=[
                RegisterLine(
                    listed["T0001"],
                    "attended",
                    notes="Spoke about the weekend.",
                    next_appointment=Appointment(starts_at=timezone.now() + WEEK),
                ),
                RegisterLine(listed["T0003"], "did_not_attend", notes="No answer on the phone."),
            ],
        ),
    )
    came, missed = sorted(done, key=lambda a: a.episode.client.local_id)
    assert came.outcome == "attended" and came.recorded_by == personas.keyworker
    assert came.notes == "Worked through high-risk situations.\n\nSpoke about the weekend."
    assert [t.code for t in came.topics.all()] == ["topic.ambivalence"]
    assert Attendance.objects.get(session=came.next_session).outcome == "scheduled"
    assert missed.outcome == "did_not_attend" and missed.notes == "No answer on the phone."
    assert ReEngagement.objects.filter(episode=second, ended_on=None).exists()


def test_a_booked_next_group_counts_as_the_next_appointment(personas):
    weeks = book(personas, when=timezone.now() - 2 * HOUR, weeks=2)
    (attended,) = actions.record_group(
        actor=personas.keyworker.user,
        session=weeks[0],
        given=actions.RecordGroupInput(
            content=content(), register=[RegisterLine(lines(weeks[0])["T0001"], "attended")]
        ),
    )
    assert attended.next_session == weeks[1]


def test_one_refused_line_names_the_client_and_refuses_the_register(personas):
    second = second_client(personas)
    (group,) = book(personas, personas.episode, second)
    listed = lines(group)
    error = refused(
        "R9",
        actions.record_group,
        actor=personas.keyworker.user,
        session=group,
        given=actions.RecordGroupInput(
            content=content(),
            register=[
                RegisterLine(listed["T0001"], "did_not_attend"),
                RegisterLine(listed["T0003"], "attended"),
            ],
        ),
    )
    assert error.message.startswith("Lee Group (T0003): an attended session books the next")
    assert set(Attendance.objects.filter(session=group).values_list("outcome", flat=True)) == {
        "scheduled"
    }


def test_a_group_intervention_keeps_rule_4_for_whoever_records_it(personas):
    (group,) = book(personas)
    line = [
        RegisterLine(
            lines(group)["T0001"],
            "attended",
            next_appointment=Appointment(starts_at=timezone.now() + WEEK),
        )
    ]
    shared = content(interventions=("kwp.motivational-interviewing",))
    error = refused(
        "R4",
        actions.record_group,
        actor=personas.keyworker.user,
        session=group,
        given=actions.RecordGroupInput(content=shared, register=line),
    )
    assert error.message.startswith("Sam Synthetic (T0001):")
    assert error.suggestion and error.suggestion["referral"]["intervention"] == (
        "kwp.motivational-interviewing"
    )
    actions.record_group(
        actor=personas.mi_keyworker.user,
        session=group,
        given=actions.RecordGroupInput(content=shared, register=line),
    )


def test_only_the_facilitators_take_the_register(personas):
    (group,) = book(personas)
    refused(
        "ACCESS",
        actions.record_group,
        actor=personas.team_leader.user,
        session=group,
        given=actions.RecordGroupInput(
            content=content(), register=[RegisterLine(lines(group)["T0001"], "did_not_attend")]
        ),
    )
