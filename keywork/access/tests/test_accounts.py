"""Accounts: no superusers; administrators manage accounts through actions (in the admin
too), never their own; a disabled account or a new password ends every session; a sign-in
gets a new session id and ends when idle or too old."""

from __future__ import annotations

import io
import time

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client as Browser

from keywork.access import actions
from keywork.access.middleware import SEEN, STARTED
from keywork.access.models import Role
from keywork.audit.models import AuditEvent
from keywork.core.errors import AccessDenied
from keywork.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-new-long-passphrase-2026"


def signed_in(user: User) -> Browser:
    browser = Browser()
    assert (
        browser.post(
            "/accounts/login/", {"username": user.username, "password": PASSWORD}
        ).status_code
        == 302
    )
    assert browser.get("/").status_code == 200
    return browser


def still_signed_in(browser: Browser) -> bool:
    return browser.get("/").status_code == 200


def account_form(worker, **changes) -> dict:
    data = {
        "role": worker.role,
        "service": worker.service_id or "",
        "team": worker.team_id or "",
        "active": "on" if worker.user.is_active else "",
        "reason": "",
        "new_password": "",
    }
    data.update(changes)
    return data


def test_no_account_is_a_django_superuser_and_only_administrators_are_staff(personas):
    assert not User.objects.filter(is_superuser=True).exists()
    staff = set(User.objects.filter(is_staff=True).values_list("username", flat=True))
    assert staff == {personas.administrator.user.username}


def test_createsuperuser_is_refused(personas):
    with pytest.raises(CommandError, match="keywork has no superusers"):
        call_command("createsuperuser", stdout=io.StringIO())
    assert not User.objects.filter(is_superuser=True).exists()


def test_djangos_own_user_pages_are_gone_from_the_admin(client, personas):
    client.force_login(personas.administrator.user)
    assert client.get("/admin/auth/user/").status_code == 404
    assert client.get(f"/admin/auth/user/{personas.keyworker.user.pk}/change/").status_code == 404


def test_no_one_changes_their_own_role_or_disables_themselves(personas):
    admin = personas.administrator
    with pytest.raises(AccessDenied, match="no one changes the role or team of their own"):
        actions.change_role(
            actor=admin.user,
            worker=admin,
            given=actions.ChangeRoleInput(
                role=Role.SERVICE_MANAGER, team=None, service=personas.service
            ),
        )
    with pytest.raises(AccessDenied, match="no one disables or enables their own"):
        actions.set_active(
            actor=admin.user,
            worker=admin,
            given=actions.SetActiveInput(active=False, reason="Leaving"),
        )
    admin.refresh_from_db()
    assert admin.role == Role.ADMINISTRATOR


def test_an_administrator_cannot_make_themselves_a_manager_in_the_admin(client, personas):
    admin = personas.administrator
    client.force_login(admin.user)
    url = f"/admin/access/worker/{admin.pk}/change/"
    client.post(url, account_form(admin, role=Role.SERVICE_MANAGER, service=personas.service.pk))
    admin.refresh_from_db()
    assert admin.role == Role.ADMINISTRATOR
    refusal = AuditEvent.objects.filter(verb="refused").latest("id")
    assert refusal.what == "update_account" and "their own" in refusal.detail["reason"]


def test_a_password_set_in_the_admin_is_audited_and_ends_every_session(client, personas):
    worker = personas.keyworker
    browser = signed_in(worker.user)
    client.force_login(personas.administrator.user)
    url = f"/admin/access/worker/{worker.pk}/change/"
    response = client.post(url, account_form(worker, new_password=NEW_PASSWORD))
    assert response.status_code == 302
    event = AuditEvent.objects.filter(what="update_account").latest("id")
    assert event.actor == personas.administrator.user and event.object_id == str(worker.pk)
    assert not still_signed_in(browser)
    worker.user.refresh_from_db()
    assert worker.user.check_password(NEW_PASSWORD)


def test_disabling_an_account_needs_a_reason_and_ends_its_sessions(client, personas):
    worker = personas.keyworker
    browser = signed_in(worker.user)
    client.force_login(personas.administrator.user)
    url = f"/admin/access/worker/{worker.pk}/change/"
    client.post(url, account_form(worker, active=""))
    worker.user.refresh_from_db()
    assert worker.user.is_active and still_signed_in(browser), "no reason, nothing changed"
    client.post(url, account_form(worker, active="", reason="Left the service"))
    worker.user.refresh_from_db()
    assert not worker.user.is_active and not still_signed_in(browser)
    assert AuditEvent.objects.filter(
        what="update_account", object_id=str(worker.pk), detail__active=False
    ).exists()


def test_changing_your_own_password_is_audited_and_ends_your_other_sessions(personas):
    user = personas.keyworker.user
    elsewhere = signed_in(user)
    here = signed_in(user)
    response = here.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert still_signed_in(here) and not still_signed_in(elsewhere)
    assert AuditEvent.objects.filter(actor=user, what="change_own_password").exists()


def test_signing_in_gives_a_new_session_id(personas):
    browser = Browser()
    before = browser.session
    before["visited"] = True
    before.save()
    assert browser.cookies["sessionid"].value == before.session_key
    browser.post(
        "/accounts/login/", {"username": personas.keyworker.user.username, "password": PASSWORD}
    )
    assert browser.cookies["sessionid"].value != before.session_key


@pytest.mark.parametrize(
    ("clock", "ago", "says"),
    [
        (SEEN, 31 * 60, "after 30 minutes without activity"),
        (STARTED, 12 * 3600 + 60, "a sign-in lasts 12 hours at most"),
    ],
)
def test_a_sign_in_ends_when_idle_or_too_old(personas, clock, ago, says):
    browser = signed_in(personas.keyworker.user)
    session = browser.session
    session[clock] = int(time.time()) - ago
    session.save()
    response = browser.get(f"/clients/{personas.client.local_id}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/clients/")
    page = browser.get(response["Location"]).content.decode()
    assert says in page
    assert not still_signed_in(browser)


def test_a_sign_in_used_within_the_idle_time_goes_on(personas):
    browser = signed_in(personas.keyworker.user)
    session = browser.session
    session[SEEN] = int(time.time()) - 29 * 60
    session.save()
    assert still_signed_in(browser)
