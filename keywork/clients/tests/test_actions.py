"""Rules 1 (one named keyworker) and 2 (phases), through the actions; a refused change saves
nothing."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from keywork.access.actions import SetActiveInput
from keywork.access.tests.trail import assert_refused
from keywork.clients import actions
from keywork.clients.actions import SubstanceUse
from keywork.clients.models import Allocation, Episode, PhaseChange
from keywork.core.dates import today

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def refused(code, action, **kwargs) -> str:
    """The refusal's words; nothing saved, the refusal audited (assert_refused)."""
    return assert_refused(
        code, action, unchanged=(Allocation, PhaseChange, Episode), **kwargs
    ).message


def history(episode):
    return (
        list(
            Allocation.objects.filter(episode=episode).values_list(
                "worker__user__username", "ended_on"
            )
        ),
        list(PhaseChange.objects.filter(episode=episode).values_list("to_phase__code", flat=True)),
    )


def test_an_episode_opens_with_one_keyworker_and_a_phase(personas):
    episode = personas.episode
    assert episode.keyworker == personas.mi_keyworker
    assert history(episode) == ([("mia.trained", None)], ["engagement"])


def test_a_team_leader_reallocates_with_a_date_and_reason_and_history_is_kept(personas):
    episode = personas.episode
    actions.allocate_keyworker(
        actor=personas.team_leader.user,
        episode=episode,
        given=actions.AllocateKeyworkerInput(
            worker=personas.keyworker, on=today(), reason="Caseload balance"
        ),
    )
    episode.refresh_from_db()
    assert episode.keyworker == personas.keyworker
    assert history(episode)[0] == [("mia.trained", today()), ("kit.plain", None)]


def test_a_keyworker_cannot_reallocate(personas):
    before = history(personas.episode)
    refused(
        "ACCESS",
        actions.allocate_keyworker,
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=actions.AllocateKeyworkerInput(worker=personas.keyworker, on=today(), reason="x"),
    )
    assert history(personas.episode) == before


@pytest.mark.parametrize(
    ("worker", "on", "reason", "says"),
    [
        ("mi_keyworker", 0, "Cover", "already the keyworker"),
        ("keyworker", 1, "Cover", "in the future"),
        ("keyworker", -400, "Cover", "before the current keyworker's allocation began"),
        ("keyworker", 0, "  ", "say why"),
        ("manager", 0, "Cover", "not a keyworker"),
    ],
)
def test_reallocation_keeps_rule_1(personas, worker, on, reason, says):
    before = history(personas.episode)
    message = refused(
        "R1",
        actions.allocate_keyworker,
        actor=personas.team_leader.user,
        episode=personas.episode,
        given=actions.AllocateKeyworkerInput(
            worker=getattr(personas, worker), on=today() + on * DAY, reason=reason
        ),
    )
    assert says in message
    assert history(personas.episode) == before


def test_a_disabled_worker_cannot_be_allocated(personas):
    from keywork.access.actions import set_active

    set_active(
        actor=None, worker=personas.keyworker, given=SetActiveInput(active=False, reason="Left")
    )
    personas.keyworker.user.refresh_from_db()
    message = refused(
        "R1",
        actions.allocate_keyworker,
        actor=personas.team_leader.user,
        episode=personas.episode,
        given=actions.AllocateKeyworkerInput(worker=personas.keyworker, on=today(), reason="Cover"),
    )
    assert "disabled" in message


@pytest.mark.raw_sql_against_database
def test_the_database_holds_one_current_keyworker_per_episode(personas):
    def second_current():
        Allocation.objects.create(
            episode=personas.episode, worker=personas.keyworker, started_on=today()
        )

    with pytest.raises(IntegrityError), transaction.atomic():
        second_current()


