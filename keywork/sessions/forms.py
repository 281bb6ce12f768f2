"""The session forms (a one-to-one, reintegration work, a group's booking and register): they
offer what fits the client's phase first, and only the interventions this worker is competent
to deliver; the actions still check every rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from keywork.access.models import PRACTITIONER_ROLES, Worker
from keywork.access.queries import competent_entries
from keywork.catalogue.models import Entry, Phase
from keywork.clients.models import Episode, ExitReason
from keywork.core.forms import ActionForm
from keywork.sessions.actions import (
    Appointment,
    CancelAppointmentInput,
    MoveAppointmentInput,
    RegisterLine,
    SessionContent,
)
from keywork.sessions.models import Attendance, CarePlanWork, Outcome, Place
from keywork.sessions.rules import (
    GROUP_MINUTES,
    GROUP_TITLE_MAX,
    INTERVENTION_KINDS,
    TECHNIQUE_KINDS,
)

Choices = list[tuple[str, Any]]


def phase_first(entries: list[Entry], phase: Phase | None) -> Choices:
    """Group choices: those listed for the client's phase, then the rest."""
    if phase is None:
        return [(e.code, e.name) for e in entries]
    here = [(e.code, e.name) for e in entries if phase in e.phases.all()]
    other = [(e.code, e.name) for e in entries if phase not in e.phases.all()]
    return [(f"For {phase.name}", here), ("Other phases", other)] if other else here


def tickable(entry: Entry) -> bool:
    """Not offered as a tick on a session: facilitated access to mutual aid (an intervention
    record with its first contact), medical treatment (a prescription), and what a group
    outside the service delivers (an intervention with the group as the agency)."""
    found = entry.attributes
    return not (
        found.get("requires_first_contact") or found.get("recorded_as") or found.get("delivered_by")
    )


class PhaseFirst(forms.CheckboxSelectMultiple):
    """Ticks grouped by `phase_first`: the client's phase's choices shown, the rest behind a
    "more" with a search box, opened when one of them is ticked already."""

    template_name = "sessions/widgets/phase_first.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        groups = context["widget"]["optgroups"]
        context["widget"]["more_open"] = any(
            option["selected"] for _, options, _ in groups[1:] for option in options
        )
        return context


