"""Referrals on the web and in the import: the same words; rule 4's refusal links to a
filled-in referral; a stalled referral is flagged on the caseload."""

import datetime as dt
import html

import pytest

from keywork.core.dates import today
from keywork.core.errors import RuleViolation
from keywork.core.tests.test_import import lines, run
from keywork.interventions.tests.test_pages import form as intervention_form
from keywork.referrals.models import Referral
from keywork.referrals.tests.test_referrals import refer

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
NEW = "/clients/T0001/referrals/new/"


def form(**changes) -> dict:
    data = {
        "destination": "ref.housing",
        "agency": "Council housing options",
        "colleague": "",
        "intervention": "",
        "how": "supported",
        "reason": "Housing options appointment",
        "consent_to_share": "no",
        "consent_on": "",
        "override_reason": "",
        "made_on": str(today()),
        "chase_on": "",
    }
    data.update(changes)
    return data


def page(response) -> str:
    return html.unescape(response.content.decode())


def test_no_consent_is_refused_in_the_same_words_on_the_form_and_in_the_import(
    client, personas, tmp_path
):
    with pytest.raises(RuleViolation) as caught:
        refer(personas, consent_to_share=False, consent_on=None, made_on=today())
    error = caught.value
    client.force_login(personas.mi_keyworker.user)
    response = client.post(NEW, form())
    assert response.status_code == 200 and error.shown in page(response)
    line = {
        "action": "make_referral",
        "client": "T0001",
        "destination": "ref.housing",
        "agency": "Council housing options",
        "how": "supported",
        "reason": "Housing options appointment",
        "consent_to_share": False,
        "made_on": str(today()),
    }
    _, err, failed = run(tmp_path, lines(line))
    assert err.strip() == f"line 1: CONSENT: {error.message}" and failed
    assert not Referral.objects.exists()
    with_consent = {**line, "consent_to_share": True, "consent_on": str(today())}
    accepted = {
        "action": "move_referral",
        "client": "T0001",
        "made_on": str(today()),
        "destination": "ref.housing",
        "status": "accepted",
        "on": str(today()),
    }
    _, err, failed = run(tmp_path, lines(with_consent, accepted))
    assert err == "" and Referral.objects.get().status == "accepted"


def test_rule_4s_refusal_links_to_a_filled_in_referral(client, personas):
    client.force_login(personas.keyworker.user)
    refused = page(
        client.post(
            "/clients/T0001/interventions/new/",
            intervention_form(personas, practitioner=personas.keyworker.pk),
        )
    )
    assert "(rule 4)" in refused and "make this referral, filled in" in refused
    link = refused.split('Refer instead: <a href="')[1].split('"')[0]
    assert link.startswith(NEW + "?intervention=kwp.motivational-interviewing")
    filled = page(client.get(link))
    assert '<option value="kwp.motivational-interviewing" selected>' in filled
    assert "needs a practitioner competent to deliver it" in filled
    assert f'<option value="{personas.mi_keyworker.pk}" selected>' in filled  # Mia can
    response = client.post(
        link,
        form(
            destination="",
            agency="",
            colleague=personas.mi_keyworker.pk,
            intervention="kwp.motivational-interviewing",
            reason="MI with Mia",
            consent_to_share="yes",
            consent_on=str(today()),
        ),
    )
    assert response.status_code == 302
    assert Referral.objects.get().colleague == personas.mi_keyworker


def test_a_stalled_referral_is_flagged_on_the_caseload_and_filtered(client, personas):
    client.force_login(personas.mi_keyworker.user)
    refer(personas, made_on=today() - 20 * DAY, consent_on=today() - 20 * DAY)
    caseload = page(client.get("/"))
    assert "Referral to chase" in caseload
    assert "Sam Synthetic" in page(client.get("/?show=chase"))
    listing = page(client.get("/clients/T0001/referrals/"))
    assert "Chase: due" in listing
    timeline = page(client.get("/clients/T0001/"))
    assert (
        "Referral to <strong>Housing: Northbrook Council housing options</strong>: made" in timeline
    )
