"""Prescriptions (rule 7): medicine and purpose from the catalogue, the regime, and every
dose change kept, so the daily dose and supervision can be read for any date. Amended by a
new dose change, never overwritten; a mistaken record is marked entered in error."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from keywork.access.models import Worker
from keywork.catalogue.models import Entry
from keywork.clients.models import Episode
from keywork.core.records import EnteredInError


class Regime(models.TextChoices):
    ASSESSMENT_STABILISATION = "assessment_stabilisation", "Assessment and stabilisation"
    WITHDRAWAL = "withdrawal", "Withdrawal"
    MAINTENANCE = "maintenance", "Maintenance"
    RELAPSE_PREVENTION = "relapse_prevention", "Relapse prevention"
    TREATMENT = "treatment", "Treatment"


class Where(models.TextChoices):
    COMMUNITY = "community", "Community"
    INPATIENT = "inpatient", "Inpatient"
    PRISON = "prison", "Prison"


class Supervision(models.TextChoices):
    SUPERVISED = "supervised", "Supervised"
    UNSUPERVISED = "unsupervised", "Unsupervised"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Unit(models.TextChoices):
    ML = "ml", "ml"
    MG = "mg", "mg"
    OTHER = "other", "other unit"


class Prescription(EnteredInError):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="prescriptions")
    medication = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="+")
    regime = models.CharField(max_length=32, choices=Regime.choices)
    where = models.CharField(max_length=12, choices=Where.choices, default=Where.COMMUNITY)
    prescriber = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="prescriptions"
    )
    prescriber_elsewhere = models.CharField(
        max_length=120, blank=True, help_text="A prescriber outside the service (shared care)."
    )
    started_on = models.DateField()
    ended_on = models.DateField(
        null=True, blank=True, help_text="The first day it is no longer taken."
    )
    end_reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["episode", "started_on", "pk"]
        indexes = [models.Index(fields=["episode", "started_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="prescription_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        regime = self.get_regime_display().lower()
        return f"{self.medication} ({regime}) from {self.started_on:%d/%m/%Y}"


class DoseChange(models.Model):
    """The daily dose and supervision from a date, as prescribed, with its national figure:
    methadone oral solution in ml of 1 mg/ml equivalent, buprenorphine in mg."""

    prescription = models.ForeignKey(Prescription, on_delete=models.PROTECT, related_name="doses")
    from_date = models.DateField()
    amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=8, choices=Unit.choices, blank=True)
    strength_mg_per_ml = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Methadone liquid: 1 for the 1 mg/ml solution, else the concentrate's strength.",
    )
    reported_dose = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Methadone: ml of 1 mg/ml equivalent; buprenorphine: mg. Empty for others.",
    )
    supervision = models.CharField(max_length=16, choices=Supervision.choices)
    reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["prescription", "from_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["prescription", "from_date"], name="one_dose_change_a_day"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="dose_is_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.unit} from {self.from_date:%d/%m/%Y}"
