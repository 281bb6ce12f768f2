from __future__ import annotations

from django.contrib import admin

from keywork.audit.models import AuditEvent
from keywork.core.admin_base import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Names no client: the client id is enough to follow a trail."""

    list_display = ("at", "actor_label", "verb", "what", "client_id_shown", "channel", "address")
    list_filter = ("verb", "channel", "what")
    search_fields = ("actor_label", "client__local_id", "what")
    list_select_related = ("client",)
    exclude = ("client",)
    readonly_fields = ("client_id_shown",)

    @admin.display(description="client id")
    def client_id_shown(self, event: AuditEvent) -> str:
        return event.client.local_id if event.client else ""
