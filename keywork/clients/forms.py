"""Forms for a client's registration and details, and an episode's opening, phase, keyworker
and discharge; the actions make the change."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from keywork.access.models import PRACTITIONER_ROLES, Team, Worker
from keywork.catalogue.models import Entry, Phase
from keywork.clients.actions import (
    DETAILS,
    OpenEpisodeInput,
    RegisterClientInput,
    SubstanceUse,
    UpdateClientDetailsInput,
)
from keywork.clients.models import Client, Contact, Episode, ExitReason, InjectingStatus, Route, Sex
from keywork.core.forms import ActionForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PhaseForm(ActionForm):
    versioned = True
    to = forms.ChoiceField(label="Move to")
    on = forms.DateField(label="Date decided", widget=DATE)
    reason = forms.CharField(
        label="Why", help_text="A lapse or relapse is a normal reason to move back."
    )

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        line = Phase.objects.in_line()
        self.fields["to"].choices = [  # type: ignore[attr-defined]
            (p.code, p.name) for p in line if p.pk != episode.phase_id
        ]
        self.fields["on"].initial = timezone.localdate()


class KeyworkerForm(ActionForm):
    versioned = True
    worker = forms.ModelChoiceField(label="New keyworker", queryset=Worker.objects.none())
    on = forms.DateField(label="From", widget=DATE)
    reason = forms.CharField(label="Why")

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["worker"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Worker.objects.filter(
                team=episode.team, role__in=PRACTITIONER_ROLES, user__is_active=True
            )
            .exclude(pk=episode.keyworker_id)
            .select_related("user")
        )
        self.fields["on"].initial = timezone.localdate()


class TriageForm(ActionForm):
    on = forms.DateField(label="Triage date", widget=DATE)

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class DischargeForm(ActionForm):
    versioned = True
    on = forms.DateField(label="Discharge date", widget=DATE)
    exit_reason = forms.ChoiceField(
        label="Exit reason", choices=[("", "Choose…"), *ExitReason.choices]
    )
    note = forms.CharField(required=False)

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


YES_NO = [("", "Not asked yet"), ("yes", "Yes"), ("no", "No")]


def _consent(value: str) -> bool | None:
    return None if value == "" else value == "yes"


class DetailsForm(ActionForm):
    """A client's details: who they are, how to reach them, their GP, next of kin, consents."""

    given_name = forms.CharField()
    family_name = forms.CharField()
    preferred_name = forms.CharField(required=False, help_text="The name they like to be called.")
    date_of_birth = forms.DateField(widget=DATE)
    sex = forms.ChoiceField(choices=[("", "Choose…"), *Sex.choices])
    nhs_number = forms.CharField(label="NHS number", required=False, help_text="10 digits.")
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    postcode = forms.CharField(required=False)
    phone = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.EmailField(required=False)
    contact_by = forms.ChoiceField(
        label="Contact by", choices=[("", "No preference"), *Contact.choices], required=False
    )
    gp_practice = forms.CharField(label="GP practice", required=False)
    next_of_kin = forms.CharField(
        label="Next of kin or emergency contact", required=False, help_text="Who, and how related."
    )
    next_of_kin_phone = forms.CharField(
        label="Their phone", required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    consents_to_national_reporting = forms.ChoiceField(
        label="Consents to the national return (NDTMS)", choices=YES_NO, required=False
    )
    consent_recorded_on = forms.DateField(label="Date of that consent", widget=DATE, required=False)
    consents_to_sharing = forms.ChoiceField(
        label="Consents to sharing with other agencies in their care",
        choices=YES_NO,
        required=False,
    )
    sharing_consent_on = forms.DateField(label="Date of that consent", widget=DATE, required=False)

    def details(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("consents_to_national_reporting", "consents_to_sharing"):
            data[name] = _consent(data[name])
        return {name: data[name] for name in DETAILS}


class RegisterForm(DetailsForm):
    field_aliases = {"not_a_duplicate": "not_a_duplicate"}
    local_id = forms.CharField(label="Client id", help_text="The service's own id for them.")
    not_a_duplicate = forms.BooleanField(
        label="This is not the client already registered with this name and date of birth",
        required=False,
    )
    field_order = ["local_id"]

    def given(self) -> RegisterClientInput:
        data = self.cleaned_data
        return RegisterClientInput(
            local_id=data["local_id"], not_a_duplicate=data["not_a_duplicate"], **self.details()
        )


class ChangeDetailsForm(DetailsForm):
    def __init__(self, *args: Any, record: Client | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def given(self) -> UpdateClientDetailsInput:
        return UpdateClientDetailsInput(**self.details())


def client_as_shown(client: Client) -> dict[str, object]:
    shown: dict[str, object] = {name: getattr(client, name) for name in DETAILS}
    for name in ("consents_to_national_reporting", "consents_to_sharing"):
        value = shown[name]
        shown[name] = "" if value is None else ("yes" if value else "no")
    return shown


class OpenEpisodeForm(ActionForm):
    """An episode of treatment: who refers, when, the team, the first keyworker, the
    problem substances."""

    team = forms.ModelChoiceField(queryset=Team.objects.none())
    keyworker = forms.ModelChoiceField(label="Keyworker", queryset=Worker.objects.none())
    referral_date = forms.DateField(widget=DATE)
    referral_source = forms.CharField(required=False, help_text="Who referred them.")
    triage_date = forms.DateField(widget=DATE, required=False)
    injecting_status = forms.ChoiceField(choices=InjectingStatus.choices)
    substance_1 = forms.ModelChoiceField(
        label="Main problem substance", queryset=Entry.objects.none()
    )
    route_1 = forms.ChoiceField(label="Taken by", choices=Route.choices)
    substance_2 = forms.ModelChoiceField(
        label="Second substance", queryset=Entry.objects.none(), required=False
    )
    route_2 = forms.ChoiceField(label="Taken by", choices=Route.choices, required=False)
    substance_3 = forms.ModelChoiceField(
        label="Third substance", queryset=Entry.objects.none(), required=False
    )
    route_3 = forms.ChoiceField(label="Taken by", choices=Route.choices, required=False)

    def __init__(self, *args: Any, worker: Worker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        service = worker.service_id or (worker.team.service_id if worker.team else 0)
        teams = Team.objects.filter(service_id=service, active=True).order_by("name")
        self._set("team", teams, worker.team)
        practitioners = Worker.objects.filter(
            service_id=service, role__in=PRACTITIONER_ROLES, user__is_active=True
        ).select_related("user", "team")
        self._set("keyworker", practitioners.order_by("user__first_name"), worker)
        substances = Entry.objects.offered().filter(kind="substance").order_by("name")
        for n in (1, 2, 3):
            self._set(f"substance_{n}", substances, None)
        self.fields["referral_date"].initial = timezone.localdate()
        self.fields["injecting_status"].initial = InjectingStatus.DECLINED

    def _set(self, name: str, queryset: Any, initial: object) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset
        field.initial = initial

    def given(self) -> OpenEpisodeInput:
        data = self.cleaned_data
        uses = [
            SubstanceUse(code=data[f"substance_{n}"].code, route=data[f"route_{n}"])
            for n in (1, 2, 3)
            if data.get(f"substance_{n}")
        ]
        return OpenEpisodeInput(
            team=data["team"],
            keyworker=data["keyworker"],
            referral_date=data["referral_date"],
            referral_source=data["referral_source"],
            triage_date=data["triage_date"],
            injecting_status=data["injecting_status"],
            substances=uses,
        )
