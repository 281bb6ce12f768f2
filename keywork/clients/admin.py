from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from keywork.access import audit, policies
from keywork.clients.models import Allocation, Client, Episode, PhaseChange
from keywork.core.admin_base import ReadOnlyAdmin


class ScopedAdmin(ReadOnlyAdmin):
    """Clinical data is read-only here and limited to what the user may see in the app
    (administrators see none): the same scoper as every page."""

    client_path = "client"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        visible = policies.clients_visible_to(request.user)
        path = self.client_path
        queryset = super().get_queryset(request)
        return (
            queryset.filter(pk__in=visible)
            if not path
            else queryset.filter(**{f"{path}__in": visible})
        )


@admin.register(Client)
class ClientAdmin(ScopedAdmin):
    """Every record opened here is audited."""

    client_path = ""

    list_display = ("local_id", "family_name", "given_name", "is_synthetic")
    search_fields = ("local_id", "family_name")

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        client = self.get_object(request, object_id)
        if client is not None:
            audit.record_read(actor=request.user, what="admin: client", clients=[client])
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Episode)
class EpisodeAdmin(ScopedAdmin):
    list_display = ("client", "team", "phase", "keyworker", "referral_date", "discharged_on")
    list_select_related = ("client", "team", "phase", "keyworker__user")


@admin.register(Allocation)
class AllocationAdmin(ScopedAdmin):
    client_path = "episode__client"

    list_display = ("episode", "worker", "started_on", "ended_on", "reason")


@admin.register(PhaseChange)
class PhaseChangeAdmin(ScopedAdmin):
    client_path = "episode__client"

    list_display = ("episode", "from_phase", "to_phase", "changed_on", "reason")
