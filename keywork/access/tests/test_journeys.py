"""The sign-in journeys in a real Chromium: a team leader's second step, setting up an
authenticator app and keeping the recovery codes, and a lockout after repeated failures."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from keywork.access import actions
from keywork.clients.tests.test_journeys import log_in
from keywork.core.inputs import Reason
from keywork.testing.personas import PASSWORD, code_for

pytestmark = pytest.mark.django_db(transaction=True)


def password(page: Any, username: str, typed: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", typed)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_team_leader_signs_in_with_the_code_from_the_app(page: Any, personas: Any) -> None:
    password(page, "tia.leader")
    assert page.locator("h1").inner_text() == "Second step"
    page.goto("/team/")
    assert "/accounts/login/" in page.url, "not signed in on the password alone"
    log_in(page, "tia.leader")
    page.goto("/team/")
    assert "/team/" in page.url
    page.click("nav >> text=Two-factor")
    assert "recovery codes left" in page.locator("main").inner_text()


def test_a_manager_sets_up_an_authenticator_and_keeps_the_recovery_codes(
    page: Any, personas: Any
) -> None:
    actions.remove_second_factor(
        actor=personas.administrator.user, worker=personas.manager, given=Reason(reason="New phone")
    )
    password(page, "max.manager")
    assert page.locator("h1").inner_text() == "Set up a second factor"
    assert page.locator(".qr svg").is_visible()
    key = page.locator(".secret").inner_text()
    device = TOTPDevice.objects.get(user=personas.manager.user, confirmed=False)
    assert key.replace(" ", "") in device.config_url
    page.fill("input[name=code]", code_for(device))
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Your recovery codes"
    assert page.locator(".recovery-codes li").count() == 10
    page.click("text=I have kept them: continue")
    assert "Synthetic demo data" not in page.url and "/accounts/" not in page.url


def test_five_wrong_passwords_lock_signing_in_and_say_until_when(page: Any, personas: Any) -> None:
    for _ in range(4):
        password(page, "kit.plain", "not-the-password")
        assert "did not match" in page.locator("main").inner_text()
    password(page, "kit.plain", "not-the-password")
    alert = page.locator("[role=alert]").inner_text()
    assert "too many failed attempts" in alert and "Try again after" in alert
    password(page, "kit.plain")
    assert page.locator("h1").inner_text() == "Signing in is locked for now"
    actions.unlock_sign_in(actor=personas.administrator.user, worker=personas.keyworker)
    password(page, "kit.plain")
    assert page.locator("h1").inner_text() == "My caseload"