class ContentForm(ActionForm):
    """What a session covered: rule 9's minimum content, topics, interventions (only those
    this worker is competent to deliver), techniques and notes. With a phase, what the
    catalogue lists for it comes first; with `only_phase`, nothing else is offered."""

    only_phase = ""
    # Rule 12: what is delivered following successful completion is offered only where work
    # after discharge is recorded (reintegration work).
    after_completion = False

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
    topics = forms.MultipleChoiceField(widget=PhaseFirst, required=False)
    interventions = forms.MultipleChoiceField(
        widget=PhaseFirst,
        required=False,
        help_text="Only what you are competent to deliver is offered; refer for anything else.",
    )
    techniques = forms.MultipleChoiceField(
        label="Techniques and mapping tools", widget=PhaseFirst, required=False
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args: Any, worker: Worker, phase: Phase | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        offered = Entry.objects.offered().prefetch_related("phases").order_by("name")
        deliverable = (
            competent_entries(worker, today)
            .filter(kind__in=INTERVENTION_KINDS)
            .exclude(group__in=["structured_pharmacological", "referral"])
            .exclude(kind="keyworking_element")
            .prefetch_related("phases")
            .order_by("tier__order", "name")
        )
        if self.only_phase:
            offered = offered.filter(phases__code=self.only_phase)
            deliverable = deliverable.filter(phases__code=self.only_phase)
        self.offer("topics", phase_first(list(offered.filter(kind="topic")), phase))
        ticks = [
            e
            for e in deliverable
            if tickable(e) and (self.after_completion or not e.attributes.get("after_completion"))
        ]
        self.offer("interventions", phase_first(ticks, phase))
        # Mapping tools listed for the client's phase first (a technique is listed for all).
        self.offer("techniques", phase_first(list(offered.filter(kind__in=TECHNIQUE_KINDS)), phase))

    def content(self) -> SessionContent:
        data = self.cleaned_data
        return SessionContent(
            care_plan_work=data.get("care_plan_work", ""),
            information_advice=data.get("information_advice", ""),
            harm_reduction=data.get("harm_reduction", ""),
            motivational_work=data.get("motivational_work", ""),
            topics=tuple(data["topics"]),
            interventions=tuple(data["interventions"]),
            techniques=tuple(data.get("techniques", ())),
            notes=data["notes"],
        )

    def offer(self, name: str, choices: Choices) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


def at(day: dt.date, time: dt.time | None) -> dt.datetime:
    """A local date and time (10:00 when no time is given) as an aware moment."""
    return timezone.make_aware(dt.datetime.combine(day, time or dt.time(10, 0)))


class DatedContentForm(ContentForm):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        now = timezone.localtime()
        self.fields["date"].initial = now.date()
        self.fields["time"].initial = now.time().replace(second=0, microsecond=0)

    def starts_at(self) -> dt.datetime:
        return at(self.cleaned_data["date"], self.cleaned_data["time"])


class SessionForm(DatedContentForm):
    field_aliases = {"next_appointment": "next_date"}

    outcome = forms.ChoiceField(
        choices=[c for c in Outcome.choices if c[0] != Outcome.SCHEDULED],
        widget=forms.RadioSelect,
        initial=Outcome.ATTENDED,
    )
    next_date = forms.DateField(
        label="Next appointment: date",
        help_text="Leave empty if the next appointment is already booked.",
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

    # Rule 9's minimum content and a topic: marked as required, for an attended session.
    required_when_attended = (
        "care_plan_work",
        "information_advice",
        "harm_reduction",
        "motivational_work",
        "topics",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.required_when_attended:
            self.fields[name].widget.attrs["data-required"] = "when attended"

    def next_appointment(self) -> Appointment | None:
        day = self.cleaned_data.get("next_date")
        if day is None:
            return None
        return Appointment(starts_at=at(day, self.cleaned_data.get("next_time")))


class ReintegrationForm(DatedContentForm):
    """Reintegration work: what the catalogue lists for Reintegration, and notes."""

    only_phase = "reintegration"
    after_completion = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("care_plan_work", "information_advice", "harm_reduction", "motivational_work"):
            del self.fields[name]
        self.fields["notes"].label = "What was done"


REGISTER_OUTCOMES = [("", "Not recorded yet"), *Outcome.choices[1:]]


class GroupRegisterForm(ContentForm):
    """A group's register: the content the group covered, then a line for each client still
    to record (outcome, their own notes, their next appointment)."""

    def __init__(self, *args: Any, lines: list[Attendance], **kwargs: Any) -> None:
        super().__init__(*args, phase=None, **kwargs)
        self.lines = lines
        self.fields["notes"].label = "Notes for everyone who came"
        for line in lines:
            n = line.pk
            self.fields[f"outcome_{n}"] = forms.ChoiceField(
                label="Outcome", choices=REGISTER_OUTCOMES, required=False
            )
            self.fields[f"notes_{n}"] = forms.CharField(label="Own notes", required=False)
            self.fields[f"next_date_{n}"] = forms.DateField(
                label="Next appointment",
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                required=False,
            )
            self.fields[f"next_time_{n}"] = forms.TimeField(
                label="Time", widget=forms.TimeInput(attrs={"type": "time"}), required=False
            )

    def rows(self) -> list[tuple[Attendance, list[forms.BoundField]]]:
        names = ("outcome", "notes", "next_date", "next_time")
        return [(line, [self[f"{name}_{line.pk}"] for name in names]) for line in self.lines]

    def register(self) -> list[RegisterLine]:
        data, chosen = self.cleaned_data, []
        for line in self.lines:
            outcome = data[f"outcome_{line.pk}"]
            if not outcome:
                continue
            day = data[f"next_date_{line.pk}"]
            following = (
                Appointment(starts_at=at(day, data[f"next_time_{line.pk}"])) if day else None
            )
            chosen.append(RegisterLine(line, outcome, data[f"notes_{line.pk}"], following))
        return chosen


class GroupBookingForm(ActionForm):
    field_aliases = {"episodes": "clients"}

    title = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"maxlength": GROUP_TITLE_MAX})
    )
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    duration_minutes = forms.IntegerField(
        label="Minutes",
        initial=90,
        widget=forms.NumberInput(attrs={"min": GROUP_MINUTES[0], "max": GROUP_MINUTES[1]}),
    )
    weeks = forms.IntegerField(
        label="Weekly for how many weeks", initial=1, help_text="1 books a single session."
    )
    location = forms.CharField(max_length=120, required=False)
    facilitators = forms.ModelMultipleChoiceField(
        queryset=Worker.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    clients = forms.MultipleChoiceField(
        label="Clients from your caseload", widget=forms.CheckboxSelectMultiple, required=False
    )
    other_clients = forms.CharField(
        label="Other clients of the team, by client id",
        help_text="Separate ids with commas or spaces.",
        required=False,
    )

    def __init__(self, *args: Any, worker: Worker, caseload: list[Episode], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        facilitators = self.fields["facilitators"]
        assert isinstance(facilitators, forms.ModelMultipleChoiceField)
        facilitators.queryset = (
            Worker.objects.filter(
                team=worker.team, role__in=PRACTITIONER_ROLES, user__is_active=True
            )
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )
        facilitators.initial = [worker.pk]
        self.caseload = {str(e.pk): e for e in caseload}
        clients = self.fields["clients"]
        assert isinstance(clients, forms.ChoiceField)
        clients.choices = [
            (k, f"{e.client.name} ({e.client.local_id})") for k, e in self.caseload.items()
        ]

    def starts_at(self) -> dt.datetime:
        return at(self.cleaned_data["date"], self.cleaned_data["time"])

    def ids(self) -> list[str]:
        return str(self.cleaned_data["other_clients"]).replace(",", " ").split()

    def mine(self) -> list[Episode]:
        return [self.caseload[k] for k in self.cleaned_data["clients"]]


class AmendNotesForm(ActionForm):
    versioned = True
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    reason = forms.CharField(label="Why the notes change", required=False)

    def __init__(self, *args: Any, record: object = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


def _when(label: str) -> tuple[forms.DateField, forms.TimeField]:
    return (
        forms.DateField(
            label=f"{label}: date",
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        ),
        forms.TimeField(
            label=f"{label}: time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
        ),
    )


class AppointmentForm(ActionForm):
    """Book a one-to-one appointment with the client."""

    field_aliases = {"starts_at": "date"}
    date, time = _when("Appointment")
    duration_minutes = forms.IntegerField(label="Length (minutes)", initial=45, min_value=5)
    place = forms.ChoiceField(choices=Place.choices, initial=Place.OFFICE)
    location = forms.CharField(
        label="Where, in words", required=False, help_text="A room, an address: optional."
    )

    def __init__(self, *args: Any, episode: Episode | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def appointment(self) -> Appointment:
        data = self.cleaned_data
        return Appointment(
            starts_at=at(data["date"], data["time"]),
            duration_minutes=data["duration_minutes"],
            place=data["place"],
            location=data["location"],
        )


class MoveAppointmentForm(AppointmentForm):
    """Move a booked appointment: the new time, and why; the old time is kept."""

    field_aliases = {"moved_to": "date"}
    reason = forms.CharField(label="Why it moves", required=False)

    def __init__(self, *args: Any, record: Attendance | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].label, self.fields["time"].label = "New date", "New time"

    def move(self) -> MoveAppointmentInput:
        booked = self.appointment()
        return MoveAppointmentInput(
            starts_at=booked.starts_at,
            duration_minutes=booked.duration_minutes,
            place=booked.place,
            location=booked.location,
            reason=self.cleaned_data["reason"],
        )


class CancelAppointmentForm(ActionForm):
    """Cancel a booked appointment: by whom, and why."""

    by = forms.ChoiceField(
        label="Called off by",
        choices=[("client", "The client"), ("service", "The service")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="Why", required=False)

    def __init__(self, *args: Any, record: Attendance | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def cancellation(self) -> CancelAppointmentInput:
        data = self.cleaned_data
        return CancelAppointmentInput(by=data["by"], reason=data["reason"])
