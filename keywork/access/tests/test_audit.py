"""The audit trail: written by every change and every read of client data, and append-only
in the database itself."""

import pytest
from django.db import DatabaseError, connection, transaction

from keywork.access.models import AuditEvent
from keywork.clients.models import Client

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


def test_a_refused_read_writes_no_client_view(personas, client):
    client.force_login(personas.other_keyworker.user)
    response = client.get(f"/clients/{personas.client.local_id}/")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(verb="view", client=personas.client).exists()
    assert Client.objects.filter(pk=personas.client.pk).exists()
