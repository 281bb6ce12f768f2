"""The Django admin: accounts and reference data for administrators, written through the
actions; clinical data read-only and scoped like every page; the catalogue read-only."""

import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from keywork.access.models import Team
from keywork.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/",
    "/admin/access/service/",
    "/admin/access/team/",
    "/admin/access/worker/",
    "/admin/access/competency/",
    "/admin/access/supervision/",
    "/admin/access/registration/",
    "/admin/audit/auditevent/",
    "/admin/catalogue/entry/",
    "/admin/catalogue/phase/",
    "/admin/catalogue/tier/",
    "/admin/catalogue/catalogueversion/",
]


def test_every_admin_page_opens_for_an_administrator(client, personas):
    client.force_login(personas.administrator.user)
    for page in PAGES:
        assert client.get(page).status_code == 200, page


def test_only_administrators_reach_the_admin(client, personas):
    client.force_login(personas.team_leader.user)
    assert client.get("/admin/").status_code == 302


def test_a_team_added_in_the_admin_goes_through_its_action(client, personas):
    client.force_login(personas.administrator.user)
    response = client.post(
        "/admin/access/team/add/",
        {
            "service": personas.service.pk,
            "code": "east",
            "name": "East Team",
            "phone": "",
            "email": "",
            "active": "on",
        },
    )
    assert response.status_code == 302
    team = Team.objects.get(code="east")
    assert AuditEvent.objects.filter(
        what="create_team", object_id=str(team.pk), actor_label="ada.admin"
    ).exists()


def test_the_catalogue_and_clinical_records_cannot_be_changed_in_the_admin(client, personas):
    client.force_login(personas.administrator.user)
    assert client.get("/admin/catalogue/entry/add/").status_code == 403
    assert client.get("/admin/clients/client/add/").status_code == 404
    entry = personas.entry("topic.ambivalence")
    response = client.post(f"/admin/catalogue/entry/{entry.pk}/change/", {"name": "Changed"})
    entry.refresh_from_db()
    assert entry.name == "Ambivalence" and response.status_code in (302, 403)


def test_administrators_see_no_client_data_in_the_admin(client, personas):
    client.force_login(personas.administrator.user)
    page = client.get("/admin/").content.decode()
    assert "Clients" not in page and "Episodes" not in page
    for model in ("client", "episode", "allocation", "phasechange"):
        assert client.get(f"/admin/clients/{model}/").status_code == 404
    assert client.get(f"/admin/clients/client/{personas.client.pk}/change/").status_code == 404


def test_flush_is_refused_outside_the_test_settings(settings, personas):
    trail = AuditEvent.objects.count()
    settings.KEYWORK_TEST_SETTINGS = False
    with pytest.raises(
        CommandError, match="flush is refused: it would erase the append-only audit trail"
    ):
        call_command("flush", interactive=False)
    assert AuditEvent.objects.count() == trail > 0
    assert Team.objects.filter(pk=personas.team.pk).exists()


def test_no_environment_variable_lets_flush_run_outside_the_tests(personas):
    """The probe: `KEYWORK_TEST_SUITE=1 keywork flush` emptied the audit trail."""
    from keywork.testing.production import database_url

    trail = AuditEvent.objects.count()
    result = subprocess.run(
        [sys.executable, "-m", "keywork.cli", "flush", "--no-input"],
        capture_output=True,
        text=True,
        env={**os.environ, "KEYWORK_TEST_SUITE": "1", "DATABASE_URL": database_url()},
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "flush is refused" in result.stderr
    assert AuditEvent.objects.count() == trail > 0
