"""Finding a client by a part of their name (overview/queries.py, find_clients) on
PostgreSQL: trigram indexes on the names as the search compares them (in capitals), and an
index on the client id likewise, so that the few clients asked for are found without reading
every client. SQLite has no such index; it reads the clients table."""

from django.db import migrations

NAMES = ("family_name", "given_name", "preferred_name")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name in NAMES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS clients_client_{name}_trgm ON clients_client "
            f"USING gin (upper({name}::text) gin_trgm_ops)"
        )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS clients_client_local_id_upper "
        "ON clients_client (upper(local_id::text))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in NAMES:
        schema_editor.execute(f"DROP INDEX IF EXISTS clients_client_{name}_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS clients_client_local_id_upper")


class Migration(migrations.Migration):
    dependencies = [("clients", "0005_client_details")]

    operations = [migrations.RunPython(create, drop)]
