"""The outcome-profile form; the action keeps every value in range and the stages in order."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from keywork.clients.forms import DATE
from keywork.clients.models import Episode
from keywork.core.forms import ActionForm
from keywork.outcomes.actions import ProfileInput
from keywork.outcomes.models import DAY_ITEMS, LABELS, RATINGS, SUBSTANCES, YES_NO, Stage

DAYS_HELP = "Days in the past four weeks (0 to 28)."
RATING_HELP = "The client's own rating, 0 (poor) to 20 (good)."


def days(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, initial=0, help_text=DAYS_HELP)


def rating(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, help_text=RATING_HELP)


class OutcomeForm(ActionForm):
    """Every numeric item of an outcome profile under our own labels."""

    stage = forms.ChoiceField(choices=Stage.choices, widget=forms.RadioSelect)
    taken_on = forms.DateField(label="Taken on", widget=DATE)

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["taken_on"].initial = timezone.localdate()
        started = episode.outcomes.filter(entered_in_error_at=None).exists()
        self.fields["stage"].initial = Stage.REVIEW if started else Stage.START
        for group, (label, unit) in SUBSTANCES.items():
            self.fields[f"{group}_days"] = days(f"{label}: days used")
            self.fields[f"{group}_amount"] = forms.DecimalField(
                label=f"{label}: typical {unit} on a day of use",
                max_digits=6,
                decimal_places=1,
                required=False,
            )
        for name in DAY_ITEMS:
            self.fields[name] = days(LABELS[name])
        for name in RATINGS:
            self.fields[name] = rating(f"How the client rates their {LABELS[name].lower()}")
        for name in YES_NO:
            self.fields[name] = forms.BooleanField(label=LABELS[name], required=False)
        self.order_fields(
            ["stage", "taken_on"]
            + [f"{g}_{part}" for g in SUBSTANCES for part in ("days", "amount")]
        )

    def given(self) -> ProfileInput:
        data = self.cleaned_data
        use = {
            group: (data[f"{group}_days"] or 0, data[f"{group}_amount"])
            for group in SUBSTANCES
            if data[f"{group}_days"] or data[f"{group}_amount"]
        }
        numbers = {name: data[name] for name in (*DAY_ITEMS, *RATINGS)}
        flags = {name: bool(data[name]) for name in YES_NO}
        return ProfileInput(
            stage=data["stage"], taken_on=data["taken_on"], use=use, **numbers, **flags
        )
