"""The comprehensive assessment: one row per assessment, never changed once made; a
reassessment is a new row, so earlier ones stay side by side. The needs it identifies are
what care-plan goals and recovery support link to (rule 8)."""

from __future__ import annotations

from django.db import models

from keywork.access.models import Worker
from keywork.clients.models import Episode


class Domain(models.TextChoices):
    """Life domains: of an assessed need and of a care-plan goal."""

    SUBSTANCE_USE = "substance_use", "Drug and alcohol use"
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    HOUSING = "housing", "Housing"
    EMPLOYMENT = "employment", "Employment"
    EDUCATION_TRAINING = "education_training", "Education and training"
    FINANCE = "finance", "Finance and debt"
    LEGAL = "legal", "Legal and offending"
    FAMILY = "family", "Family"
    PARENTING = "parenting", "Parenting"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    SOCIAL_NETWORK = "social_network", "Social network and recovery capital"


class RiskLevel(models.TextChoices):
    NONE = "none", "None identified"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


# The five risk areas of the assessment: (field, label).
RISK_AREAS = (
    ("risk_to_self", "Risk to self"),
    ("risk_to_others", "Risk to others"),
    ("risk_from_others", "Risk from others"),
    ("risk_overdose", "Overdose"),
    ("risk_blood_borne", "Blood-borne viruses"),
)
OPEN_RISK = (RiskLevel.MEDIUM, RiskLevel.HIGH)

# The narrative sections: (field, label).
SECTIONS = (
    ("substance_use", "Substance use"),
    ("physical_health", "Physical health"),
    ("mental_health", "Mental health"),
    ("safeguarding_family", "Safeguarding and family"),
    ("housing", "Housing"),
    ("employment_education_training", "Employment, education and training"),
    ("finance_legal", "Finance and legal"),
    ("social_network", "Social network and recovery capital"),
)


def _risk() -> models.CharField:
    return models.CharField(max_length=8, choices=RiskLevel.choices)


class Assessment(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")
    substance_use = models.TextField(blank=True)
    physical_health = models.TextField(blank=True)
    mental_health = models.TextField(blank=True)
    safeguarding_family = models.TextField(blank=True)
    housing = models.TextField(blank=True)
    employment_education_training = models.TextField(blank=True)
    finance_legal = models.TextField(blank=True)
    social_network = models.TextField(blank=True)
    risk_to_self = _risk()
    risk_to_others = _risk()
    risk_from_others = _risk()
    risk_overdose = _risk()
    risk_blood_borne = _risk()
    risk_notes = models.TextField(blank=True)
    safeguarding_concern = models.BooleanField(default=False)
    safeguarding_detail = models.TextField(blank=True)
    dependent_children = models.PositiveSmallIntegerField(default=0)
    other_dependants = models.CharField(max_length=200, blank=True)
    strengths = models.JSONField(default=list, blank=True, help_text="The client's strengths.")
    flags = models.CharField(
        max_length=120,
        blank=True,
        help_text="Open risks (medium or high) and safeguarding, as shown on the caseload.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["episode", "assessed_on", "pk"]
        indexes = [models.Index(fields=["episode", "-assessed_on"])]

    def __str__(self) -> str:
        return f"assessment of {self.assessed_on:%d/%m/%Y}"

    def risks(self) -> list[tuple[str, str]]:
        """(label, level label) for each of the five areas."""
        return [(label, RiskLevel(getattr(self, name)).label) for name, label in RISK_AREAS]

    def sections(self) -> list[tuple[str, str]]:
        return [(label, getattr(self, name)) for name, label in SECTIONS]


class Need(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="needs")
    domain = models.CharField(max_length=24, choices=Domain.choices)
    description = models.CharField(max_length=300)

    class Meta:
        ordering = ["assessment", "pk"]

    def __str__(self) -> str:
        return f"{self.get_domain_display()}: {self.description}"
