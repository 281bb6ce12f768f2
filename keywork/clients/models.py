"""Clients, their episodes of treatment, the keyworker allocated to each episode over time,
and the phase moves. Written only by keywork.clients.actions; never deleted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from keywork.access.models import Service, Team, Worker
from keywork.catalogue.models import Entry, Phase
from keywork.core.dates import age_on


class Sex(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    INDETERMINATE = "indeterminate", "Indeterminate"
    NOT_STATED = "not_stated", "Not stated"


class Contact(models.TextChoices):
    """How the client would rather be contacted."""

    PHONE = "phone", "A phone call"
    TEXT = "text", "A text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "A letter"


class Client(models.Model):
    """A person in treatment, with what the work needs and no more."""

    local_id = models.CharField("client id", max_length=30, unique=True)
    given_name = models.CharField(max_length=80)
    family_name = models.CharField(max_length=80)
    preferred_name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=16, choices=Sex.choices)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    postcode_district = models.CharField(max_length=5, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    contact_by = models.CharField("contact by", max_length=8, choices=Contact.choices, blank=True)
    gp_practice = models.CharField("GP practice", max_length=120, blank=True)
    next_of_kin = models.CharField(
        max_length=120, blank=True, help_text="Next of kin or emergency contact: who."
    )
    next_of_kin_phone = models.CharField(max_length=40, blank=True)
    consents_to_national_reporting = models.BooleanField(null=True, blank=True)
    consent_recorded_on = models.DateField(null=True, blank=True)
    consents_to_sharing = models.BooleanField(
        null=True, blank=True, help_text="With other agencies involved in their care."
    )
    sharing_consent_on = models.DateField(null=True, blank=True)
    is_synthetic = models.BooleanField(default=False)
    registered_at = models.DateTimeField(auto_now_add=True)
    registered_service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who may see the client before their first episode opens.",
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"], condition=~Q(nhs_number=""), name="one_client_per_nhs_number"
            )
        ]
        indexes = [models.Index(fields=["family_name", "date_of_birth"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.local_id})"

    @property
    def name(self) -> str:
        return f"{self.preferred_name or self.given_name} {self.family_name}"

    @property
    def age(self) -> int:
        return age_on(self.date_of_birth, timezone.localdate())


class DetailsChange(models.Model):
    """A change to a client's details: what each field was and became, who, when."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="changes")
    changes = models.JSONField(help_text="{field: [before, after]}")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client", "-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.client} details changed {self.changed_at:%d/%m/%Y}"


class ExitReason(models.TextChoices):
    COMPLETED_DRUG_FREE = "completed_drug_free", "Treatment completed: drug free"
    COMPLETED_ALCOHOL_FREE = "completed_alcohol_free", "Treatment completed: alcohol free"
    COMPLETED_OCCASIONAL = (
        "completed_occasional",
        "Treatment completed: occasional user (not opiates or crack)",
    )
    TRANSFERRED = "transferred", "Transferred to another service"
    TRANSFERRED_CUSTODY = "transferred_custody", "Transferred: custody"
    DROPPED_OUT = "dropped_out", "Dropped out or left"
    WITHDRAWN_BY_PROVIDER = "withdrawn_by_provider", "Treatment withdrawn by provider"
    DECLINED = "declined", "Client declined treatment"
    NOT_APPROPRIATE = "not_appropriate", "Not appropriate for the service"
    MOVED_AWAY = "moved_away", "Moved away"
    DIED = "died", "Died"


# The exits that count as a successful completion of treatment.
COMPLETED = (
    ExitReason.COMPLETED_DRUG_FREE,
    ExitReason.COMPLETED_ALCOHOL_FREE,
    ExitReason.COMPLETED_OCCASIONAL,
)


class InjectingStatus(models.TextChoices):
    NEVER = "never", "Never injected"
    PREVIOUSLY = "previously", "Previously injected"
    CURRENTLY = "currently", "Currently injecting"
    DECLINED = "declined", "Declined to say"


