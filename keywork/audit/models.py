"""The audit trail's rows and its head. The tables keep the names they had in `access`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One read or change of client data, or of the people and reference data around it.

    Append-only: database triggers refuse UPDATE and DELETE on this table (see
    keywork/audit/guard.py), on SQLite and on PostgreSQL. Tamper-evident: each row's
    `chain` is a hash of its contents and of the row before it (keywork/audit/chain.py)."""

    class Verb(models.TextChoices):
        VIEW = "view", "viewed"
        LIST = "list", "listed"
        CREATE = "create", "created"
        CHANGE = "change", "changed"
        EXPORT = "export", "exported"
        REFUSED = "refused", "was refused"
        LOGIN = "login", "signed in"
        LOGOUT = "logout", "signed out"
        BREAK_GLASS = "breakglass", "broke the glass"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, help_text="Username at the time, or system.")
    verb = models.CharField(max_length=10, choices=Verb.choices)
    what = models.CharField(max_length=80, help_text="The action or page.")
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    channel = models.CharField(max_length=10)
    address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    chain = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of this row and the chain before it."
    )

    class Meta:
        db_table = "access_auditevent"  # kept from when the trail was part of access
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["client", "-at"]), models.Index(fields=["actor", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_label} {self.verb} {self.what}"


class AuditChainHead(models.Model):
    """The last row of the audit trail and its chain hash, held while rows are added (so that
    writers take turns) and checked by `keywork audit verify` (so that rows removed from
    the end are found too). One row."""

    last_id = models.BigIntegerField(default=0)
    chain = models.CharField(max_length=64)
    rows = models.BigIntegerField(default=0)

    class Meta:
        db_table = "access_auditchainhead"

    def __str__(self) -> str:
        return f"audit trail head: row {self.last_id}, {self.chain[:12]}"


class ClientList(models.Model):
    """The clients one audit row covers when it covers many at once (a national return):
    one chained row for the export, the clients listed here, and the row's detail keeping
    their count and a SHA-256 of their ids in order, which `keywork audit verify`
    recomputes. Append-only, as the trail is."""

    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "audit_clientlist"

    def __str__(self) -> str:
        return f"audited client list {self.pk}"


class ListedClient(models.Model):
    list = models.ForeignKey(ClientList, on_delete=models.PROTECT, related_name="entries")
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        db_table = "audit_listedclient"
        constraints = [
            models.UniqueConstraint(fields=["client", "list"], name="listed_client_once")
        ]

    def __str__(self) -> str:
        return f"client {self.client_id} in list {self.list_id}"
