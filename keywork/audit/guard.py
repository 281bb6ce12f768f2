"""Database triggers that make the audit tables append-only, whoever connects: the trail,
and the lists of clients a row of it covers (see ClientList).

Installed by migrations. The only code that lifts them is the test suite's database wipe
(keywork/core/management/commands/flush.py), which refuses to run outside the tests."""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "access_auditevent"
TABLES = (TABLE, "audit_clientlist", "audit_listedclient")
MESSAGE = "the audit trail is append-only: rows cannot be changed or deleted"
FUNCTION = f"""CREATE OR REPLACE FUNCTION keywork_audit_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql"""


def _prefix(table: str) -> str:
    """The trail's triggers keep the names they were first given; SQLite's names are global."""
    return "audit" if table == TABLE else table


def _sqlite(table: str, *, install: bool) -> list[str]:
    names = [(f"{_prefix(table)}_no_{verb}", verb.upper()) for verb in ("update", "delete")]
    if not install:
        return [f"DROP TRIGGER IF EXISTS {name}" for name, _ in names]
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {name} BEFORE {verb} ON {table}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""
        for name, verb in names
    ]


def _postgres(table: str, *, install: bool) -> list[str]:
    prefix = _prefix(table)
    if not install:
        return [
            f"DROP TRIGGER IF EXISTS {prefix}_no_update_delete ON {table}",
            f"DROP TRIGGER IF EXISTS {prefix}_no_truncate ON {table}",
        ]
    return [
        FUNCTION,
        f"""CREATE OR REPLACE TRIGGER {prefix}_no_update_delete BEFORE UPDATE OR DELETE
            ON {table} FOR EACH ROW EXECUTE FUNCTION keywork_audit_append_only()""",
        f"""CREATE OR REPLACE TRIGGER {prefix}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION keywork_audit_append_only()""",
    ]


def _statements(vendor: str, tables: tuple[str, ...], *, install: bool) -> list[str]:
    if vendor == "sqlite":
        return [s for table in tables for s in _sqlite(table, install=install)]
    if vendor == "postgresql":
        return [s for table in tables for s in _postgres(table, install=install)]
    raise RuntimeError(f"keywork cannot guard the audit trail on {vendor}")


def install(connection: BaseDatabaseWrapper, tables: tuple[str, ...] = TABLES) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, tables, install=True):
            cursor.execute(statement)


def remove(connection: BaseDatabaseWrapper, tables: tuple[str, ...] = TABLES) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, tables, install=False):
            cursor.execute(statement)
