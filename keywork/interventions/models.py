"""Interventions recorded on an episode (rules 3 to 6): any catalogue intervention, with its
dates, exit, practitioner (or the agency that delivers it) and setting. A structured
psychosocial intervention also has its planned number of sessions and the sessions
delivered. Amended with a reason, never overwritten; a mistaken record is marked entered in
error, never deleted (rule 13)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from keywork.access.models import Worker
from keywork.catalogue.models import Entry
from keywork.clients.models import Episode
from keywork.core.records import EnteredInError
from keywork.sessions.models import Attendance


class Setting(models.TextChoices):
    COMMUNITY = "community", "Community"
    RESIDENTIAL = "residential", "Residential"
    INPATIENT = "inpatient", "Inpatient"
    PRISON = "prison", "Prison"
    PRIMARY_CARE = "primary_care", "Primary care"
    RECOVERY = "recovery", "Recovery support service"


class Exit(models.TextChoices):
    PLANNED = "planned", "Planned: completed as intended"
    UNPLANNED = "unplanned", "Unplanned: the client stopped"
    WITHDRAWN = "withdrawn", "Withdrawn by the service"


class FirstContactSupport(models.TextChoices):
    """How facilitated access to mutual aid was supported (rule 8). A leaflet is listed so
    that it can be refused by name: it is not facilitated access."""

    ACCOMPANIED = "accompanied", "Went with the client to the first meeting"
    TRANSPORT = "transport", "Arranged the client's transport to the first meeting"
    INTRODUCED = "introduced", "Introduced the client to a member in person"
    ARRANGED_CALL = "arranged_call", "Arranged a call with a member before the first meeting"
    PEER = "peer", "A peer supporter took the client"
    LEAFLET = "leaflet", "Gave a leaflet or the list of meetings"


class Intervention(EnteredInError):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="interventions")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="interventions"
    )
    agency = models.CharField(
        max_length=120, blank=True, help_text="When another agency delivers it: its name."
    )
    setting = models.CharField(max_length=16, choices=Setting.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    exit = models.CharField(max_length=12, choices=Exit.choices, blank=True)
    planned_sessions = models.PositiveSmallIntegerField(null=True, blank=True)
    sessions = models.ManyToManyField(Attendance, blank=True, related_name="structured_in")
    first_contact_group = models.CharField(
        max_length=120, blank=True, help_text="Mutual aid: the group the first contact is with."
    )
    first_contact_on = models.DateField(null=True, blank=True)
    first_contact_support = models.CharField(
        max_length=16, choices=FirstContactSupport.choices, blank=True
    )
    notes = models.TextField(blank=True)
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
                name="intervention_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, exit="")
                | Q(ended_on__isnull=False) & ~Q(exit=""),
                name="intervention_exit_with_its_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry} from {self.started_on:%d/%m/%Y}"

    def open_on(self, day: dt.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day <= self.ended_on)


class Amendment(models.Model):
    """A change to a recorded intervention: what each field was, what it became, and why."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.PROTECT, related_name="amendments"
    )
    changes = models.JSONField(help_text='{"field": ["before", "after"], ...}')
    reason = models.CharField(max_length=300)
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    amended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["intervention", "amended_at", "pk"]

    def __str__(self) -> str:
        return f"amended {self.amended_at:%d/%m/%Y}: {self.reason}"

    @property
    def described(self) -> str:
        """planned sessions 6 → 8; ended on (none) → 2026-11-20"""
        return "; ".join(
            f"{name.replace('_', ' ')} {before if before not in (None, '') else '(none)'} → "
            f"{after if after not in (None, '') else '(none)'}"
            for name, (before, after) in self.changes.items()
        )


class Answer(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    DEFERRED = "deferred", "Not now: to offer again"


class Offer(EnteredInError):
    """An intervention offered to the client (NICE QS6: people in drug treatment "are
    offered appropriate psychosocial interventions by their keyworker"): what, when, by whom,
    and the client's answer. Kept as recorded; offered again, it is a new offer."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="offers")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="+")
    offered_on = models.DateField()
    offered_by = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="offers")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    reason = models.CharField(max_length=300, blank=True, help_text="Why declined or deferred.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["episode", "offered_on", "pk"]
        indexes = [models.Index(fields=["episode", "offered_on"])]

    def __str__(self) -> str:
        return f"{self.entry.name} offered {self.offered_on:%d/%m/%Y}: {self.get_answer_display()}"
