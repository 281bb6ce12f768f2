"""Admin building blocks: read-only admins for data that only actions write, and a way for
editable admins to route their saves through the actions and show a refusal."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from keywork.core.errors import RuleViolation


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never changed here: written by the actions or loaded from files."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ActionAdmin(admin.ModelAdmin):
    """Saves go through an action (override save_model); nothing is deleted; a refused
    change is shown as a message and nothing is saved."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except RuleViolation as error:
            self.message_user(request, f"Not saved. {error}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Related rows are written by the action in save_model."""

    def changed(self, form: Any) -> dict[str, object]:
        """The fields the form changed, for an update action."""
        return {name: form.cleaned_data[name] for name in form.changed_data}
