"""The recovery-capital check form: every statement of the instrument in use, answered on its
scale, under its domain; the action scores it and keeps the stages in order."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404
from django.utils import timezone

from keywork.clients.forms import DATE
from keywork.clients.models import Episode
from keywork.core.forms import ActionForm
from keywork.outcomes.models import Stage
from keywork.recovery.actions import CheckInput
from keywork.recovery.models import Check, Instrument
from keywork.recovery.queries import instrument_in_use


class CheckForm(ActionForm):
    stage = forms.ChoiceField(choices=Stage.choices, widget=forms.RadioSelect)
    taken_on = forms.DateField(label="Taken on", widget=DATE)

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instrument = instrument_in_use()
        if instrument is None:
            raise Http404("No recovery-capital instrument is loaded: keywork load_catalogue.")
        self.instrument: Instrument = instrument
        self.fields["taken_on"].initial = timezone.localdate()
        started = Check.objects.filter(episode=episode, entered_in_error_at=None).exists()
        self.fields["stage"].initial = Stage.REVIEW if started else Stage.START
        scale = [(str(v["value"]), v["label"]) for v in instrument.scale]
        for domain in instrument.domains:
            for item in domain["items"]:
                self.fields[item["code"]] = forms.TypedChoiceField(
                    label=item["text"], choices=scale, coerce=int, widget=forms.RadioSelect
                )

    @property
    def domains(self) -> list[tuple[str, list[forms.BoundField]]]:
        """Each domain's name with its statements' fields, in the instrument's order."""
        return [(d["name"], [self[i["code"]] for i in d["items"]]) for d in self.instrument.domains]

    def given(self) -> CheckInput:
        data = self.cleaned_data
        codes = [i["code"] for d in self.instrument.domains for i in d["items"]]
        return CheckInput(
            stage=data["stage"],
            taken_on=data["taken_on"],
            answers={code: data[code] for code in codes},
            instrument=self.instrument.code,
        )
