from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from keywork.audit.chain import LISTED
from keywork.audit.models import AuditEvent, ListedClient
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

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[AuditEvent], search_term: str
    ) -> tuple[QuerySet[AuditEvent], bool]:
        """A client's id finds the rows that list them among many too (a national return)."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        lists = ListedClient.objects.filter(client__local_id=search_term.strip())
        named = [str(pk) for pk in lists.values_list("list_id", flat=True)]  # a few returns
        listing = queryset.filter(object_type=LISTED, object_id__in=named)
        return found | listing, duplicates

    @admin.display(description="client id")
    def client_id_shown(self, event: AuditEvent) -> str:
        return event.client.local_id if event.client else ""
