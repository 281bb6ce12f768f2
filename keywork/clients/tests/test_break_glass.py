"""Break-glass: a worker opens, in an emergency and with a real reason, the record of a client
of the service outside their team; read only, for four hours, a banner on every page, every
read audited as break-glass; the service manager reviews and signs off each use, and each
referral made without consent."""

from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.utils import timezone

from keywork.audit.models import AuditEvent
from keywork.clients.models import BreakGlass
from keywork.core.errors import RuleViolation
from keywork.referrals.models import OverrideReview
from keywork.referrals.tests.test_referrals import refer

pytestmark = pytest.mark.django_db
RECORD = "/clients/T0001/"
REASON = "Client arrived at our office in crisis and their team is closed"


def as_user(user) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def test_another_team_is_refused_the_record_and_offered_the_way_in(personas):
    browser = as_user(personas.other_keyworker.user)
    page = browser.get(RECORD)
    assert page.status_code == 403
    assert "/clients/T0001/break-glass/" in page.content.decode()
    refusal = AuditEvent.objects.filter(verb="refused").latest("id")
    assert refusal.client == personas.client and refusal.detail["status"] == 403


def test_a_token_word_is_not_a_reason(personas):
    browser = as_user(personas.other_keyworker.user)
    page = browser.post(RECORD + "break-glass/", {"reason": "urgent"}).content.decode()
    assert "a token word is not a reason." in page
    assert not BreakGlass.objects.exists()
    assert AuditEvent.objects.filter(verb="refused", what="break_glass").exists()


def test_broken_glass_opens_the_record_to_read_audits_every_read_and_shows_a_banner(personas):
    browser = as_user(personas.other_keyworker.user)
    response = browser.post(RECORD + "break-glass/", {"reason": REASON})
    assert response.status_code == 302 and response["Location"] == RECORD
    page = browser.get(RECORD).content.decode()
    assert "Break-glass access" in page and personas.client.family_name in page
    assert "Break-glass access" in browser.get("/").content.decode(), "on every page"
    assert browser.get(RECORD + "care-plan/").status_code == 200
    reads = AuditEvent.objects.filter(verb="view", client=personas.client)
    assert reads.filter(actor=personas.other_keyworker.user).count() == 2
    assert all(r.detail == {"break_glass": True} for r in reads.filter(
        actor=personas.other_keyworker.user
    ))  # fmt: skip
    assert browser.get(RECORD + "phase/").status_code == 404, "read only"
    assert AuditEvent.objects.get(verb="breakglass").detail["reason"] == REASON


def test_the_access_ends_after_its_hours(personas, settings):
    settings.KEYWORK_BREAK_GLASS_HOURS = 0  # its hours are over as soon as it opens
    browser = as_user(personas.other_keyworker.user)
    browser.post(RECORD + "break-glass/", {"reason": REASON})
    assert BreakGlass.objects.get().ends_at <= timezone.now()
    assert browser.get(RECORD).status_code == 403
    assert "Break-glass access" not in browser.get("/").content.decode()


def test_no_break_glass_into_another_service(personas):
    from keywork.access import actions as access
    from keywork.access.models import Role
    from keywork.testing.personas import worker

    elsewhere = access.create_service(
        actor=None, given=access.CreateServiceInput(code="far", name="Far Recovery")
    )
    team = access.create_team(
        actor=None, service=elsewhere, given=access.CreateTeamInput(code="far-a", name="Far A")
    )
    outsider = worker("out.sider", Role.KEYWORKER, team=team, service=elsewhere)
    browser = as_user(outsider.user)
    assert browser.get(RECORD).status_code == 404
    assert browser.post(RECORD + "break-glass/", {"reason": REASON}).status_code == 404
    assert not BreakGlass.objects.exists()


def test_the_manager_reviews_and_signs_off_each_use(personas):
    as_user(personas.other_keyworker.user).post(RECORD + "break-glass/", {"reason": REASON})
    grant = BreakGlass.objects.get()
    manager = as_user(personas.manager.user)
    page = manager.get("/access-reviews/").content.decode()
    assert REASON in page and "Sign off" in page
    assert as_user(personas.team_leader.user).get("/access-reviews/").status_code == 404
    sent = {"kind": "glass", "pk": grant.pk, "note": "Appropriate: crisis, team closed"}
    assert manager.post("/access-reviews/", sent).status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by == personas.manager and grant.review_note.startswith("Appropriate")
    again = manager.post("/access-reviews/", sent).content.decode()
    assert "reviewed already" in again


def test_a_referral_without_consent_needs_a_real_reason_and_is_reviewed(personas):
    with pytest.raises(RuleViolation, match="a token word is not a reason"):
        refer(personas, consent_to_share=False, consent_on=None, override_reason="Risk")
    referral = refer(
        personas,
        consent_to_share=False,
        consent_on=None,
        override_reason="Child protection: the court has ordered the information shared",
    )
    manager = as_user(personas.manager.user)
    assert "the court has ordered" in manager.get("/access-reviews/").content.decode()
    sent = {"kind": "override", "pk": referral.pk, "note": "Lawful: court order seen"}
    assert manager.post("/access-reviews/", sent).status_code == 302
    assert OverrideReview.objects.get(referral=referral).reviewed_by == personas.manager
