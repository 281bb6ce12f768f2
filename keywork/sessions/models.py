"""Keywork sessions: appointments, one-to-one or group, and what happened for each client.

A session is the meeting (when, where, who facilitated). An attendance is one client's part
in it: the outcome and, when attended, the minimum content of rule 9. Notes are amended with
a reason and their history kept; a mistaken entry is marked entered in error, never deleted
(rule 13)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from keywork.access.models import Team, Worker
from keywork.catalogue.models import Entry
from keywork.clients.models import Episode
from keywork.core.records import EnteredInError


class Place(models.TextChoices):
    """Where (or how) a one-to-one meets."""

    OFFICE = "office", "At the office"
    HOME_VISIT = "home_visit", "Home visit"
    PHONE = "phone", "By phone"
    VIDEO = "video", "By video"
    OUTREACH = "outreach", "Outreach"
    PRISON = "prison", "In prison"


class KeyworkSession(models.Model):
    """A meeting: a one-to-one, a group, or reintegration work (which runs alongside every
    phase and carries on after discharge)."""

    class Kind(models.TextChoices):
        ONE_TO_ONE = "one_to_one", "One-to-one"
        GROUP = "group", "Group"
        REINTEGRATION = "reintegration", "Reintegration work"

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="sessions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=120, blank=True, help_text="For a group: its name.")
    starts_at = models.DateTimeField()
    day = models.DateField(
        editable=False, help_text="The local date it starts on, for the reports' day-by-day rules."
    )
    duration_minutes = models.PositiveSmallIntegerField(default=45)
    location = models.CharField(max_length=120, blank=True)
    place = models.CharField(max_length=16, choices=Place.choices, default=Place.OFFICE)
    facilitators = models.ManyToManyField(Worker, related_name="facilitated_sessions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["team", "starts_at"]),
            # A day's sessions in one order, so a list by day stops at its page (a day at
            # 330,000 clients holds 35,000 sessions: docs/performance-history.md).
            models.Index(fields=["day", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%d/%m/%Y %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.day = timezone.localdate(self.starts_at)
        super().save(*args, **kwargs)


class Outcome(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    CANCELLED_BY_CLIENT = "cancelled_by_client", "Cancelled by the client"
    CANCELLED_BY_SERVICE = "cancelled_by_service", "Cancelled by the service"


class CarePlanWork(models.TextChoices):
    AGREED = "agreed", "Developed and agreed the care plan"
    PROGRESS_CHECKED = "progress_checked", "Checked progress against its milestones"


class Attendance(EnteredInError):
    """One client's place at a session: booked, then recorded; marked entered in error (by
    whom, too) rather than removed (rule 13)."""

    session = models.ForeignKey(
        KeyworkSession, on_delete=models.PROTECT, related_name="attendances"
    )
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="attendances")
    outcome = models.CharField(max_length=24, choices=Outcome.choices, default=Outcome.SCHEDULED)
    recorded_by = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    care_plan_work = models.CharField(max_length=20, choices=CarePlanWork.choices, blank=True)
    information_advice = models.TextField(blank=True)
    harm_reduction = models.TextField(blank=True)
    motivational_work = models.TextField(blank=True)
    topics = models.ManyToManyField(Entry, blank=True, related_name="+")
    interventions = models.ManyToManyField(Entry, blank=True, related_name="delivered_in")
    techniques = models.ManyToManyField(
        Entry, blank=True, related_name="+", help_text="Techniques and mapping tools used."
    )
    notes = models.TextField(blank=True)
    next_session = models.ForeignKey(
        KeyworkSession, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["session__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "episode"], name="one_attendance_each")
        ]
        indexes = [models.Index(fields=["episode", "outcome"])]

    def __str__(self) -> str:
        return f"{self.episode.client} at {self.session}: {self.get_outcome_display()}"


class AppointmentMove(models.Model):
    """A booked appointment moved to another time: when it was, when it is now, and why."""

    session = models.ForeignKey(KeyworkSession, on_delete=models.PROTECT, related_name="moves")
    was_at = models.DateTimeField()
    now_at = models.DateTimeField()
    reason = models.CharField(max_length=300)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    moved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "moved_at", "pk"]

    def __str__(self) -> str:
        return f"moved from {self.was_at:%d/%m/%Y %H:%M}: {self.reason}"


class NoteRevision(models.Model):
    """The notes as they were before an amendment, who changed them and why."""

    attendance = models.ForeignKey(Attendance, on_delete=models.PROTECT, related_name="revisions")
    old_notes = models.TextField()
    new_notes = models.TextField()
    reason = models.CharField(max_length=300)
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    amended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attendance", "amended_at", "pk"]

    def __str__(self) -> str:
        return f"amended {self.amended_at:%d/%m/%Y %H:%M}: {self.reason}"


class ReEngagement(models.Model):
    """Started by a missed appointment; open until the client is next seen (rule 9)."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="reengagements")
    started_on = models.DateField()
    started_by = models.ForeignKey(Attendance, on_delete=models.PROTECT, related_name="+")
    ended_on = models.DateField(null=True, blank=True)
    ended_by = models.ForeignKey(
        Attendance, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["episode", "started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"], condition=Q(ended_on__isnull=True), name="one_open_reengagement"
            )
        ]

    def __str__(self) -> str:
        return f"re-engagement from {self.started_on:%d/%m/%Y}"
