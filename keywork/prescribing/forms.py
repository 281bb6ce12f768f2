"""Forms for prescriptions; the actions keep rule 7."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from keywork.access.models import PRACTITIONER_ROLES, Worker
from keywork.catalogue.models import Entry
from keywork.clients.forms import DATE
from keywork.clients.models import Episode
from keywork.core.forms import ActionForm
from keywork.prescribing.actions import DoseInput, PrescriptionInput
from keywork.prescribing.models import Prescription, Regime, Supervision, Unit, Where

PURPOSES = {
    "opioid": "Opioids",
    "alcohol": "Alcohol",
    "benzodiazepine": "Benzodiazepines",
    "stimulant": "Stimulants",
    "gabapentinoid": "Gabapentinoids",
    "ghb_gbl": "GHB/GBL",
}


def medication_choices() -> list[tuple[str, Any]]:
    grouped: dict[str, list[tuple[str, str]]] = {}
    for entry in Entry.objects.offered().filter(kind=Entry.Kind.MEDICATION).order_by("name"):
        label = PURPOSES.get(entry.attributes.get("purpose", ""), "Other")
        grouped.setdefault(label, []).append((entry.code, entry.name))
    return [("", "Choose…"), *grouped.items()]


class DoseFields(ActionForm):
    field_aliases = {"from_date": "from_date"}

    amount = forms.DecimalField(label="Daily dose", max_digits=8, decimal_places=2, required=False)
    unit = forms.ChoiceField(choices=Unit.choices, initial=Unit.ML)
    strength_mg_per_ml = forms.DecimalField(
        label="Methadone liquid strength (mg/ml)",
        max_digits=6,
        decimal_places=2,
        required=False,
        help_text="Leave empty for the 1 mg/ml solution; give the strength of a concentrate.",
    )
    supervision = forms.ChoiceField(choices=Supervision.choices)

    def dose(self) -> DoseInput:
        data = self.cleaned_data
        return DoseInput(
            amount=data["amount"],
            unit=data["unit"],
            supervision=data["supervision"],
            strength_mg_per_ml=data["strength_mg_per_ml"],
        )


class PrescriptionForm(DoseFields):
    medication = forms.ChoiceField()
    regime = forms.ChoiceField(choices=Regime.choices)
    where = forms.ChoiceField(choices=Where.choices, initial=Where.COMMUNITY)
    prescriber = forms.ModelChoiceField(queryset=Worker.objects.none(), required=False)
    prescriber_elsewhere = forms.CharField(
        label="Or a prescriber outside the service", max_length=120, required=False
    )
    started_on = forms.DateField(label="Started", widget=DATE)

    field_order = ["medication", "regime", "where", "prescriber", "prescriber_elsewhere"]

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["medication"].choices = medication_choices()  # type: ignore[attr-defined]
        prescriber = self.fields["prescriber"]
        assert isinstance(prescriber, forms.ModelChoiceField)
        prescriber.queryset = (
            Worker.objects.filter(
                service_id=episode.service_id, role__in=PRACTITIONER_ROLES, user__is_active=True
            )
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )
        self.fields["started_on"].initial = timezone.localdate()

    def given(self) -> PrescriptionInput:
        data = self.cleaned_data
        return PrescriptionInput(
            medication=data["medication"],
            regime=data["regime"],
            started_on=data["started_on"],
            dose=self.dose(),
            where=data["where"],
            prescriber=data["prescriber"],
            prescriber_elsewhere=data["prescriber_elsewhere"],
        )


class DoseChangeForm(DoseFields):
    versioned = True
    from_date = forms.DateField(label="From", widget=DATE)
    reason = forms.CharField(label="Why it changes", required=False)

    field_order = ["from_date", "amount", "unit", "strength_mg_per_ml", "supervision", "reason"]

    def __init__(self, *args: Any, record: Prescription, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_date"].initial = timezone.localdate()
        current = record.doses.order_by("-from_date").first()
        if current is not None:
            self.fields["unit"].initial = current.unit or Unit.MG
            self.fields["strength_mg_per_ml"].initial = current.strength_mg_per_ml
            self.fields["supervision"].initial = current.supervision


class EndPrescriptionForm(ActionForm):
    field_aliases = {"ended_on": "on"}

    on = forms.DateField(label="No longer taken from", widget=DATE)
    reason = forms.CharField(required=False)

    def __init__(self, *args: Any, record: Prescription, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
