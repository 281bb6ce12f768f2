"""Recovery check-ups (rule 12) through their actions: only after a successful completion,
each recorded once with what it found, and a one-step return to treatment."""

import datetime as dt
from functools import partial
from typing import Any

import pytest

from keywork.access.tests.trail import assert_refused
from keywork.checkups import actions
from keywork.checkups.actions import CheckUpInput
from keywork.checkups.models import CheckUp
from keywork.clients import actions as clients
from keywork.clients.models import Episode
from keywork.core.dates import today

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def schedule(personas: Any, episode: Episode, **changes: Any) -> list[CheckUp]:
    values: dict[str, Any] = {"first_on": today() - 10 * DAY, "every_weeks": 4, "count": 6}
    values.update(changes)
    return actions.schedule_checkups(
        actor=personas.mi_keyworker.user,
        episode=episode,
        given=actions.ScheduleCheckupsInput(**values),
    )


def found(**changes: Any) -> CheckUpInput:
    values: dict[str, Any] = {
        "done_on": today() - 9 * DAY,
        "contact_made": True,
        "lapse": "none",
        "further_services": ("rs.mutual-aid",),
        "notes": "Going to SMART weekly; working again.",
    }
    values.update(changes)
    return CheckUpInput(**values)


refused = partial(assert_refused, unchanged=(CheckUp, Episode))


def test_check_ups_are_scheduled_every_few_weeks_after_a_successful_completion(
    personas: Any, completed: Episode
) -> None:
    made = schedule(personas, completed)
    assert [c.due_on for c in made] == [today() - 10 * DAY + 28 * n * DAY for n in range(6)]
    assert {c.worker for c in made} == {personas.mi_keyworker}


def test_check_ups_are_refused_without_a_successful_completion(personas: Any) -> None:
    error = refused("R12", lambda: schedule(personas, personas.episode))
    assert "the episode is open" in error.message
    clients.discharge(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=clients.DischargeInput(on=today() - 20 * DAY, exit_reason="dropped_out"),
    )
    error = refused("R12", lambda: schedule(personas, personas.episode))
    assert "ended: Dropped out or left" in error.message


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        (
            {"first_on": today() - 20 * DAY},
            "first_on: the first check-up comes after the discharge",
        ),
        ({"every_weeks": 0}, "every_weeks: 0 is not 1 to 26 weeks"),
        ({"count": 13}, "count: 13 is not 1 to 12 check-ups"),
    ],
)
def test_a_schedule_out_of_range_is_refused(
    personas: Any, completed: Episode, changes: Any, says: str
) -> None:
    assert says in refused("INVALID", lambda: schedule(personas, completed, **changes)).message


def test_a_check_up_records_contact_signs_of_lapse_and_further_services(
    personas: Any, completed: Episode
) -> None:
    first = schedule(personas, completed)[0]
    done = actions.record_checkup(actor=personas.mi_keyworker.user, checkup=first, given=found())
    assert done.status == "contact_made" and done.lapse == "none"
    assert [e.code for e in done.further_services.all()] == ["rs.mutual-aid"]
    again = refused(
        "R12",
        lambda: actions.record_checkup(
            actor=personas.mi_keyworker.user, checkup=first, given=found()
        ),
    )
    assert "already recorded: contact made" in again.message


@pytest.mark.parametrize(
    ("changes", "code", "says"),
    [
        ({"lapse": ""}, "R12", "say what the contact found"),
        ({"contact_made": False, "lapse": "relapse"}, "R12", "without contact, what was found"),
        ({"done_on": today() - 20 * DAY}, "INVALID", "a check-up comes after the discharge"),
        ({"done_on": today() + DAY}, "INVALID", "is in the future"),
        (
            {"further_services": ("kwp.motivational-interviewing",)},
            "INVALID",
            "not recovery support",
        ),
        ({"lapse": "wobbly"}, "INVALID", "choose one of"),
    ],
)
def test_a_check_up_that_breaks_a_rule_is_refused(
    personas: Any, completed: Episode, changes: Any, code: str, says: str
) -> None:
    first = schedule(personas, completed)[0]
    error = refused(
        code,
        lambda: actions.record_checkup(
            actor=personas.mi_keyworker.user, checkup=first, given=found(**changes)
        ),
    )
    assert says in error.message
    first.refresh_from_db()
    assert first.status == "due"


def test_no_contact_records_nothing_known(personas: Any, completed: Episode) -> None:
    first = schedule(personas, completed)[0]
    done = actions.record_checkup(
        actor=personas.mi_keyworker.user,
        checkup=first,
        given=found(contact_made=False, lapse="", further_services=()),
    )
    assert (done.status, done.lapse) == ("no_contact", "not_known")


def test_a_relapse_returns_the_client_to_treatment_in_one_step(
    personas: Any, completed: Episode
) -> None:
    made = schedule(personas, completed)
    actions.record_checkup(
        actor=personas.mi_keyworker.user, checkup=made[0], given=found(lapse="relapse")
    )
    new = actions.return_to_treatment(
        actor=personas.mi_keyworker.user,
        episode=completed,
        given=actions.ReturnToTreatmentInput(
            on=today() - 8 * DAY, reason="Using heroin again since losing work"
        ),
    )
    assert new.is_open and new.previous_episode == completed and new.team == completed.team
    assert new.keyworker == personas.mi_keyworker and new.referral_source == "Recovery check-up"
    assert [s.substance.code for s in new.substances.order_by("rank")] == [
        "sub.heroin",
        "sub.crack",
    ]
    assert new.phase.code == "engagement"
    statuses = list(CheckUp.objects.order_by("due_on").values_list("status", flat=True))
    assert statuses == ["contact_made"] + ["cancelled"] * 5
    again = refused(
        "EPISODE",
        lambda: actions.return_to_treatment(
            actor=personas.mi_keyworker.user,
            episode=completed,
            given=actions.ReturnToTreatmentInput(on=today(), reason="Again"),
        ),
    )
    assert "already returned" in again.message
    assert "returned to treatment" in refused("R12", lambda: schedule(personas, completed)).message


def test_a_return_needs_a_reason_and_a_date_after_discharge(
    personas: Any, completed: Episode
) -> None:
    def back(on: dt.date, reason: str) -> Any:
        return lambda: actions.return_to_treatment(
            actor=personas.mi_keyworker.user,
            episode=completed,
            given=actions.ReturnToTreatmentInput(on=on, reason=reason),
        )

    assert "say why" in refused("INVALID", back(today(), " ")).message
    assert "after the discharge" in refused("INVALID", back(today() - 21 * DAY, "x")).message


def test_only_the_clients_team_arranges_check_ups(personas: Any, completed: Episode) -> None:
    def call() -> object:
        return actions.schedule_checkups(
            actor=personas.other_keyworker.user,
            episode=completed,
            given=actions.ScheduleCheckupsInput(first_on=today(), every_weeks=4, count=1),
        )

    refused("ACCESS", call)


def test_support_after_completion_starts_after_discharge_and_nothing_else_does(
    personas: Any, completed: Episode
) -> None:
    from keywork.interventions.actions import InterventionInput, start_intervention

    def start(code: str) -> Any:
        return start_intervention(
            actor=personas.mi_keyworker.user,
            episode=completed,
            given=InterventionInput(
                code=code,
                setting="community",
                started_on=today() - 5 * DAY,
                practitioner=personas.mi_keyworker,
            ),
        )

    assert start("rs.relapse-prevention-psychosocial").episode == completed
    error = refused("EPISODE", lambda: start("rs.complementary-therapies"))
    assert "only support after a successful completion carries on" in error.message
