"""Referrals: to a Skills Framework destination and a named agency, or to a competent
colleague; supported or facilitated; with the client's consent to share (or an override
with its reason) and every change of status kept, with a chase date while it waits."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from keywork.access.models import Worker
from keywork.catalogue.models import Entry
from keywork.clients.models import Episode
from keywork.core.records import EnteredInError


class How(models.TextChoices):
    SUPPORTED = "supported", "Supported: the keyworker makes the referral with the client"
    FACILITATED = "facilitated", "Facilitated: the keyworker arranges and follows it through"


class Status(models.TextChoices):
    MADE = "made", "Made"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    FIRST_APPOINTMENT = "first_appointment", "First appointment booked"
    ATTENDED = "attended", "Attended"
    CLOSED = "closed", "Closed"


# Where a referral can go next from each status.
NEXT: dict[str, tuple[str, ...]] = {
    Status.MADE: (Status.ACCEPTED, Status.DECLINED, Status.CLOSED),
    Status.ACCEPTED: (Status.FIRST_APPOINTMENT, Status.CLOSED),
    Status.FIRST_APPOINTMENT: (Status.ATTENDED, Status.FIRST_APPOINTMENT, Status.CLOSED),
    Status.ATTENDED: (Status.CLOSED,),
    Status.DECLINED: (Status.CLOSED,),
    Status.CLOSED: (),
}
WAITING = (Status.MADE, Status.ACCEPTED, Status.FIRST_APPOINTMENT)


class Referral(EnteredInError):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="referrals")
    destination = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.CharField(max_length=120, blank=True, help_text="The named agency.")
    colleague = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_in"
    )
    intervention = models.ForeignKey(
        Entry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The intervention the client is referred for, if any.",
    )
    how = models.CharField(max_length=12, choices=How.choices)
    reason = models.CharField(max_length=300)
    consent_to_share = models.BooleanField()
    consent_on = models.DateField(null=True, blank=True)
    override_reason = models.CharField(
        max_length=300, blank=True, help_text="Why it is made without consent to share."
    )
    made_on = models.DateField()
    made_by = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="referrals_made")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.MADE)
    status_on = models.DateField()
    chase_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["episode", "made_on", "pk"]
        indexes = [models.Index(fields=["episode", "status", "chase_on"])]

    def __str__(self) -> str:
        return f"referral to {self.to} on {self.made_on:%d/%m/%Y}"

    @property
    def to(self) -> str:
        if self.colleague is not None:
            return self.colleague.name
        where = self.destination.name if self.destination else ""
        return f"{where}: {self.agency}" if where and self.agency else where or self.agency


class StatusChange(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="changes")
    status = models.CharField(max_length=20, choices=Status.choices)
    on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["referral", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} on {self.on:%d/%m/%Y}"


class OverrideReview(models.Model):
    """The service manager's sign-off of a referral made without the client's consent."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="review")
    reviewed_by = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField()

    def __str__(self) -> str:
        return f"consent override reviewed {self.reviewed_at:%d/%m/%Y}"
