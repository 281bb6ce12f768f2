"""The audit trail's hash chain: a hash on every row, and the head. Rows written before it
are sealed here, in id order, with the append-only triggers lifted for that alone (on
SQLite, adding the column rebuilds the table, and the triggers are put back here too)."""

import django.utils.timezone
from django.db import migrations, models

from keywork.audit import guard
from keywork.audit.chain import FIELDS, GENESIS, HEAD, seal_all


def seal(apps, schema_editor):
    AuditEvent = apps.get_model("access", "AuditEvent")
    AuditChainHead = apps.get_model("access", "AuditChainHead")
    connection = schema_editor.connection
    guard.remove(connection, (guard.TABLE,))
    rows = AuditEvent.objects.order_by("id").values_list("id", *FIELDS)
    sealed, batch, chain, last, count = [], 2000, GENESIS, 0, 0
    for pk, chain in seal_all(rows.iterator(chunk_size=batch)):
        sealed.append(AuditEvent(pk=pk, chain=chain))
        last, count = pk, count + 1
        if len(sealed) == batch:
            AuditEvent.objects.bulk_update(sealed, ["chain"])
            sealed = []
    AuditEvent.objects.bulk_update(sealed, ["chain"])
    AuditChainHead.objects.create(pk=HEAD, chain=chain, last_id=last, rows=count)
    guard.install(connection, (guard.TABLE,))


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0005_no_superusers"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("last_id", models.BigIntegerField(default=0)),
                ("chain", models.CharField(max_length=64)),
                ("rows", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.CharField(
                blank=True, help_text="SHA-256 of this row and the chain before it.", max_length=64
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.RunPython(seal, migrations.RunPython.noop),
    ]
