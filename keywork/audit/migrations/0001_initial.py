"""The audit trail moves from `access` into an app of its own. The tables, their rows and
their append-only triggers stay as they are: only Django's record of which app holds the
models changes (access 0008 lets go of them)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("access", "0007_break_glass"),
        ("clients", "0003_client_registered_by"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "at",
                            models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                        ),
                        (
                            "actor_label",
                            models.CharField(
                                help_text="Username at the time, or system.", max_length=150
                            ),
                        ),
                        (
                            "verb",
                            models.CharField(
                                choices=[
                                    ("view", "viewed"),
                                    ("list", "listed"),
                                    ("create", "created"),
                                    ("change", "changed"),
                                    ("export", "exported"),
                                    ("refused", "was refused"),
                                    ("login", "signed in"),
                                    ("logout", "signed out"),
                                    ("breakglass", "broke the glass"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("what", models.CharField(help_text="The action or page.", max_length=80)),
                        ("object_type", models.CharField(blank=True, max_length=60)),
                        ("object_id", models.CharField(blank=True, max_length=40)),
                        ("channel", models.CharField(max_length=10)),
                        ("address", models.GenericIPAddressField(blank=True, null=True)),
                        ("detail", models.JSONField(blank=True, default=dict)),
                        (
                            "chain",
                            models.CharField(
                                blank=True,
                                help_text="SHA-256 of this row and the chain before it.",
                                max_length=64,
                            ),
                        ),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "client",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="clients.client",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "access_auditevent",
                        "ordering": ["-at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["client", "-at"], name="access_audi_client__58444a_idx"
                            ),
                            models.Index(
                                fields=["actor", "-at"], name="access_audi_actor_i_ad78ca_idx"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="AuditChainHead",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("last_id", models.BigIntegerField(default=0)),
                        ("chain", models.CharField(max_length=64)),
                        ("rows", models.BigIntegerField(default=0)),
                    ],
                    options={"db_table": "access_auditchainhead"},
                ),
            ],
            database_operations=[],
        ),
    ]
