"""Offers (NICE QS6: people in drug treatment "are offered appropriate psychosocial
interventions by their keyworker"; DOMAIN.md: "a keyworker records an intervention offered
and whether the client took it up or declined"), through the action, the form and the
import, and what the measure makes of them."""

import datetime as dt
import html

import pytest

from keywork.access.tests.trail import assert_refused
from keywork.audit.models import AuditEvent
from keywork.core.dates import today
from keywork.core.tests.test_import import lines, run
from keywork.interventions import actions
from keywork.interventions.models import Offer
from keywork.measures.tests.test_qs6 import FOCUS, measure, numbers, reasons, seen

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
MI = "kwp.motivational-interviewing"


def offer(personas, answer="declined", reason="Not ready to talk about it yet", **more):
    values = {
        "code": MI,
        "on": today() - 3 * DAY,
        "offered_by": personas.mi_keyworker,
        "answer": answer,
        "reason": reason,
    }
    values.update(more)
    return actions.record_offer(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=actions.OfferInput(**values),
    )


def test_an_offer_keeps_what_when_who_and_the_answer_and_is_audited(personas):
    made = offer(personas, answer="accepted", reason="")
    assert (made.entry.code, made.offered_by, made.answer) == (
        MI,
        personas.mi_keyworker,
        "accepted",
    )
    assert AuditEvent.objects.filter(what="record_offer", client=personas.client).exists()


@pytest.mark.parametrize(
    ("changes", "code", "says"),
    [
        ({"reason": ""}, "INVALID", "reason: say why the client declined it"),
        (
            {"answer": "deferred", "reason": " "},
            "INVALID",
            "reason: say why the client deferred it",
        ),
        ({"answer": "maybe"}, "INVALID", "answer: choose one of accepted, declined, deferred"),
        ({"on": today() + DAY}, "INVALID", "is in the future"),
        ({"code": "tool.decision-balance"}, "R3", "is not an intervention"),
        ({"code": "nope"}, "R3", "is not offered in the catalogue"),
    ],
)
def test_an_offer_that_breaks_a_rule_is_refused(personas, changes, code, says):
    error = assert_refused(code, lambda: offer(personas, **changes), unchanged=(Offer,))
    assert says in error.message


def test_the_form_and_the_import_refuse_a_decline_without_a_reason_in_the_same_words(
    client, personas, tmp_path
):
    error = assert_refused("INVALID", offer, personas, reason="", unchanged=(Offer,))
    client.force_login(personas.mi_keyworker.user)
    url = "/clients/T0001/interventions/offer/"
    data = {
        "intervention": MI,
        "on": (today() - DAY).isoformat(),
        "offered_by": personas.mi_keyworker.pk,
        "answer": "declined",
        "reason": "",
    }
    page = html.unescape(client.post(url, data).content.decode())
    assert error.shown in page
    line = {k: v for k, v in data.items() if k != "offered_by"} | {
        "action": "record_offer",
        "client": "T0001",
        "offered_by": personas.mi_keyworker.user.username,
    }
    _, err, failed = run(tmp_path, lines(line))
    assert err.strip() == f"line 1: INVALID: {error.message}" and failed
    assert not Offer.objects.exists()
    assert client.post(url, data | {"reason": "Wants to wait"}).status_code == 302
    shown = client.get("/clients/T0001/interventions/").content.decode()
    assert "Wants to wait" in shown and "Declined" in shown


def test_qs6_tells_offered_and_declined_from_not_offered_and_shows_the_proportion_offered(
    personas,
):
    """T0001 attended a session with no psychosocial intervention: without an offer, "no
    psychosocial intervention"; having declined the keyworker's offer of motivational
    interviewing, "offered and declined", and offered though not counted. An offer by someone
    other than the keyworker does not make it so."""
    seen(personas, personas.mi_keyworker, 5)
    result = measure(personas)
    assert reasons(result) == {"T0001": "no_psychosocial_intervention"}
    assert (result.offered, result.offered_proportion) == (0, 0)
    offer(personas, offered_by=personas.keyworker)  # not the keyworker
    assert reasons(measure(personas)) == {"T0001": "no_psychosocial_intervention"}
    offer(personas)
    result = measure(personas)
    assert numbers(result) == (0, 1)
    assert reasons(result) == {"T0001": "offered_declined"}
    assert result.not_counted[0].reason == "offered by their keyworker and declined"
    assert (result.offered, str(result.offered_proportion)) == (1, "1.0000")


def test_received_counts_as_offered(personas):
    seen(personas, personas.mi_keyworker, 5, FOCUS)
    result = measure(personas)
    assert numbers(result) == (1, 1) and result.offered == 1
