"""Forms for referrals; the actions check consent and the status line."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from keywork.access.models import PRACTITIONER_ROLES, Worker
from keywork.catalogue.models import Entry
from keywork.clients.forms import DATE
from keywork.clients.models import Episode
from keywork.core.forms import ActionForm
from keywork.interventions.forms import intervention_choices
from keywork.referrals.actions import ReferralInput
from keywork.referrals.models import NEXT, How, Referral, Status

YES_NO = [("yes", "Yes"), ("no", "No")]


class ReferralForm(ActionForm):
    destination = forms.ChoiceField(required=False)
    agency = forms.CharField(label="Named agency", max_length=120, required=False)
    colleague = forms.ModelChoiceField(
        label="Or a colleague in the service",
        queryset=Worker.objects.none(),
        required=False,
        help_text="For an intervention you cannot deliver yourself.",
    )
    intervention = forms.ChoiceField(label="For an intervention (if any)", required=False)
    how = forms.ChoiceField(choices=How.choices, widget=forms.RadioSelect, initial=How.SUPPORTED)
    reason = forms.CharField(label="Why", max_length=300, required=False)
    consent_to_share = forms.ChoiceField(
        label="The client agrees to share their information",
        choices=YES_NO,
        initial="yes",
        widget=forms.RadioSelect,
    )
    consent_on = forms.DateField(label="Agreed on", widget=DATE, required=False)
    override_reason = forms.CharField(
        label="Without consent: why it must be made", max_length=300, required=False
    )
    made_on = forms.DateField(label="Made on", widget=DATE)
    chase_on = forms.DateField(
        label="Chase on", widget=DATE, required=False, help_text="Two weeks on if left empty."
    )

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        destinations = Entry.objects.offered().filter(kind=Entry.Kind.REFERRAL_DESTINATION)
        self.fields["destination"].choices = [  # type: ignore[attr-defined]
            ("", "Choose…"),
            *((e.code, e.name) for e in destinations.order_by("name")),
        ]
        self.fields["intervention"].choices = intervention_choices()  # type: ignore[attr-defined]
        colleague = self.fields["colleague"]
        assert isinstance(colleague, forms.ModelChoiceField)
        colleague.queryset = (
            Worker.objects.filter(
                service_id=episode.service_id, role__in=PRACTITIONER_ROLES, user__is_active=True
            )
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )
        self.fields["made_on"].initial = self.fields["consent_on"].initial = timezone.localdate()

    def given(self) -> ReferralInput:
        data = self.cleaned_data
        return ReferralInput(
            made_on=data["made_on"],
            how=data["how"],
            reason=data["reason"],
            consent_to_share=data["consent_to_share"] == "yes",
            destination=data["destination"],
            agency=data["agency"],
            colleague=data["colleague"],
            intervention=data["intervention"],
            consent_on=data["consent_on"],
            override_reason=data["override_reason"],
            chase_on=data["chase_on"],
        )


class MoveReferralForm(ActionForm):
    versioned = True
    status = forms.ChoiceField(label="What happened")
    on = forms.DateField(label="On", widget=DATE, help_text="For a first appointment: its date.")
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args: Any, record: Referral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Status.choices)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (s, labels[s]) for s in NEXT.get(record.status, ())
        ]
        self.fields["on"].initial = timezone.localdate()
