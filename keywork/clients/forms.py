"""Forms for an episode's phase, keyworker and discharge; the actions make the change."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from keywork.access.models import PRACTITIONER_ROLES, Worker
from keywork.catalogue.models import Phase
from keywork.clients.models import Episode, ExitReason
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
        line = Phase.objects.filter(in_sequence=True, retired_at__isnull=True)
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
