"""The audit trail now belongs to the `audit` app, and break-glass accesses to `clients`:
Django's record of the models moves; the tables and their rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0007_break_glass"),
        ("audit", "0001_initial"),
        ("clients", "0004_break_glass_moves_in"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditEvent"),
                migrations.DeleteModel(name="AuditChainHead"),
                migrations.DeleteModel(name="BreakGlass"),
            ],
            database_operations=[],
        ),
    ]
