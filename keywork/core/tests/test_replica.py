"""With DATABASE_REPLICA_URL set, the dashboards and the exports read from the replica and
write (their audit rows) to the primary; every other page reads from the primary."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections

from keywork.audit.models import AuditEvent
from keywork.core.dates import today
from keywork.core.replica import REPLICA, ReplicaRouter

# Not inside a test's transaction: a transaction reads from the primary, as it must.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def replica() -> Iterator[None]:
    """A replica configured; the primary's own connection stands in for it here."""
    connections.settings[REPLICA] = connections.settings["default"]
    connections[REPLICA] = connections["default"]
    yield
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def decided(monkeypatch: Any) -> list[str | None]:
    """Where the router sends each read."""
    found: list[str | None] = []
    chosen = ReplicaRouter.db_for_read

    def spied(self: ReplicaRouter, model: type[Any], **hints: Any) -> str | None:
        found.append(chosen(self, model, **hints))
        return found[-1]

    monkeypatch.setattr(ReplicaRouter, "db_for_read", spied)
    return found


def test_the_dashboards_read_from_the_replica_and_audit_on_the_primary(
    replica, decided, personas, client
):
    client.force_login(personas.team_leader.user)
    assert client.get("/").status_code == 200
    assert REPLICA not in decided, "the caseload reads the primary"
    decided.clear()
    assert client.get("/dashboard/").status_code == 200
    assert REPLICA in decided and "default" not in decided  # (the session's: no choice)
    decided.clear()
    assert client.get("/dashboard/open/").status_code == 200
    assert REPLICA in decided and "default" in decided  # the audit row's transaction
    assert AuditEvent.objects.filter(what="dashboard: open episodes").exists()


def test_the_national_return_reads_from_the_replica(replica, decided, personas, tmp_path):
    month = today().strftime("%Y-%m")
    out = tmp_path / "return.csv"
    call_command("export", "ndtms", "--month", month, "--out", str(out), stdout=io.StringIO())
    assert REPLICA in decided and out.read_text().startswith("RECTYPE,")


def test_without_a_replica_everything_reads_from_the_primary(decided, personas, client):
    client.force_login(personas.team_leader.user)
    assert client.get("/dashboard/").status_code == 200
    assert set(decided) == {None}
