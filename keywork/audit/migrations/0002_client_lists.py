"""The lists of clients one audit row covers (a national return), append-only as the trail
is."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from keywork.audit import guard

LISTS = ("audit_clientlist", "audit_listedclient")


def install(apps, schema_editor):
    guard.install(schema_editor.connection, LISTS)


def remove(apps, schema_editor):
    guard.remove(schema_editor.connection, LISTS)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("clients", "0005_client_details"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClientList",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("made_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "db_table": "audit_clientlist",
            },
        ),
        migrations.CreateModel(
            name="ListedClient",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "client",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clients.client",
                    ),
                ),
                (
                    "list",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="audit.clientlist",
                    ),
                ),
            ],
            options={
                "db_table": "audit_listedclient",
                "constraints": [
                    models.UniqueConstraint(fields=("client", "list"), name="listed_client_once")
                ],
            },
        ),
        migrations.RunPython(install, remove),
    ]