def test_one_open_episode_per_client_per_service(personas):
    message = refused(
        "EPISODE",
        actions.open_episode,
        actor=personas.mi_keyworker.user,
        client=personas.client,
        given=actions.OpenEpisodeInput(
            team=personas.team,
            referral_date=today(),
            keyworker=personas.mi_keyworker,
            substances=[SubstanceUse(code="sub.heroin", route="inject")],
        ),
    )
    assert "already has an open episode" in message
    assert Episode.objects.filter(client=personas.client).count() == 1


@pytest.mark.raw_sql_against_database
def test_the_database_holds_one_open_episode_per_client_per_service(personas):
    def second_open():
        Episode.objects.create(
            client=personas.client,
            service=personas.service,
            team=personas.team,
            referral_date=today(),
            phase=personas.episode.phase,
            keyworker=personas.mi_keyworker,
        )

    with pytest.raises(IntegrityError), transaction.atomic():
        second_open()


def test_phases_move_forward_one_at_a_time_and_back_with_a_reason(personas):
    episode, who = personas.episode, personas.mi_keyworker.user
    actions.move_phase(
        actor=who,
        episode=episode,
        given=actions.MovePhaseInput(
            to="preparation", on=today() - 10 * DAY, reason="Goals agreed"
        ),
    )
    actions.move_phase(
        actor=who,
        episode=episode,
        given=actions.MovePhaseInput(to="change", on=today() - 5 * DAY, reason="Started reducing"),
    )
    actions.move_phase(
        actor=who,
        episode=episode,
        given=actions.MovePhaseInput(
            to="engagement", on=today(), reason="Relapse after a bereavement"
        ),
    )
    episode.refresh_from_db()
    assert episode.phase.code == "engagement"
    moves = PhaseChange.objects.filter(episode=episode).order_by("changed_on", "id")
    assert [(m.from_phase and m.from_phase.code, m.to_phase.code) for m in moves] == [
        (None, "engagement"),
        ("engagement", "preparation"),
        ("preparation", "change"),
        ("change", "engagement"),
    ]
    assert moves.last().decided_by == who and moves.last().reason == "Relapse after a bereavement"


@pytest.mark.parametrize(
    ("to", "on", "reason", "says"),
    [
        ("change", 0, "Fast", "forward one phase at a time"),
        ("reintegration", 0, "Doing well", "runs alongside every phase"),
        ("engagement", 0, "Same", "already in Engagement"),
        ("preparation", 1, "Tomorrow", "in the future"),
        ("preparation", -90, "Before", "before the last phase move"),
        ("preparation", 0, "", "say why"),
    ],
)
def test_phase_moves_keep_rule_2(personas, to, on, reason, says):
    before = history(personas.episode)
    message = refused(
        "R2",
        actions.move_phase,
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=actions.MovePhaseInput(to=to, on=today() + on * DAY, reason=reason),
    )
    assert says in message
    assert history(personas.episode) == before


def test_another_team_cannot_move_the_phase(personas):
    refused(
        "ACCESS",
        actions.move_phase,
        actor=personas.other_keyworker.user,
        episode=personas.episode,
        given=actions.MovePhaseInput(to="preparation", on=today(), reason="x"),
    )


def test_a_client_id_is_used_once(personas):
    message = refused(
        "INVALID",
        actions.register_client,
        actor=personas.mi_keyworker.user,
        given=actions.RegisterClientInput(
            local_id="T0001",
            given_name="A",
            family_name="B",
            date_of_birth=dt.date(1990, 1, 1),
            sex="male",
        ),
    )
    assert message.startswith("local_id:")


def test_a_commissioner_cannot_register_clients(personas):
    refused(
        "ACCESS",
        actions.register_client,
        actor=personas.commissioner.user,
        given=actions.RegisterClientInput(
            local_id="T0099",
            given_name="A",
            family_name="B",
            date_of_birth=dt.date(1990, 1, 1),
            sex="male",
        ),
    )


def new_client(personas, local_id="T0100"):
    return actions.register_client(
        actor=personas.mi_keyworker.user,
        given=actions.RegisterClientInput(
            local_id=local_id,
            given_name="Ari",
            family_name="New",
            date_of_birth=dt.date(2000, 6, 1),
            sex="not_stated",
        ),
    )


