"""Referrals through their actions: where to, consent to share, the status line and its
chase date."""

import datetime as dt
from functools import partial
from typing import Any

import pytest

from keywork.access.tests.trail import assert_refused
from keywork.core.dates import today
from keywork.core.errors import RuleViolation
from keywork.core.inputs import Reason
from keywork.referrals import actions
from keywork.referrals.actions import ReferralInput
from keywork.referrals.models import Referral, StatusChange

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def given(**changes) -> ReferralInput:
    values: dict[str, Any] = {
        "made_on": today() - 2 * DAY,
        "how": "supported",
        "reason": "Housing options appointment",
        "consent_to_share": True,
        "consent_on": today() - 2 * DAY,
        "destination": "ref.housing",
        "agency": "Northbrook Council housing options",
    }
    values.update(changes)
    return ReferralInput(**values)


def refer(personas, **changes) -> Referral:
    return actions.make_referral(
        actor=personas.mi_keyworker.user, episode=personas.episode, given=given(**changes)
    )


def move(personas, referral, status, on, note=""):
    return actions.move_referral(
        actor=personas.mi_keyworker.user,
        referral=referral,
        given=actions.MoveReferralInput(status=status, on=on, note=note),
    )


refused = partial(assert_refused, unchanged=(Referral, StatusChange))


def test_a_referral_is_made_with_consent_and_a_chase_date(personas):
    referral = refer(personas)
    assert referral.status == "made" and referral.chase_on == today() + 12 * DAY
    assert referral.to == "Housing: Northbrook Council housing options"
    assert [c.status for c in referral.changes.all()] == ["made"]


def test_no_consent_no_referral_unless_an_override_says_why(personas):
    error = refused("CONSENT", refer, personas, consent_to_share=False, consent_on=None)
    assert "no referral without consent" in error.message
    refused("CONSENT", refer, personas, consent_on=today())  # agreed after it was made
    made = refer(
        personas,
        consent_to_share=False,
        consent_on=None,
        override_reason="Child protection: the law requires it",
    )
    assert made.override_reason.startswith("Child protection")


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"destination": "", "agency": ""}, "choose where the referral goes"),
        ({"destination": "ref.nowhere"}, "'ref.nowhere' is not offered"),
        ({"how": "signposted"}, "supported or facilitated"),
        ({"reason": " "}, "say why the client is referred"),
        ({"made_on": today() + DAY}, "is in the future"),
    ],
)
def test_a_referral_says_where_how_and_why(personas, changes, says):
    assert says in refused("INVALID", refer, personas, **changes).message


def test_a_referral_to_a_colleague_is_not_also_to_an_agency(personas):
    refused("INVALID", refer, personas, colleague=personas.keyworker)
    made = refer(personas, destination="", agency="", colleague=personas.keyworker)
    assert made.to == personas.keyworker.name


def test_the_status_line_keeps_every_change_and_moves_the_chase_date(personas):
    referral = refer(personas, made_on=today() - 20 * DAY, consent_on=today() - 20 * DAY)
    assert referral.chase_on == today() - 6 * DAY  # stalled: to chase
    error = refused("INVALID", move, personas, referral, "attended", today())
    assert "from made a referral moves to accepted, declined, closed" in error.message
    move(personas, referral, "accepted", today() - 5 * DAY)
    refused("INVALID", move, personas, referral, "first_appointment", today() - 6 * DAY)
    move(personas, referral, "first_appointment", today() + 3 * DAY, "Tuesday 10:00")
    assert referral.chase_on == today() + 4 * DAY
    refused("INVALID", move, personas, referral, "attended", today() + 3 * DAY)  # not yet
    assert [c.status for c in referral.changes.all()] == ["made", "accepted", "first_appointment"]


def test_a_closed_referral_moves_no_more(personas):
    referral = refer(personas)
    move(personas, referral, "declined", today() - DAY, "No capacity")
    move(personas, referral, "closed", today())
    assert referral.chase_on is None
    error = refused("INVALID", move, personas, referral, "accepted", today())
    assert "this referral is closed" in error.message


def test_rule_4s_suggestion_makes_a_ready_referral(personas):
    from keywork.interventions.tests.test_interventions import start

    with pytest.raises(RuleViolation) as caught:
        start(personas, practitioner=personas.keyworker)
    suggestion = caught.value.suggestion["referral"]  # type: ignore[index]
    made = refer(
        personas,
        destination="",
        agency="",
        colleague=personas.mi_keyworker,
        intervention=suggestion["intervention"],
        reason=suggestion["reason"],
    )
    assert made.intervention is not None and made.intervention.code == suggestion["intervention"]
    assert made.reason == "Motivational interviewing: needs a practitioner competent to deliver it"


def test_a_referral_in_error_stays_and_moves_no_more(personas):
    referral = refer(personas)
    actions.mark_referral_in_error(
        actor=personas.mi_keyworker.user, referral=referral, given=Reason(reason="Wrong client")
    )
    refused("R13", move, personas, referral, "accepted", today())
