"""Outcome profiles through their action: every value in range, the stages in order, and
the next one due (rule 11)."""

import datetime as dt
from decimal import Decimal
from functools import partial

import pytest

from keywork.access.tests.trail import assert_refused
from keywork.core.dates import add_months, today
from keywork.core.inputs import Reason
from keywork.outcomes import actions
from keywork.outcomes.actions import ProfileInput
from keywork.outcomes.models import OutcomeProfile
from keywork.outcomes.queries import due_of, profiles_of

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def profile(**changes) -> ProfileInput:
    values = {
        "stage": "start",
        "taken_on": today() - 50 * DAY,
        "use": {"opiates": (24, Decimal("0.5")), "crack": (6, Decimal("0.2"))},
        "injecting_days": 20,
        "shared_equipment": True,
        "psychological_health": 6,
        "physical_health": 8,
        "quality_of_life": 5,
        "acute_housing_problem": True,
    }
    values.update(changes)
    return ProfileInput(**values)  # type: ignore[arg-type]


def take(personas, **changes) -> OutcomeProfile:
    return actions.take_outcomes(
        actor=personas.mi_keyworker.user, episode=personas.episode, given=profile(**changes)
    )


refused = partial(assert_refused, unchanged=(OutcomeProfile,))


def test_a_start_profile_is_recorded_and_the_review_falls_due_six_months_on(personas):
    assert due_of(personas.episode, []) == personas.episode.referral_date  # due at once
    start = take(personas)
    assert start.days_used("opiates") == 24 and start.use["opiates"] == [24, "0.5"]
    due = due_of(personas.episode, profiles_of(personas.episode))
    assert due == add_months(start.taken_on, 6)


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"injecting_days": 29}, "injecting_days: 29 is not a number of days in the past four"),
        ({"paid_work_days": -1}, "paid_work_days: -1"),
        ({"quality_of_life": 21}, "quality_of_life: 21 is not a rating from 0 to 20"),
        ({"use": {"alcohol": (29, Decimal(10))}}, "alcohol_days: 29"),
        ({"use": {"alcohol": (3, None)}}, "alcohol: give the typical amount on a day of use"),
        ({"use": {"alcohol": (0, Decimal(4))}}, "an amount is given for no days of use"),
        ({"use": {"alcohol": (3, Decimal(250))}}, "250 units on a day of use is beyond"),
        ({"use": {"glue": (3, Decimal(1))}}, "'glue' is not one of"),
        ({"injecting_days": 0, "shared_equipment": True}, "sharing is recorded with days of"),
        ({"taken_on": today() + DAY}, "is in the future"),
    ],
)
def test_out_of_range_values_are_refused(personas, changes, says):
    assert says in refused("INVALID", take, personas, **changes).message


def test_the_edges_of_each_range_are_accepted(personas):
    edge = take(
        personas,
        injecting_days=28,
        psychological_health=20,
        physical_health=0,
        use={"alcohol": (28, Decimal(200)), "cannabis": (0, None)},
    )
    assert edge.injecting_days == 28 and edge.psychological_health == 20


def test_the_stages_come_in_order(personas):
    error = refused("R11", take, personas, stage="review")
    assert "take the start profile first" in error.message
    take(personas)
    assert "the start profile was taken on" in refused("R11", take, personas).message
    refused("R11", take, personas, stage="review", taken_on=today() - 60 * DAY)  # before the start
    take(personas, stage="review", taken_on=today() - 10 * DAY, injecting_days=4)
    take(personas, stage="exit", taken_on=today())
    assert due_of(personas.episode, profiles_of(personas.episode)) is None
    assert (
        "no more follow" in refused("R11", take, personas, stage="review", taken_on=today()).message
    )


def test_a_profile_in_error_stays_and_a_new_start_can_be_taken(personas):
    wrong = take(personas)
    actions.mark_outcomes_in_error(
        actor=personas.mi_keyworker.user,
        profile=wrong,
        given=Reason(reason="Another client's answers"),
    )
    assert take(personas, taken_on=today() - 40 * DAY).stage == "start"
    assert OutcomeProfile.objects.count() == 2


def test_add_months_keeps_the_day_or_the_months_last():
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 11, 23), 6) == dt.date(2027, 5, 23)
