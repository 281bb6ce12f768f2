from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from keywork.access import actions
from keywork.access.models import Competency, Registration, Service, Supervision, Team, Worker
from keywork.core.admin_base import ActionAdmin

# Accounts change only through keywork's actions (the Worker page here, `keywork user`):
# Django's own user and group pages would change passwords and rights with no audit.
admin.site.unregister(User)
admin.site.unregister(Group)
# Second factors are set up by their person, and removed on the worker's page (audited).
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(Service)
class ServiceAdmin(ActionAdmin):
    list_display = ("name", "code", "is_synthetic", "care_plan_review_weeks")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj else ()  # a code names the service in imports and returns

    def save_model(self, request: HttpRequest, obj: Service, form: Any, change: bool) -> None:
        if change:
            actions.update_service(
                actor=request.user,
                service=obj,
                given=actions.UpdateServiceInput(**self.changed(form)),
            )
        else:
            data = form.cleaned_data
            created = actions.create_service(
                actor=request.user,
                given=actions.CreateServiceInput(
                    code=data["code"],
                    name=data["name"],
                    phone=data["phone"],
                    email=data["email"],
                    address=data["address"],
                    is_synthetic=data["is_synthetic"],
                ),
            )
            obj.pk = created.pk


@admin.register(Team)
class TeamAdmin(ActionAdmin):
    list_display = ("name", "code", "service", "active")
    list_filter = ("service", "active")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj else ()  # a code names the team in imports

    def save_model(self, request: HttpRequest, obj: Team, form: Any, change: bool) -> None:
        if change:
            actions.update_team(
                actor=request.user,
                team=obj,
                given=actions.UpdateTeamInput(**self.changed(form)),
            )
        else:
            data = form.cleaned_data
            created = actions.create_team(
                actor=request.user,
                service=data["service"],
                given=actions.CreateTeamInput(
                    code=data["code"], name=data["name"], phone=data["phone"], email=data["email"]
                ),
            )
            obj.pk = created.pk


class AccountForm(forms.ModelForm):
    """A worker's account as an administrator changes it: role and place, whether it can
    sign in (with why), and a new password. Saved by one action, audited."""

    active = forms.BooleanField(label="Can sign in", required=False)
    reason = forms.CharField(
        label="Why it can or cannot sign in now",
        required=False,
        help_text="Required when you disable or enable the account.",
    )
    new_password = forms.CharField(
        label="Set a new password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave blank to keep it. A new password ends every session of the account.",
    )

    unlock = forms.BooleanField(
        label="Lift a sign-in lockout",
        required=False,
        help_text="After too many failed sign-ins the account is locked for a while.",
    )
    remove_second_factor_because = forms.CharField(
        label="Remove the second factor, because",
        required=False,
        help_text="A lost phone: its authenticator and recovery codes stop working, and the "
        "person sets up a new one when they next sign in.",
    )

    class Meta:
        model = Worker
        fields = ("role", "service", "team")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["active"].initial = self.instance.user.is_active


@admin.register(Worker)
class WorkerAdmin(ActionAdmin):
    """Workers are added with `keywork user add`; here their role, team, whether they can
    sign in and their password can change, each through its action. No one changes their
    own account here."""

    form = AccountForm
    list_display = ("name", "role", "team", "service", "active")
    list_filter = ("role", "service", "team")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    fields = (
        "user",
        "role",
        "service",
        "team",
        "active",
        "reason",
        "new_password",
        "unlock",
        "remove_second_factor_because",
        "job_title",
        "phone",
        "email",
    )
    readonly_fields = ("user", "job_title", "phone", "email")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Worker, form: Any, change: bool) -> None:
        data = form.cleaned_data
        actions.update_account(
            actor=request.user,
            worker=Worker.objects.select_related("user").get(pk=obj.pk),
            given=actions.UpdateAccountInput(
                role=data["role"],
                team=data["team"],
                service=data["service"],
                active=data["active"],
                reason=data["reason"],
                password=data["new_password"],
                unlock=data["unlock"],
                remove_second_factor_because=data["remove_second_factor_because"],
            ),
        )


@admin.register(Competency)
class CompetencyAdmin(ActionAdmin):
    list_display = ("worker", "intervention", "trained_on", "withdrawn_on")
    list_filter = ("intervention",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Competency, form: Any, change: bool) -> None:
        data = form.cleaned_data
        created = actions.record_training(
            actor=request.user,
            worker=data["worker"],
            given=actions.RecordTrainingInput(
                intervention=data["intervention"],
                trained_on=data["trained_on"],
                training=data["training"],
            ),
        )
        obj.pk = created.pk


@admin.register(Supervision)
class SupervisionAdmin(ActionAdmin):
    list_display = ("worker", "held_on", "lapses_on", "supervisor")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Supervision, form: Any, change: bool) -> None:
        data = form.cleaned_data
        created = actions.record_supervision(
            actor=request.user,
            worker=data["worker"],
            given=actions.RecordSupervisionInput(
                held_on=data["held_on"], lapses_on=data["lapses_on"], supervisor=data["supervisor"]
            ),
        )
        obj.pk = created.pk


@admin.register(Registration)
class RegistrationAdmin(ActionAdmin):
    list_display = ("worker", "body", "number", "valid_from", "expires_on")
    filter_horizontal = ("interventions",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Registration, form: Any, change: bool) -> None:
        data = form.cleaned_data
        created = actions.record_registration(
            actor=request.user,
            worker=data["worker"],
            given=actions.RecordRegistrationInput(
                body=data["body"],
                number=data["number"],
                valid_from=data["valid_from"],
                expires_on=data["expires_on"],
                interventions=data["interventions"],
            ),
        )
        obj.pk = created.pk
