"""Recovery check-ups (rule 12): after a successful completion, periodic contacts the service
initiates, looking for lapses; on relapse, a prompt return to treatment."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from keywork.access.models import Worker
from keywork.catalogue.models import Entry
from keywork.clients.models import Episode
from keywork.core.records import EnteredInError


class Status(models.TextChoices):
    DUE = "due", "Due"
    CONTACT_MADE = "contact_made", "Contact made"
    NO_CONTACT = "no_contact", "No contact made"
    CANCELLED = "cancelled", "Not needed: returned to treatment"


class Lapse(models.TextChoices):
    NONE = "none", "No signs of lapse"
    RISK = "risk", "Marked risk of relapse"
    LAPSE = "lapse", "A lapse"
    RELAPSE = "relapse", "Relapse"
    NOT_KNOWN = "not_known", "Not known (no contact)"


class CheckUp(EnteredInError):
    """One check-up of a completed episode: due on a date, then recorded as done."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="checkups")
    due_on = models.DateField()
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="checkups")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DUE)
    done_on = models.DateField(null=True, blank=True)
    lapse = models.CharField(max_length=10, choices=Lapse.choices, blank=True)
    further_services = models.ManyToManyField(Entry, blank=True, related_name="+")
    notes = models.TextField(blank=True)
    returned_to = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["episode", "due_on", "pk"]
        indexes = [models.Index(fields=["worker", "status", "due_on"])]

    def __str__(self) -> str:
        return f"Recovery check-up due {self.due_on:%d/%m/%Y}"
