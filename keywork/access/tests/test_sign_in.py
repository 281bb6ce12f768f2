"""Signing in: the password, then a second factor for those who have one (required for team
leaders, managers, administrators and commissioners), recovery codes, and lockout after
repeated failures, the same for an unknown account; every step audited."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.models import User
from django.test import Client as Browser
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from keywork.access import actions
from keywork.access.signin import PENDING, SETTING_UP
from keywork.audit.models import AuditEvent
from keywork.core.inputs import Reason
from keywork.testing.personas import PASSWORD, code_for, second_factor_code

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
SECOND = "/accounts/login/second-step/"


def password(browser: Browser, username: str, typed: str = PASSWORD, **extra):
    return browser.post(LOGIN, {"username": username, "password": typed}, **extra)


def signed_in(browser: Browser) -> bool:
    return browser.get("/").status_code == 200


def last(what: str, verb: str | None = None) -> AuditEvent:
    found = AuditEvent.objects.filter(what=what)
    return (found.filter(verb=verb) if verb else found).latest("id")


def test_a_keyworker_without_a_second_factor_signs_in_with_the_password(personas):
    browser = Browser()
    response = password(browser, personas.keyworker.user.username)
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(browser)


def test_a_team_leader_is_not_signed_in_until_the_code_from_the_app(personas):
    user = personas.team_leader.user
    browser = Browser()
    response = password(browser, user.username)
    assert response["Location"] == SECOND
    assert not signed_in(browser), "the password alone signs no one in"
    page = browser.get(SECOND).content.decode()
    assert "six-digit code" in page
    response = browser.post(SECOND, {"code": second_factor_code(user)})
    assert response.status_code == 302 and signed_in(browser)
    assert last("login", "login").detail == {"second_factor": "authenticator app"}


def test_a_wrong_code_is_refused_and_audited(personas):
    user = personas.manager.user
    browser = Browser()
    password(browser, user.username)
    page = browser.post(SECOND, {"code": "000000"}).content.decode()
    assert "That code is not right" in page and not signed_in(browser)
    refused = last("login", "refused")
    assert refused.actor == user and refused.detail["reason"] == "wrong second-factor code"


def test_a_recovery_code_signs_in_once(personas):
    user = personas.commissioner.user
    code = StaticToken.objects.filter(device__user=user).first().token
    first = Browser()
    password(first, user.username)
    response = first.post(SECOND, {"code": code})
    assert response.status_code == 302 and signed_in(first)
    assert last("login", "login").detail == {"second_factor": "recovery code"}
    second = Browser()
    password(second, user.username)
    assert "That code is not right" in second.post(SECOND, {"code": code}).content.decode()


def test_the_second_step_must_follow_the_password_within_five_minutes(personas):
    user = personas.team_leader.user
    browser = Browser()
    password(browser, user.username)
    session = browser.session
    session[PENDING] = {**session[PENDING], "at": int(time.time()) - 301}
    session.save()
    response = browser.post(SECOND, {"code": second_factor_code(user)})
    assert response["Location"] == LOGIN and not signed_in(browser)


def test_a_team_leader_with_no_second_factor_sets_one_up_before_signing_in(personas, client):
    leader = personas.team_leader
    actions.remove_second_factor(
        actor=personas.administrator.user, worker=leader, given=Reason(reason="Lost phone")
    )
    browser = Browser()
    response = password(browser, leader.user.username)
    assert response["Location"] == "/accounts/two-factor/set-up/"
    page = browser.get(response["Location"]).content.decode()
    assert "<svg" in page and "Key:" in page and not signed_in(browser)
    device = TOTPDevice.objects.get(pk=browser.session[SETTING_UP])
    shown = browser.post("/accounts/two-factor/set-up/", {"code": code_for(device)})
    codes = re.findall(r"<li><code>([^<]+)</code></li>", shown.content.decode())
    assert len(codes) == 10 and signed_in(browser)
    assert last("confirm_second_factor").actor == leader.user


def test_a_keyworker_may_choose_a_second_factor_and_is_then_asked_for_it(personas):
    user = personas.keyworker.user
    browser = Browser()
    password(browser, user.username)
    browser.get("/accounts/two-factor/set-up/")
    device = TOTPDevice.objects.get(pk=browser.session[SETTING_UP])
    browser.post("/accounts/two-factor/set-up/", {"code": code_for(device)})
    again = Browser()
    assert password(again, user.username)["Location"] == SECOND


def fail(browser: Browser, username: str, times: int, **extra) -> list[int]:
    return [password(browser, username, "Not-it-1234", **extra).status_code for _ in range(times)]


def test_five_failures_lock_the_account_from_that_address_and_say_when(personas):
    user = personas.keyworker.user
    browser = Browser()
    assert fail(browser, user.username, 4, REMOTE_ADDR="10.0.0.7") == [200] * 4
    locked = password(browser, user.username, "Not-it-1234", REMOTE_ADDR="10.0.0.7")
    assert locked.status_code == 429
    assert "Try again after" in locked.content.decode()
    right = password(browser, user.username, REMOTE_ADDR="10.0.0.7")
    assert right.status_code == 429 and not signed_in(browser)
    elsewhere = Browser()
    assert password(elsewhere, user.username, REMOTE_ADDR="10.0.0.8").status_code == 302
    assert last("lockout").actor == user


def test_an_unknown_account_gets_the_same_answers(personas):
    browser = Browser()
    answers = fail(browser, "no.such.person", 5, REMOTE_ADDR="10.0.0.9")
    assert answers == [200, 200, 200, 200, 429]


def test_wrong_codes_count_towards_the_lockout(personas):
    user = personas.team_leader.user
    browser = Browser()
    password(browser, user.username)
    answers = [browser.post(SECOND, {"code": "111111"}).status_code for _ in range(5)]
    assert answers[-1] == 429
    password(browser, user.username)
    assert browser.post(SECOND, {"code": second_factor_code(user)}).status_code == 429


def test_an_administrator_lifts_a_lockout(personas, client):
    user = personas.keyworker.user
    browser = Browser()
    fail(browser, user.username, 5)
    assert password(browser, user.username).status_code == 429
    actions.unlock_sign_in(actor=personas.administrator.user, worker=personas.keyworker)
    assert password(browser, user.username).status_code == 302
    assert last("unlock_sign_in").actor == personas.administrator.user


def test_no_one_sets_up_a_second_factor_for_someone_else(personas):
    from keywork.core.errors import AccessDenied

    with pytest.raises(AccessDenied):
        actions.start_second_factor(
            actor=personas.administrator.user, user=User.objects.get(username="kit.plain")
        )
