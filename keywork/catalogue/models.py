"""The catalogue: reference data transcribed from the source documents into versioned TOML
files (keywork/catalogue/data/<version>/), loaded by `keywork load_catalogue`. Never typed
into code, never edited by hand in the database: entries that leave the files are retired,
kept for the history that points at them, and no longer offered."""

from __future__ import annotations

from django.db import models


class CatalogueVersion(models.Model):
    """One load that changed something: which version, when, and what it did."""

    version = models.CharField(max_length=32)
    loaded_at = models.DateTimeField(auto_now_add=True)
    checksum = models.CharField(max_length=64)
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    retired = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-loaded_at", "-id"]
        get_latest_by = "loaded_at"

    def __str__(self) -> str:
        return f"catalogue {self.version} loaded {self.loaded_at:%d/%m/%Y %H:%M}"


class Phases(models.QuerySet["Phase"]):
    def in_line(self) -> Phases:
        """The offered phases in the line Engagement → Completion, in order."""
        return self.filter(in_sequence=True, retired_at__isnull=True)


class Phase(models.Model):
    """A treatment phase. Four are steps in a line; Reintegration runs alongside them all."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    order = models.PositiveSmallIntegerField()
    in_sequence = models.BooleanField(
        help_text="A step in the line Engagement → Preparation → Change → Completion."
    )
    description = models.TextField(blank=True)
    version = models.CharField(max_length=32)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = Phases.as_manager()

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class Tier(models.Model):
    """A delivery tier and the competence rule (rule 4) that says who may deliver it."""

    class Competence(models.TextChoices):
        ANY_KEYWORKER = "any_keyworker", "Any keyworker"
        TRAINED_AND_SUPERVISED = (
            "trained_and_supervised",
            "Recorded training in the intervention and clinical supervision in date",
        )
        REGISTERED = "registered", "A registration or accreditation that covers it, in date"
        REGISTERED_AND_SUPERVISED = (
            "registered_and_supervised",
            "A registration or accreditation that covers it and clinical supervision, both in date",
        )

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    order = models.PositiveSmallIntegerField()
    competence = models.CharField(max_length=32, choices=Competence.choices)
    description = models.TextField(blank=True)
    version = models.CharField(max_length=32)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class OfferedEntries(models.QuerySet["Entry"]):
    def offered(self) -> OfferedEntries:
        return self.filter(retired_at__isnull=True)

    def for_phase(self, phase: Phase) -> OfferedEntries:
        return self.offered().filter(phases=phase)


# An entry sits at most this many levels deep (an entry, its parent, the parent's parent):
# training or a registration in an entry covers every entry under it, and the competence
# query walks the levels in one query (keywork/access/queries.py). The loader refuses more.
MAX_DEPTH = 3


class Entry(models.Model):
    """One catalogue entry: an intervention, a keyworking element, a focus, a session topic,
    a technique or mapping tool, a national definition or a national data item."""

    class Kind(models.TextChoices):
        KEYWORKING_ELEMENT = "keyworking_element", "Keyworking element"
        REFERRAL_DESTINATION = "referral_destination", "Referral destination"
        FOCUS = "focus", "Keywork focus"
        TOPIC = "topic", "Session topic"
        INTERVENTION = "intervention", "Intervention"
        TECHNIQUE = "technique", "Technique"
        MAPPING_TOOL = "mapping_tool", "Mapping tool"
        NATIONAL_DEFINITION = "national_definition", "National intervention definition"
        MEDICATION = "medication", "Prescribed medication and purpose"
        DATA_ITEM = "data_item", "National data item"
        SUBSTANCE = "substance", "Problem substance"

    code = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    group = models.CharField(
        max_length=80, blank=True, help_text="The heading it sits under in the source."
    )
    tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.PROTECT)
    phases = models.ManyToManyField(Phase, blank=True, related_name="entries")
    psychosocial = models.BooleanField(default=False)
    structured = models.BooleanField(
        default=False, help_text="A structured intervention by the national definitions."
    )
    needs_assessed_need = models.CharField(
        max_length=40,
        blank=True,
        help_text="Rule 8: the assessed need (and a care-plan goal) it requires, if any.",
    )
    reports_as = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_by",
        help_text="The national definition it is reported under.",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    source = models.CharField(max_length=120, help_text="Where in the source documents.")
    attributes = models.JSONField(default=dict, blank=True)
    version = models.CharField(max_length=32, help_text="Catalogue version that last changed it.")
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = OfferedEntries.as_manager()

    class Meta:
        ordering = ["kind", "code"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return self.name

    @property
    def offered(self) -> bool:
        return self.retired_at is None


class EntryChange(models.Model):
    """How an entry read before a catalogue version changed it: what records made under the
    earlier reading meant, kept when the files move on."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="changes")
    was_version = models.CharField(max_length=32, help_text="The version it read so under.")
    became_version = models.CharField(max_length=32, help_text="The version that changed it.")
    changed_at = models.DateTimeField()
    was = models.JSONField(help_text="Every field as it read, codes for links.")

    class Meta:
        ordering = ["entry", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.entry.code} as of {self.was_version}"
