"""Forms for recovery check-ups; the actions keep rule 12."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from keywork.access.models import PRACTITIONER_ROLES, Worker
from keywork.catalogue.models import Entry
from keywork.checkups.actions import SUGGESTED_GROUPS, CheckUpInput
from keywork.checkups.models import CheckUp, Lapse
from keywork.clients.forms import DATE
from keywork.clients.models import Episode
from keywork.core.forms import ActionForm

YES_NO = [("yes", "Yes"), ("no", "No")]


def service_choices() -> list[tuple[str, Any]]:
    offered = Entry.objects.offered().order_by("name")
    support = offered.filter(kind=Entry.Kind.INTERVENTION, group__in=SUGGESTED_GROUPS)
    places = offered.filter(kind=Entry.Kind.REFERRAL_DESTINATION)
    return [
        ("Recovery support", [(e.code, e.name) for e in support]),
        ("Referral destinations", [(e.code, e.name) for e in places]),
    ]


class ScheduleForm(ActionForm):
    first_on = forms.DateField(label="First check-up on", widget=DATE)
    every_weeks = forms.IntegerField(label="Then every (weeks)", initial=4)
    count = forms.IntegerField(label="How many check-ups", initial=6)

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        after = max(episode.discharged_on or timezone.localdate(), timezone.localdate())
        self.fields["first_on"].initial = after + dt.timedelta(weeks=4)


class CheckUpForm(ActionForm):
    done_on = forms.DateField(label="Done on", widget=DATE)
    contact_made = forms.ChoiceField(
        label="Contact made", choices=YES_NO, initial="yes", widget=forms.RadioSelect
    )
    lapse = forms.ChoiceField(
        label="What the contact found",
        choices=[("", "Choose…"), *Lapse.choices],
        required=False,
        help_text="Without contact, leave it or choose “Not known”.",
    )
    further_services = forms.MultipleChoiceField(
        label="Further services suggested", required=False, widget=forms.SelectMultiple
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args: Any, record: CheckUp, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["done_on"].initial = timezone.localdate()
        self.fields["further_services"].choices = service_choices()  # type: ignore[attr-defined]

    def given(self) -> CheckUpInput:
        data = self.cleaned_data
        return CheckUpInput(
            done_on=data["done_on"],
            contact_made=data["contact_made"] == "yes",
            lapse=data["lapse"],
            further_services=tuple(data["further_services"]),
            notes=data["notes"],
        )


class ReturnForm(ActionForm):
    on = forms.DateField(label="Back in treatment from", widget=DATE)
    reason = forms.CharField(label="Why (what the check-up found)", max_length=300, required=False)
    keyworker = forms.ModelChoiceField(
        queryset=Worker.objects.none(),
        required=False,
        help_text="Left empty: the keyworker at completion, if still in the team.",
    )

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        keyworker = self.fields["keyworker"]
        assert isinstance(keyworker, forms.ModelChoiceField)
        keyworker.queryset = (
            Worker.objects.filter(
                team_id=episode.team_id, role__in=PRACTITIONER_ROLES, user__is_active=True
            )
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )
