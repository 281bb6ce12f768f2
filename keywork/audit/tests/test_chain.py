"""The audit trail is tamper-evident: every row's hash covers its contents and the row
before it; `keywork audit verify` finds a changed row, a row taken out and rows cut off the
end, and says where."""

from __future__ import annotations

import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from keywork.audit import chain, guard, trail
from keywork.audit.models import AuditEvent
from keywork.core.errors import RuleViolation
from keywork.core.writes import action, bulk_write

pytestmark = pytest.mark.django_db


def verified() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def tamper(sql: str, params: list) -> None:
    """What someone with the database's owner password could do, triggers lifted."""
    with transaction.atomic():
        guard.remove(connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        guard.install(connection)


def test_a_trail_written_by_the_actions_verifies_whole(personas, client):
    client.force_login(personas.mi_keyworker.user)
    client.get(f"/clients/{personas.client.local_id}/")
    rows = AuditEvent.objects.count()
    assert rows > 10
    assert f"The audit trail is whole: {rows} rows" in verified()


def test_the_chain_written_row_by_row_is_the_one_a_migration_seals(personas):
    fields = AuditEvent.objects.order_by("id").values_list("id", *chain.FIELDS)
    stored = list(AuditEvent.objects.order_by("id").values_list("id", "chain"))
    assert list(chain.seal_all(fields)) == stored


@pytest.mark.raw_sql_against_database
def test_a_changed_row_breaks_the_chain_there(personas):
    target = AuditEvent.objects.order_by("id")[5]
    tamper("UPDATE access_auditevent SET actor_label = %s WHERE id = %s", ["someone", target.pk])
    with pytest.raises(CommandError, match=f"broken at row {target.pk}: the row was changed"):
        verified()


@pytest.mark.raw_sql_against_database
def test_a_row_taken_out_breaks_the_chain_at_the_next(personas):
    rows = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    tamper("DELETE FROM access_auditevent WHERE id = %s", [rows[3]])
    with pytest.raises(CommandError, match=f"broken at row {rows[4]}"):
        verified()


@pytest.mark.raw_sql_against_database
def test_rows_cut_off_the_end_are_found_by_the_head(personas):
    last = AuditEvent.objects.order_by("-id").first()
    tamper("DELETE FROM access_auditevent WHERE id = %s", [last.pk])
    with pytest.raises(CommandError, match="rows were removed from the end"):
        verified()


@pytest.mark.django_db(transaction=True)
def test_writers_at_the_same_time_take_turns_and_the_chain_never_forks(personas):
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def reader(n: int) -> None:
        try:
            start.wait()
            for _ in range(10):
                trail.record_read(actor=None, what=f"probe {n}", clients=[personas.client])
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.filter(what__startswith="probe").count() == 80
    assert chain.verify().whole, chain.verify()


def _reads_around_a_refusal(*, personas) -> None:
    """Reads, then a change refused in the same transaction (a bulk write's: the refused
    action's savepoint undone, the head moved once at the end), then more reads: the rows of
    the first part stay, the refused one's go."""
    with bulk_write():
        trail.record_read(actor=None, what="before", clients=[personas.client])
        with pytest.raises(RuleViolation):
            _refused_inside(actor=None)
        trail.record_read(actor=None, what="after", clients=[personas.client])


@action
def _refused_inside(*, actor) -> None:
    trail.record_read(actor=actor, what="undone", clients=[])
    trail.record(actor=actor, verb="view", what="undone")
    raise RuleViolation("R0", "refused on purpose")


def test_a_change_undone_inside_a_transaction_leaves_the_chain_whole(personas):
    _reads_around_a_refusal(personas=personas)
    assert not AuditEvent.objects.filter(what="undone").exists()
    assert AuditEvent.objects.filter(what__in=["before", "after"]).count() == 2
    assert chain.verify().whole, chain.verify()


@action
def _reads_then_refused(*, actor: None, personas) -> None:
    trail.record_read(actor=actor, what="before", clients=[personas.client])
    _refused_inside(actor=actor)


def test_an_action_refused_inside_another_refuses_it_whole(personas):
    """An action called by another runs in its transaction, with no savepoint of its own:
    its refusal undoes the caller's work too, and the trail stays whole."""
    before = AuditEvent.objects.count()
    with pytest.raises(RuleViolation, match="refused on purpose"):
        _reads_then_refused(actor=None, personas=personas)
    assert not AuditEvent.objects.filter(what__in=["before", "undone"]).exists()
    assert AuditEvent.objects.count() == before + 1  # the refusal, audited once
    assert chain.verify().whole, chain.verify()


def test_an_action_writing_many_rows_moves_the_head_once(personas):
    from django.test.utils import CaptureQueriesContext

    @action
    def many(*, actor: None) -> None:
        for n in range(50):
            trail.record(actor=actor, verb="view", what=f"bulk {n}")

    with CaptureQueriesContext(connection) as captured:
        many(actor=None)
    heads = [q["sql"] for q in captured.captured_queries if "access_auditchainhead" in q["sql"]]
    assert len(heads) == 2, heads  # held once, moved once
    assert chain.verify().whole


@pytest.mark.raw_sql_against_database
def test_a_list_of_clients_read_at_once_is_one_row_and_a_client_added_to_it_is_found(personas):
    from keywork.audit.models import ListedClient
    from keywork.clients.models import Client

    others = Client.objects.exclude(pk=personas.client.pk)
    assert others.exists()
    before = AuditEvent.objects.count()
    sent = trail.record_list_read(actor=None, what="a list", clients=others)
    row = AuditEvent.objects.get(what="a list")
    assert AuditEvent.objects.count() == before + 1 and sent == others.count()
    assert set(
        ListedClient.objects.filter(list_id=int(row.object_id)).values_list("client", flat=True)
    ) == set(others.values_list("pk", flat=True))
    assert chain.verify().whole
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ListedClient.objects.filter(list_id=int(row.object_id)).delete()
    with connection.cursor() as cursor:  # an insert is not refused: the row's hash finds it
        cursor.execute(
            "INSERT INTO audit_listedclient (list_id, client_id) VALUES (%s, %s)",
            [row.object_id, personas.client.pk],
        )
    with pytest.raises(CommandError, match=f"broken at row {row.pk}: the clients the row lists"):
        verified()
