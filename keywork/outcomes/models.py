"""Outcome profiles: the numeric items of the national Treatment Outcomes Profile, under our
own labels (the published form's wording is licensed). Taken at the start, at reviews and at
exit (rule 11); a mistaken one is marked entered in error, never deleted (rule 13)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from keywork.access.models import Worker
from keywork.clients.models import Episode
from keywork.core.records import EnteredInError

# Substance groups whose days of use in the past four weeks are recorded, with the unit of
# the typical amount on a day of use.
SUBSTANCES: dict[str, tuple[str, str]] = {
    "alcohol": ("Alcohol", "units"),
    "opiates": ("Opiates (illicit)", "grams"),
    "crack": ("Crack cocaine", "grams"),
    "cocaine": ("Cocaine powder", "grams"),
    "amphetamines": ("Amphetamines", "grams"),
    "cannabis": ("Cannabis", "grams"),
    "other": ("Another problem substance", "grams"),
}
DAY_ITEMS = (
    "injecting_days",
    "shoplifting_days",
    "selling_drugs_days",
    "paid_work_days",
    "education_days",
)
RATINGS = ("psychological_health", "physical_health", "quality_of_life")
YES_NO = (
    "shared_equipment",
    "other_theft",
    "assault_or_violence",
    "acute_housing_problem",
    "at_risk_of_eviction",
)
# Our own labels for each item (the published form's wording is licensed).
LABELS = {
    "injecting_days": "Days injected",
    "shoplifting_days": "Days shoplifting",
    "selling_drugs_days": "Days selling drugs",
    "paid_work_days": "Days of paid work",
    "education_days": "Days at college or school",
    "psychological_health": "Psychological health",
    "physical_health": "Physical health",
    "quality_of_life": "Quality of life",
    "shared_equipment": "Shared injecting equipment in the past four weeks",
    "other_theft": "Any other theft in the past four weeks",
    "assault_or_violence": "Any assault or violence in the past four weeks",
    "acute_housing_problem": "An acute housing problem now",
    "at_risk_of_eviction": "At risk of eviction",
}


class Stage(models.TextChoices):
    START = "start", "Start of treatment"
    REVIEW = "review", "Review"
    EXIT = "exit", "Exit"


class OutcomeProfile(EnteredInError):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="outcomes")
    stage = models.CharField(max_length=8, choices=Stage.choices)
    taken_on = models.DateField()
    taken_by = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")
    use = models.JSONField(
        default=dict,
        help_text='Days used in the past 28 and amount on a day of use: {"alcohol": [12, 14]}',
    )
    injecting_days = models.PositiveSmallIntegerField()
    shared_equipment = models.BooleanField()
    shoplifting_days = models.PositiveSmallIntegerField()
    selling_drugs_days = models.PositiveSmallIntegerField()
    other_theft = models.BooleanField()
    assault_or_violence = models.BooleanField()
    psychological_health = models.PositiveSmallIntegerField()
    physical_health = models.PositiveSmallIntegerField()
    quality_of_life = models.PositiveSmallIntegerField()
    paid_work_days = models.PositiveSmallIntegerField()
    education_days = models.PositiveSmallIntegerField()
    acute_housing_problem = models.BooleanField()
    at_risk_of_eviction = models.BooleanField()
    next_due_on = models.DateField(
        null=True, blank=True, help_text="When the next profile is due; none after the exit."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["episode", "taken_on", "pk"]
        indexes = [models.Index(fields=["episode", "taken_on"])]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} outcomes of {self.taken_on:%d/%m/%Y}"

    def days_used(self, group: str) -> int:
        return int(self.use.get(group, [0, None])[0])

    def amount_used(self, group: str) -> Decimal | None:
        amount = self.use.get(group, [0, None])[1]
        return None if amount is None else Decimal(amount)
