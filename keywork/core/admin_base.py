"""Admin building blocks: read-only admins for data that only actions write, and a way for
editable admins to route their saves through the actions and show a refusal."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from keywork.core.errors import RuleViolation


def administers(request: HttpRequest) -> bool:
    """An administrator at the admin. The actions make staff of administrators only, and
    no one a Django superuser, so the admin's rights are these, not Django's permissions."""
    user = request.user
    return bool(user.is_active and user.is_staff)


class AdministratorsOnly(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return administers(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return administers(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return administers(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return administers(request)


class ReadOnlyAdmin(AdministratorsOnly):
    """Shown, never changed here: written by the actions or loaded from files."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ActionAdmin(AdministratorsOnly):
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
        # Django wraps a save in a transaction of its own; each action has its own already,
        # and a refusal's audit row must outlive the refusal, so the admin's is left out.
        try:
            shown: HttpResponse = self._changeform_view(  # type: ignore[attr-defined]
                request, object_id, form_url, extra_context
            )
            return shown
        except RuleViolation as error:
            self.message_user(request, f"Not saved. {error}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Related rows are written by the action in save_model."""

    def changed(self, form: Any) -> dict[str, Any]:
        """The fields the form changed, for an update action."""
        return {name: form.cleaned_data[name] for name in form.changed_data}
