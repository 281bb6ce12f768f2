"""The audit trail: written by every change and every read of client data, and append-only
in the database itself."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from keywork.access.tests.trail import last_refusal
from keywork.audit.models import AuditEvent
from keywork.clients.models import Client
from keywork.testing.personas import PASSWORD
from keywork.testing.worker import report_page

pytestmark = pytest.mark.django_db


@pytest.mark.raw_sql_against_database
def test_a_raw_update_on_the_audit_table_is_refused_by_the_database(personas):
    event = AuditEvent.objects.filter(client=personas.client).first()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE access_auditevent SET actor_label = 'someone else' WHERE id = %s",
            [event.pk],
        )
    event.refresh_from_db()
    assert event.actor_label != "someone else"


@pytest.mark.raw_sql_against_database
def test_a_raw_delete_on_the_audit_table_is_refused_by_the_database(personas):
    count = AuditEvent.objects.count()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM access_auditevent")
    assert AuditEvent.objects.count() == count


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists only on PostgreSQL")
@pytest.mark.raw_sql_against_database
def test_truncate_on_the_audit_table_is_refused_on_postgresql(personas):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # so the only objection is ours
        cursor.execute("TRUNCATE access_auditevent")


def test_every_change_to_client_data_is_audited_with_who_what_and_channel(personas):
    events = AuditEvent.objects.filter(client=personas.client).order_by("id")
    assert [e.what for e in events] == ["register_client", "open_episode"]
    assert all(e.actor_label == "mia.trained" and e.channel == "system" for e in events)


def test_reading_a_client_record_is_audited_with_the_address(personas, client):
    client.force_login(personas.mi_keyworker.user)
    client.get(f"/clients/{personas.client.local_id}/", REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.filter(client=personas.client, verb="view").get()
    assert (event.actor_label, event.what, event.channel, event.address) == (
        "mia.trained",
        "client record",
        "web",
        "10.1.2.3",
    )


def test_the_caseload_page_audits_each_client_it_shows(personas, client):
    client.force_login(personas.mi_keyworker.user)
    client.get("/")
    shown = AuditEvent.objects.filter(verb="view", what="caseload").values_list("client", flat=True)
    assert list(shown) == [personas.client.pk]


def test_a_refused_read_writes_no_client_view_but_its_refusal(personas, client):
    client.force_login(personas.other_keyworker.user)
    response = client.get(f"/clients/{personas.client.local_id}/", REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 403  # refused, and offered break-glass
    assert not AuditEvent.objects.filter(verb="view", client=personas.client).exists()
    assert Client.objects.filter(pk=personas.client.pk).exists()
    refusal = last_refusal()
    assert (refusal.actor, refusal.client, refusal.what, refusal.address) == (
        personas.other_keyworker.user,
        personas.client,
        "client",
        "10.9.9.9",
    )
    assert refusal.detail["status"] == 403 and refusal.detail["asked_for"] == "T0001"


def test_asking_for_a_client_id_that_does_not_exist_is_audited_too(personas, client):
    client.force_login(personas.mi_keyworker.user)
    assert client.get("/clients/NOPE99/phase/").status_code == 404
    refusal = last_refusal()
    assert refusal.client is None and refusal.detail["asked_for"] == "NOPE99"
    assert refusal.detail["reason"] == "no client with that id" and refusal.what == "move_phase"


def test_a_forbidden_page_is_audited(personas, client):
    client.force_login(personas.commissioner.user)
    from keywork.measures.tests.test_report import params

    response = report_page(client, "/reports/qs6/", params(format="fhir-subject-list"))
    assert response.status_code == 403
    assert last_refusal().detail["status"] == 403


def test_signing_in_signing_out_and_a_wrong_password_are_audited(personas, client):
    username = personas.mi_keyworker.user.username
    page = client.post("/accounts/login/", {"username": username, "password": "Guess-7781"})
    assert page.status_code == 200
    failed = last_refusal()
    assert (failed.actor, failed.what, failed.channel) == (
        personas.mi_keyworker.user,
        "login",
        "web",
    )
    assert failed.detail["username"] == username and "Guess-7781" not in str(failed.detail)

    client.post("/accounts/login/", {"username": "nobody.here", "password": "x"})
    unknown = last_refusal()
    assert unknown.actor is None and unknown.detail["reason"] == "unknown account"

    assert (
        client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code
        == 302
    )
    client.post("/accounts/logout/")
    verbs = AuditEvent.objects.filter(actor=personas.mi_keyworker.user).values_list(
        "verb", flat=True
    )
    assert list(verbs.order_by("id"))[-2:] == ["login", "logout"]


def test_a_command_refused_outside_an_action_is_audited(personas, tmp_path):
    with pytest.raises(CommandError, match="ACCESS"):
        call_command(
            "export", "fhir", "--client", personas.client.local_id, "--out", str(tmp_path / "x"),
            "--as", personas.other_keyworker.user.username, stdout=io.StringIO(),
        )  # fmt: skip
    refusal = last_refusal()
    assert (refusal.actor, refusal.client, refusal.channel) == (
        personas.other_keyworker.user,
        personas.client,
        "command",
    )
    assert refusal.what == "command export" and refusal.detail["reason"].startswith("ACCESS")
