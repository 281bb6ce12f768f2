"""Make the audit trail append-only in the database itself: triggers refuse UPDATE and DELETE
(and TRUNCATE on PostgreSQL) on access_auditevent, whoever is connected."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from keywork.audit import guard


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    guard.install(schema_editor.connection, (guard.TABLE,))


def remove(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    guard.remove(schema_editor.connection, (guard.TABLE,))


class Migration(migrations.Migration):
    dependencies = [("access", "0002_initial")]

    operations = [migrations.RunPython(install, remove)]
