"""Services, teams, workers and their competence; and the append-only audit trail."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from keywork.catalogue.models import Entry


class Role(models.TextChoices):
    KEYWORKER = "keyworker", "Keyworker"
    TEAM_LEADER = "team_leader", "Team leader"
    SERVICE_MANAGER = "service_manager", "Service manager"
    ADMINISTRATOR = "administrator", "Administrator"
    COMMISSIONER = "commissioner", "Commissioner (read-only)"


PRACTITIONER_ROLES = (Role.KEYWORKER, Role.TEAM_LEADER)


class Profession(models.TextChoices):
    """What a practitioner is. Seed 000: "A keyworker is a key individual or clinician, for
    example a doctor, nurse, or an NHS or voluntary sector drugs worker": any of them may be
    a client's keyworker."""

    DRUGS_WORKER = "drugs_worker", "Drugs worker"
    NURSE = "nurse", "Nurse"
    DOCTOR = "doctor", "Doctor"
    PSYCHOLOGIST = "psychologist", "Psychologist"
    OTHER = "other", "Other practitioner"


# Those who see a team's or a service's records, or manage accounts, sign in with a second
# factor; keyworkers may choose to.
SECOND_FACTOR_ROLES = (
    Role.TEAM_LEADER,
    Role.SERVICE_MANAGER,
    Role.ADMINISTRATOR,
    Role.COMMISSIONER,
)
TEAM_ROLES = PRACTITIONER_ROLES


class Service(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    care_plan_review_weeks = models.PositiveSmallIntegerField(default=12)
    outcome_review_months = models.PositiveSmallIntegerField(default=6)
    is_synthetic = models.BooleanField(
        default=False, help_text="Synthetic demo data: no real people."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="teams")
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["service__name", "name"]

    def __str__(self) -> str:
        return self.name


def worker_name(first_name: str, last_name: str, username: str) -> str:
    """A worker's name from their user's fields: the full name, or else the username."""
    return f"{first_name} {last_name}".strip() or username


class Worker(models.Model):
    """A member of staff (or a commissioner), linked to their login account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="worker"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="workers"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="workers"
    )
    job_title = models.CharField(max_length=120, blank=True)
    profession = models.CharField(
        max_length=20,
        choices=Profession.choices,
        blank=True,
        help_text="A practitioner's profession; any may be a keyworker (seed 000).",
    )
    phone = models.CharField(max_length=40, blank=True, help_text="Work number clients can use.")
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return worker_name(self.user.first_name, self.user.last_name, self.user.username)

    @property
    def active(self) -> bool:
        return self.user.is_active

    @property
    def is_practitioner(self) -> bool:
        return self.role in PRACTITIONER_ROLES


class Competency(models.Model):
    """Recorded training in one Keywork+ intervention (rule 4)."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="competencies")
    intervention = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="+")
    trained_on = models.DateField()
    training = models.CharField(max_length=200, blank=True, help_text="Course or provider.")
    withdrawn_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["worker", "intervention__name", "-trained_on"]
        verbose_name_plural = "competencies"

    def __str__(self) -> str:
        return f"{self.worker}: {self.intervention} (trained {self.trained_on:%d/%m/%Y})"


class Supervision(models.Model):
    """One clinical supervision, and the day after which it no longer covers the worker."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="supervisions")
    held_on = models.DateField()
    lapses_on = models.DateField(help_text="The first day the worker is no longer in date.")
    supervisor = models.CharField(max_length=120, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["worker", "-held_on"]

    def __str__(self) -> str:
        return f"{self.worker}: supervised {self.held_on:%d/%m/%Y}"

    def covers(self, day: dt.date) -> bool:
        return self.held_on <= day < self.lapses_on


class Registration(models.Model):
    """A professional registration or accreditation and the specialist interventions it
    covers (rule 4)."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="registrations")
    body = models.CharField(max_length=120, help_text="e.g. NMC, GMC, HCPC, BACP, UKCP")
    number = models.CharField(max_length=60)
    valid_from = models.DateField()
    expires_on = models.DateField(help_text="The last day it is in date.")
    interventions = models.ManyToManyField(Entry, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["worker", "body"]

    def __str__(self) -> str:
        return f"{self.worker}: {self.body} {self.number}"