@pytest.mark.parametrize(
    ("uses", "says"),
    [
        ([], "one to three problem substances"),
        ([SubstanceUse(code="sub.heroin", route="inject")] * 2, "listed twice"),
        (
            [
                SubstanceUse(code=c, route="oral")
                for c in ("sub.heroin", "sub.crack", "sub.alcohol", "sub.cannabis")
            ],
            "one to three",
        ),
        ([SubstanceUse(code="sub.tea", route="oral")], "'sub.tea' is not a substance"),
        ([SubstanceUse(code="sub.heroin", route="ear")], "'ear' is not a route"),
        (
            [SubstanceUse(code="sub.heroin", route="smoke", age_first_used=60)],
            "between 5 and the client's age",
        ),
    ],
)
def test_problem_substances_are_checked_and_nothing_is_saved(personas, uses, says):
    client = new_client(personas)
    message = refused(
        "INVALID",
        actions.open_episode,
        actor=personas.mi_keyworker.user,
        client=client,
        given=actions.OpenEpisodeInput(
            team=personas.team,
            referral_date=today(),
            keyworker=personas.mi_keyworker,
            substances=uses,
        ),
    )
    assert message.startswith("substances:") and says in message
    assert not Episode.objects.filter(client=client).exists()


def test_substances_are_kept_in_order_with_route_and_age(personas):
    uses = list(
        personas.episode.substances.values_list(
            "rank", "substance__code", "route", "age_first_used"
        )
    )
    assert uses == [(1, "sub.heroin", "inject", 19), (2, "sub.crack", "smoke", None)]


def test_discharge_records_date_and_exit_reason_and_a_return_opens_a_linked_episode(personas):
    episode, who = personas.episode, personas.mi_keyworker.user
    actions.discharge(
        actor=who,
        episode=episode,
        given=actions.DischargeInput(on=today(), exit_reason="dropped_out", note="No contact"),
    )
    episode.refresh_from_db()
    assert (episode.discharged_on, episode.exit_reason, episode.is_open) == (
        today(),
        "dropped_out",
        False,
    )
    back = actions.open_episode(
        actor=who,
        client=personas.client,
        given=actions.OpenEpisodeInput(
            team=personas.team,
            referral_date=today(),
            keyworker=personas.keyworker,
            substances=[SubstanceUse(code="sub.heroin", route="smoke")],
        ),
    )
    assert back.previous_episode == episode and back.is_open
    refused(
        "R2",
        actions.move_phase,
        actor=who,
        episode=episode,
        given=actions.MovePhaseInput(to="preparation", on=today(), reason="x"),
    )
    refused(
        "R1",
        actions.allocate_keyworker,
        actor=personas.team_leader.user,
        episode=episode,
        given=actions.AllocateKeyworkerInput(worker=personas.keyworker, on=today(), reason="x"),
    )


@pytest.mark.parametrize(
    ("on", "reason", "says"),
    [
        (1, "dropped_out", "in the future"),
        (-61, "dropped_out", "before the last recorded event"),
        (0, "", "exit reason"),
    ],
)
def test_discharge_is_refused_when_it_cannot_be_true(personas, on, reason, says):
    message = refused(
        "EPISODE",
        actions.discharge,
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=actions.DischargeInput(on=today() + on * DAY, exit_reason=reason),
    )
    assert says in message
    personas.episode.refresh_from_db()
    assert personas.episode.is_open


def test_a_discharged_episode_cannot_be_discharged_again(personas):
    who = personas.mi_keyworker.user
    actions.discharge(
        actor=who,
        episode=personas.episode,
        given=actions.DischargeInput(on=today(), exit_reason="transferred"),
    )
    assert "already discharged" in refused(
        "EPISODE",
        actions.discharge,
        actor=who,
        episode=personas.episode,
        given=actions.DischargeInput(on=today(), exit_reason="died"),
    )
