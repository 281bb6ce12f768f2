"""The application's own PostgreSQL role (deploy/app-role.sql, docs/deploy.md): it works
with keywork's data but cannot alter or drop the audit triggers, nor change or remove a
row of the audit trail."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.raw_sql_against_database,
]

APP_ROLE_SQL = Path(settings.BASE_DIR) / "deploy" / "app-role.sql"


@pytest.fixture
def app_role() -> Iterator[str]:
    """A role made as docs/deploy.md says, granted by deploy/app-role.sql as written."""
    role = f"keywork_app_{secrets.token_hex(4)}"
    script = APP_ROLE_SQL.read_text().replace("keywork_app", role)
    statements = [
        s.strip()
        for s in "\n".join(
            line for line in script.splitlines() if not line.lstrip().startswith("--")
        ).split(";")
        if s.strip()
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN")
        cursor.execute(f'GRANT CONNECT ON DATABASE "{connection.settings_dict["NAME"]}" TO {role}')
        for statement in statements:
            cursor.execute(statement)
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


def as_role(role: str):
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=role,
        autocommit=True,
    )


def refused(conn, sql: str) -> str:
    import psycopg

    with pytest.raises(psycopg.Error) as caught:
        conn.execute(sql)
    return str(caught.value)


def test_the_application_role_reads_and_adds_but_cannot_undo_the_audit_trail(personas, app_role):
    with as_role(app_role) as conn:
        clients = conn.execute("SELECT count(*) FROM clients_client").fetchone()[0]
        assert clients >= 1
        conn.execute(
            "INSERT INTO access_auditevent (at, actor_label, verb, what, object_type, "
            "object_id, channel, detail, chain) VALUES (now(), 'system', 'view', 'probe', '', "
            "'', 'system', '{}', '')"
        )
        assert "permission denied" in refused(conn, "UPDATE access_auditevent SET what = 'x'")
        assert "permission denied" in refused(conn, "DELETE FROM access_auditevent")
        assert "permission denied" in refused(conn, "TRUNCATE access_auditevent")
        owner_only = "must be owner"
        assert owner_only in refused(
            conn, "ALTER TABLE access_auditevent DISABLE TRIGGER audit_no_update_delete"
        )
        assert owner_only in refused(
            conn, "DROP TRIGGER audit_no_update_delete ON access_auditevent"
        )
        assert owner_only in refused(conn, "DROP TABLE access_auditevent")
        for listed in ("audit_clientlist", "audit_listedclient"):  # a row's list of clients
            assert "permission denied" in refused(conn, f"DELETE FROM {listed}")
            assert "permission denied" in refused(conn, f"TRUNCATE {listed}")
        assert "permission denied" in refused(conn, "DELETE FROM django_migrations")
