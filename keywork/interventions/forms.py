"""Forms for intervention records; the actions check every rule."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django import forms
from django.utils import timezone

from keywork.access.models import PRACTITIONER_ROLES, Worker
from keywork.catalogue.models import Entry
from keywork.clients.forms import DATE
from keywork.clients.models import Episode
from keywork.core.forms import ActionForm
from keywork.interventions import rules
from keywork.interventions.actions import (
    FirstContact,
    InterventionInput,
    OfferInput,
    national_group,
)
from keywork.interventions.models import (
    Answer,
    Exit,
    FirstContactSupport,
    Intervention,
    Setting,
)
from keywork.sessions.models import Attendance, Outcome

HEADINGS = {
    rules.STRUCTURED_PSYCHOSOCIAL: "Structured psychosocial",
    rules.OTHER_STRUCTURED: "Other structured treatment",
    "structured_setting": "Structured settings",
    "recovery_support": "Recovery support",
}


def intervention_choices() -> list[tuple[str, Any]]:
    """Offered interventions, by the national category they count under."""
    offered = (
        Entry.objects.offered()
        .filter(kind__in=rules.RECORDABLE_KINDS)
        .exclude(group__in=rules.PRESCRIBING)
        .select_related("reports_as")
        .order_by("name")
    )
    grouped: dict[str, list[tuple[str, str]]] = {label: [] for label in HEADINGS.values()}
    shown = [e for e in offered if not e.attributes.get("recorded_as")]  # rule 7: prescribed
    names = Counter(e.name for e in shown)
    for entry in shown:
        label = HEADINGS.get(national_group(entry), "Other interventions")
        grouped.setdefault(label, []).append((entry.code, _named(entry, names)))
    return [("", "Choose…"), *((label, items) for label, items in grouped.items() if items)]


def practitioners(episode: Episode) -> Any:
    """The service's active practitioners, by name: who may deliver or offer."""
    return (
        Worker.objects.filter(
            service_id=episode.service_id, role__in=PRACTITIONER_ROLES, user__is_active=True
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def episode_fields(form: forms.Form, episode: Episode, *, who: str, day: str) -> None:
    """The catalogue's interventions, the service's practitioners (the keyworker first
    chosen) and today: the fields a form recording or offering an intervention shares."""
    form.fields["intervention"].choices = intervention_choices()  # type: ignore[attr-defined]
    worker = form.fields[who]
    assert isinstance(worker, forms.ModelChoiceField)
    worker.queryset = practitioners(episode)
    worker.initial = episode.keyworker_id
    form.fields[day].initial = timezone.localdate()


def _named(entry: Entry, names: Counter[str]) -> str:
    """Its name, told apart where a Skills Framework entry and the national definition it
    reports as share one (psychodynamic therapy)."""
    if names[entry.name] > 1 and entry.kind == Entry.Kind.NATIONAL_DEFINITION:
        return f"{entry.name} (national definition)"
    return entry.name


class InterventionForm(ActionForm):
    field_aliases = {"session": "intervention"}

    intervention = forms.ChoiceField()
    setting = forms.ChoiceField(choices=Setting.choices, initial=Setting.COMMUNITY)
    practitioner = forms.ModelChoiceField(
        queryset=Worker.objects.none(),
        required=False,
        help_text="Or, when another agency delivers it, name the agency instead.",
    )
    agency = forms.CharField(label="Other agency", max_length=120, required=False)
    started_on = forms.DateField(label="Started", widget=DATE)
    planned_sessions = forms.IntegerField(
        label="Planned sessions",
        min_value=0,
        required=False,
        help_text="Required for a structured psychosocial intervention.",
    )
    ended_on = forms.DateField(label="Ended", widget=DATE, required=False)
    exit = forms.ChoiceField(
        label="How it ended", choices=[("", "Not ended"), *Exit.choices], required=False
    )
    first_contact_group = forms.CharField(
        label="Mutual aid: the group", max_length=120, required=False
    )
    first_contact_on = forms.DateField(
        label="Mutual aid: date of the first contact", widget=DATE, required=False
    )
    first_contact_support = forms.ChoiceField(
        label="Mutual aid: how the first contact was arranged",
        choices=[("", "Not mutual aid"), *FirstContactSupport.choices],
        required=False,
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        episode_fields(self, episode, who="practitioner", day="started_on")

    def given(self) -> InterventionInput:
        data = self.cleaned_data
        return InterventionInput(
            code=data["intervention"],
            setting=data["setting"],
            started_on=data["started_on"],
            practitioner=data["practitioner"],
            agency=data["agency"],
            planned_sessions=data["planned_sessions"],
            ended_on=data["ended_on"],
            exit=data["exit"],
            notes=data["notes"],
            first_contact=self.first_contact(),
        )

    def first_contact(self) -> FirstContact | None:
        data = self.cleaned_data
        group, on = data["first_contact_group"], data["first_contact_on"]
        support = data["first_contact_support"]
        return FirstContact(group=group, on=on, support=support) if group or on or support else None


class AmendInterventionForm(InterventionForm):
    versioned = True
    reason = forms.CharField(label="Why it changes", required=False)

    def __init__(self, *args: Any, record: Intervention, **kwargs: Any) -> None:
        intervention = record
        initial = {
            "intervention": intervention.entry.code,
            "setting": intervention.setting,
            "practitioner": intervention.practitioner_id,
            "agency": intervention.agency,
            "started_on": intervention.started_on,
            "planned_sessions": intervention.planned_sessions,
            "ended_on": intervention.ended_on,
            "exit": intervention.exit,
            "notes": intervention.notes,
            "first_contact_group": intervention.first_contact_group,
            "first_contact_on": intervention.first_contact_on,
            "first_contact_support": intervention.first_contact_support,
            **(kwargs.pop("initial", None) or {}),  # the version it was read at
        }
        super().__init__(*args, episode=intervention.episode, initial=initial, **kwargs)
        self.fields["intervention"].disabled = True


class EndInterventionForm(ActionForm):
    field_aliases = {"ended_on": "on"}

    on = forms.DateField(label="Ended", widget=DATE)
    exit = forms.ChoiceField(
        label="How it ended", choices=[("", "Choose…"), *Exit.choices], required=False
    )

    def __init__(self, *args: Any, record: Intervention, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class CountSessionForm(ActionForm):
    session = forms.ModelChoiceField(
        queryset=Attendance.objects.none(), label="Session delivered", empty_label="Choose…"
    )

    def __init__(self, *args: Any, record: Intervention, **kwargs: Any) -> None:
        intervention = record
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        assert isinstance(field, forms.ModelChoiceField)
        since = timezone.make_aware(dt.datetime.combine(intervention.started_on, dt.time.min))
        field.queryset = (
            Attendance.objects.filter(
                episode=intervention.episode,
                outcome=Outcome.ATTENDED,
                entered_in_error_at=None,
                session__starts_at__gte=since,
                session__facilitators=intervention.practitioner_id,
            )
            .exclude(structured_in=intervention)
            .select_related("session")
            .order_by("-session__starts_at")
        )
        field.label_from_instance = session_label  # type: ignore[assignment,method-assign]


def session_label(attendance: Attendance) -> str:
    session = attendance.session
    return f"{timezone.localtime(session.starts_at):%d/%m/%Y %H:%M}, {session.get_kind_display()}"


class OfferForm(ActionForm):
    """An intervention offered, and the client's answer."""

    intervention = forms.ChoiceField()
    on = forms.DateField(label="Offered on", widget=DATE)
    offered_by = forms.ModelChoiceField(queryset=Worker.objects.none())
    answer = forms.ChoiceField(label="The client's answer", choices=Answer.choices)
    reason = forms.CharField(
        label="Why", required=False, help_text="Required when declined or not now."
    )

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        episode_fields(self, episode, who="offered_by", day="on")

    def given(self) -> OfferInput:
        data = self.cleaned_data
        return OfferInput(
            code=data["intervention"],
            on=data["on"],
            offered_by=data["offered_by"],
            answer=data["answer"],
            reason=data["reason"],
        )
