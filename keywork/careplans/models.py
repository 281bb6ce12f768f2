"""The care plan agreed with the client. Each agreement is a new version; earlier versions
are kept whole. Goals by life domain carry milestones and linked interventions; every action
names its owner and a due date (rule 10); a review records progress against each milestone
and sets the next review date (rule 11). An action is marked done on the plan it is on; one past
its date and not done is overdue."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from keywork.access.models import Worker
from keywork.assessments.models import Domain, Need
from keywork.catalogue.models import Entry, Phase
from keywork.clients.models import Episode, PhaseChange


class AgreedHow(models.TextChoices):
    IN_PERSON = "in_person", "In person, signed"
    IN_PERSON_VERBAL = "in_person_verbal", "In person, verbally"
    PHONE = "phone", "By phone"
    VIDEO = "video", "By video call"
    LETTER = "letter", "By letter or email"


class CarePlan(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="care_plans")
    version = models.PositiveSmallIntegerField()
    agreed_on = models.DateField()
    agreed_how = models.CharField(max_length=20, choices=AgreedHow.choices)
    review_due = models.DateField()
    made_by = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")
    change_note = models.CharField(
        max_length=300, blank=True, help_text="What changed from the version before."
    )
    risk_management_plan = models.TextField(blank=True)
    crisis_warning_signs = models.TextField(blank=True)
    crisis_actions = models.TextField(blank=True, help_text="What to do in a crisis.")
    crisis_contacts = models.TextField(blank=True, help_text="Who to contact in a crisis.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["episode", "version"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "version"], name="one_plan_per_version")
        ]

    def __str__(self) -> str:
        return f"care plan v{self.version}, agreed {self.agreed_on:%d/%m/%Y}"


class Goal(models.Model):
    care_plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="goals")
    position = models.PositiveSmallIntegerField()
    domain = models.CharField(max_length=24, choices=Domain.choices)
    description = models.CharField(max_length=300)
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.PROTECT, related_name="goals"
    )
    interventions = models.ManyToManyField(Entry, blank=True, related_name="+")
    key_change_phase = models.ForeignKey(
        Phase,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Rule 2: this goal is the plan's key change, and the phase it locates.",
    )

    class Meta:
        ordering = ["care_plan", "position"]

    def __str__(self) -> str:
        return self.description


class Milestone(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="milestones")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=300)

    class Meta:
        ordering = ["goal", "position"]

    def __str__(self) -> str:
        return self.description


class Owner(models.TextChoices):
    CLIENT = "client", "The client"
    KEYWORKER = "keyworker", "The keyworker"
    AGENCY = "agency", "Another agency"


class ActionKind(models.TextChoices):
    GENERAL = "general", "Action"
    HEALTH_MONITORING = "health_monitoring", "Health monitoring"
    ADVOCACY = "advocacy", "Advocacy"


class PlanAction(models.Model):
    care_plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="actions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=ActionKind.choices, default=ActionKind.GENERAL)
    description = models.CharField(max_length=300)
    owner = models.CharField(max_length=12, choices=Owner.choices)
    agency = models.CharField(max_length=120, blank=True, help_text="When another agency owns it.")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)  # marked done on the plan it is on
    done_by = models.ForeignKey(
        Worker, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["care_plan", "due_on", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_on__isnull=True, done_by__isnull=True)
                | Q(done_on__isnull=False, done_by__isnull=False),
                name="plan_action_done_by_whom",
            )
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def owner_name(self) -> str:
        return self.agency if self.owner == Owner.AGENCY else Owner(self.owner).label

    @property
    def episode(self) -> Episode:
        return self.care_plan.episode


class Progress(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    NO_LONGER_RELEVANT = "no_longer_relevant", "No longer relevant"


class Review(models.Model):
    care_plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    reviewed_by = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField()
    next_review_on = models.DateField()
    phase_change = models.OneToOneField(
        PhaseChange, null=True, blank=True, on_delete=models.PROTECT, related_name="review"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["care_plan", "reviewed_on", "pk"]

    def __str__(self) -> str:
        return f"review of {self.reviewed_on:%d/%m/%Y}"


class MilestoneProgress(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="progress")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="progress")
    progress = models.CharField(max_length=20, choices=Progress.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["review", "milestone__goal__position", "milestone__position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "milestone"], name="one_progress_each")
        ]

    def __str__(self) -> str:
        return f"{self.milestone}: {self.get_progress_display()}"
