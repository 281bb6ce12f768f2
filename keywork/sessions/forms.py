"""The record-a-session form: it offers what fits the client's phase first, and only the
interventions this worker is competent to deliver; the action still checks every rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from keywork.access.models import Worker
from keywork.access.queries import competent_entries
from keywork.catalogue.models import Entry, Phase
from keywork.clients.models import ExitReason
from keywork.core.forms import ActionForm
from keywork.sessions.actions import NextAppointment
from keywork.sessions.models import CarePlanWork, Outcome
from keywork.sessions.rules import INTERVENTION_KINDS, TECHNIQUE_KINDS, SessionContent

Choices = list[tuple[str, Any]]


def phase_first(entries: list[Entry], phase: Phase) -> Choices:
    """Group choices: those listed for the client's phase, then the rest."""
    here = [(e.code, e.name) for e in entries if phase in e.phases.all()]
    other = [(e.code, e.name) for e in entries if phase not in e.phases.all()]
    return [(f"For {phase.name}", here), ("Other phases", other)] if other else here


class SessionForm(ActionForm):
    field_aliases = {"next_appointment": "next_date"}

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    outcome = forms.ChoiceField(
        choices=[c for c in Outcome.choices if c[0] != Outcome.SCHEDULED],
        widget=forms.RadioSelect,
        initial=Outcome.ATTENDED,
    )
    care_plan_work = forms.ChoiceField(
        choices=CarePlanWork.choices, widget=forms.RadioSelect, required=False
    )
    information_advice = forms.CharField(
        label="Information and advice given",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    harm_reduction = forms.CharField(
        label="Harm reduction", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    motivational_work = forms.CharField(
        label="Motivational work", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    topics = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, required=False)
    interventions = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Only what you are competent to deliver is offered; refer for anything else.",
    )
    techniques = forms.MultipleChoiceField(
        label="Techniques and mapping tools", widget=forms.CheckboxSelectMultiple, required=False
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    next_date = forms.DateField(
        label="Next appointment: date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
    )
    next_time = forms.TimeField(
        label="Next appointment: time",
        widget=forms.TimeInput(attrs={"type": "time"}),
        required=False,
    )
    discharge_reason = forms.ChoiceField(
        label="Discharge with this session",
        choices=[("", "No: the client continues in treatment"), *ExitReason.choices],
        required=False,
    )

    def __init__(self, *args: Any, worker: Worker, phase: Phase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        offered = Entry.objects.offered().prefetch_related("phases").order_by("name")
        topics = list(offered.filter(kind="topic"))
        deliverable = list(
            competent_entries(worker, today)
            .filter(kind__in=INTERVENTION_KINDS)
            .exclude(group__in=["structured_pharmacological", "referral"])
            .prefetch_related("phases")
            .order_by("tier__order", "name")
        )
        fits = [e for e in deliverable if e.kind != "keyworking_element"]
        self.offer("topics", phase_first(topics, phase))
        self.offer("interventions", phase_first(fits, phase))
        self.offer(
            "techniques", [(e.code, e.name) for e in offered.filter(kind__in=TECHNIQUE_KINDS)]
        )
        now = timezone.localtime()
        self.fields["date"].initial = now.date()
        self.fields["time"].initial = now.time().replace(second=0, microsecond=0)

    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        )

    def content(self) -> SessionContent:
        data = self.cleaned_data
        return SessionContent(
            care_plan_work=data["care_plan_work"],
            information_advice=data["information_advice"],
            harm_reduction=data["harm_reduction"],
            motivational_work=data["motivational_work"],
            topics=tuple(data["topics"]),
            interventions=tuple(data["interventions"]),
            techniques=tuple(data["techniques"]),
            notes=data["notes"],
        )

    def next_appointment(self) -> NextAppointment | None:
        day, time = self.cleaned_data.get("next_date"), self.cleaned_data.get("next_time")
        if day is None:
            return None
        at = dt.datetime.combine(day, time or dt.time(10, 0))
        return NextAppointment(starts_at=timezone.make_aware(at))

    def offer(self, name: str, choices: Choices) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class AmendNotesForm(ActionForm):
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    reason = forms.CharField(label="Why the notes change", required=False)


class EnteredInErrorForm(ActionForm):
    reason = forms.CharField(label="Why this entry is in error", required=False)
