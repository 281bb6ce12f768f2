"""Who sees which clients: the scoper every view uses."""

import pytest

from keywork.access.actions import SetActiveInput
from keywork.clients.actions import RegisterClientInput
from keywork.clients.policies import can_allocate, can_work_with, caseload_of, clients_visible_to

pytestmark = pytest.mark.django_db


def ids(user):
    return set(clients_visible_to(user).values_list("local_id", flat=True))


def test_keyworkers_and_team_leaders_see_their_team(personas):
    assert ids(personas.mi_keyworker.user) == {"T0001"}
    assert ids(personas.keyworker.user) == {"T0001"}
    assert ids(personas.team_leader.user) == {"T0001"}
    assert ids(personas.other_keyworker.user) == {"T0002"}


def test_a_service_manager_sees_the_service(personas):
    assert ids(personas.manager.user) == {"T0001", "T0002"}


def test_commissioners_and_administrators_see_no_client(personas):
    assert ids(personas.commissioner.user) == set()
    assert ids(personas.administrator.user) == set()


def test_a_disabled_account_sees_nothing(personas):
    from keywork.access.actions import set_active

    set_active(
        actor=None,
        worker=personas.mi_keyworker,
        given=SetActiveInput(active=False, reason="Left the service"),
    )
    personas.mi_keyworker.user.refresh_from_db()
    assert ids(personas.mi_keyworker.user) == set()


def test_my_caseload_is_where_i_am_the_keyworker(personas):
    assert [e.client.local_id for e in caseload_of(personas.mi_keyworker.user)] == ["T0001"]
    assert not caseload_of(personas.keyworker.user).exists()


def test_who_may_work_with_and_allocate_an_episode(personas):
    episode = personas.episode
    assert can_work_with(personas.keyworker.user, episode)
    assert not can_work_with(personas.other_keyworker.user, episode)
    assert not can_work_with(personas.manager.user, episode)
    assert can_allocate(personas.team_leader.user, episode)
    assert can_allocate(personas.manager.user, episode)
    assert not can_allocate(personas.mi_keyworker.user, episode)


def test_a_client_waiting_for_an_episode_is_seen_by_the_team_that_registered_them(personas):
    import datetime as dt

    from keywork.clients.actions import register_client

    register_client(
        actor=personas.keyworker.user,
        given=RegisterClientInput(
            local_id="T0009",
            given_name="Wai",
            family_name="Ting",
            date_of_birth=dt.date(1995, 5, 5),
            sex="male",
        ),
    )
    assert "T0009" in ids(personas.team_leader.user)
    assert "T0009" in ids(personas.manager.user)
    assert "T0009" not in ids(personas.other_keyworker.user)
    assert "T0009" not in ids(personas.commissioner.user)