class Route(models.TextChoices):
    INJECT = "inject", "Injecting"
    SMOKE = "smoke", "Smoking"
    ORAL = "oral", "Oral"
    SNIFF = "sniff", "Sniffing"
    OTHER = "other", "Other"


class Episode(models.Model):
    """One period of structured treatment in one service, from referral to discharge.

    `phase` and `keyworker` are the current values, kept by the actions that move the phase
    and allocate keyworkers, which also write the history rows below."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="episodes")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="episodes")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="episodes")
    referral_date = models.DateField()
    referral_source = models.CharField(max_length=80, blank=True)
    triage_date = models.DateField(null=True, blank=True)
    care_plan_start_date = models.DateField(null=True, blank=True)
    injecting_status = models.CharField(
        max_length=12, choices=InjectingStatus.choices, default=InjectingStatus.DECLINED
    )
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="+")
    keyworker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="caseload")
    discharged_on = models.DateField(null=True, blank=True)
    exit_reason = models.CharField(max_length=32, choices=ExitReason.choices, blank=True)
    discharge_note = models.CharField(max_length=300, blank=True)
    previous_episode = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_episode"
    )
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-referral_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "service"],
                condition=Q(discharged_on__isnull=True),
                name="one_open_episode_per_client_per_service",
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True)
                | Q(discharged_on__gte=models.F("referral_date")),
                name="episode_discharged_after_referral",
            ),
        ]
        indexes = [models.Index(fields=["team", "discharged_on"])]

    def __str__(self) -> str:
        return f"{self.client} from {self.referral_date:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.discharged_on is None

    @property
    def completed(self) -> bool:
        """Discharged on a successful completion."""
        return self.exit_reason in COMPLETED


class ProblemSubstance(models.Model):
    """One of up to three problem substances of an episode, in order of seriousness."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="substances")
    rank = models.PositiveSmallIntegerField()
    substance = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="+")
    route = models.CharField(max_length=8, choices=Route.choices)
    age_first_used = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["episode", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "rank"], name="one_substance_per_rank"),
            models.UniqueConstraint(fields=["episode", "substance"], name="substance_once"),
            models.CheckConstraint(condition=Q(rank__gte=1, rank__lte=3), name="up_to_three"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.substance} ({self.get_route_display()})"


class Allocation(models.Model):
    """One keyworker's stretch on an episode (rule 1). The current one has no end date."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="allocations")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="allocations")
    started_on = models.DateField()
    ended_on = models.DateField(
        null=True, blank=True, help_text="The first day this worker is no longer the keyworker."
    )
    reason = models.CharField(max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["episode", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(ended_on__isnull=True),
                name="one_current_keyworker_per_episode",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker} from {self.started_on:%d/%m/%Y}"


class PhaseChange(models.Model):
    """A move into a phase (rule 2): when, who decided and why. The first row of an episode
    has no from_phase: it is where the episode started."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="phase_changes")
    from_phase = models.ForeignKey(
        Phase, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="+")
    changed_on = models.DateField()
    reason = models.CharField(max_length=300)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["episode", "changed_on", "id"]
        indexes = [  # the phase on a day: the last change on or before it, read from the index
            models.Index(fields=["episode", "changed_on", "id", "to_phase"], name="phase_on_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.to_phase} from {self.changed_on:%d/%m/%Y}"


class BreakGlass(models.Model):
    """A worker's access, in an emergency, to the record of a client outside their scope:
    read only, for a set time, every read audited as break-glass, and reviewed and signed
    off by the service manager."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    opened_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.TextField(blank=True)

    class Meta:
        db_table = "access_breakglass"  # kept from when it was part of access
        ordering = ["-opened_at"]
        verbose_name_plural = "break-glass accesses"

    def __str__(self) -> str:
        return f"{self.worker} broke the glass on {self.opened_at:%d/%m/%Y %H:%M}"

    @property
    def active(self) -> bool:
        return self.ends_at > timezone.now()
