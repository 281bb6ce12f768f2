"""Maps drawn with the client: node-link maps (DOMAIN.md, "Mapping tools"; seed 000: people
in treatment may be offered psychosocial support "creating visual 'maps' to help support
their treatment").

A map belongs to the client's episode and is started from a mapping tool of the catalogue:
a guide map (its nodes are prompts the client puts in their own words) or the free map. Its
drawing is kept as versions: saving it adds a version and never changes one (rule 13), so
the client can see how the map changed. A version may name the session it was drawn or
reviewed at, where it counts as the mapping tool used (rule 5: a technique, never a
structured intervention on its own), and the care-plan goals it serves."""

from __future__ import annotations

from django.db import models

from keywork.access.models import Worker
from keywork.careplans.models import Goal
from keywork.catalogue.models import Entry
from keywork.clients.models import Episode
from keywork.sessions.models import Attendance


class Kind(models.TextChoices):
    """What a box on a map stands for (optional): it sets the box's outline, never its
    meaning, which is the client's words."""

    FEELING = "feeling", "A feeling"
    THOUGHT = "thought", "A thought"
    PERSON = "person", "A person"
    TRIGGER = "trigger", "A trigger"
    COPING = "coping", "A way of coping"
    WARNING_SIGN = "warning_sign", "A warning sign"
    STRENGTH = "strength", "A strength"
    GOAL = "goal", "A goal"
    STEP = "step", "A step"
    SUPPORT = "support", "Support"
    ACTIVITY = "activity", "An activity"
    NOTE = "note", "A note"


class Map(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="maps")
    tool = models.ForeignKey(
        Entry, on_delete=models.PROTECT, related_name="+", help_text="The mapping tool."
    )
    title = models.CharField(max_length=120)
    started_by = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["episode", "started_at", "pk"]

    def __str__(self) -> str:
        return self.title


class MapVersion(models.Model):
    """The map as saved once: boxes (`nodes`: id, text, kind, x, y on a page 800 by 500) and
    the labelled lines between them (`links`: from, to, label)."""

    map = models.ForeignKey(Map, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    nodes = models.JSONField(default=list)
    links = models.JSONField(default=list)
    attendance = models.ForeignKey(
        Attendance,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="map_versions",
        help_text="The session it was drawn or reviewed at.",
    )
    goals = models.ManyToManyField(Goal, blank=True, related_name="map_versions")
    note = models.CharField(max_length=300, blank=True, help_text="What changed, and why.")
    on_summary = models.BooleanField(
        default=False, help_text="The client agrees to have it on their printed summary."
    )
    saved_by = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["map", "number"]
        constraints = [
            models.UniqueConstraint(fields=["map", "number"], name="one_map_version_per_number")
        ]

    def __str__(self) -> str:
        return f"{self.map}, version {self.number}"
