"""Recovery capital: the personal, social and community resources a person can draw on to
recover (DOMAIN.md, "Recovery capital"), checked with an instrument at the start, at
care-plan reviews and at exit.

An instrument is data (keywork/recovery/instruments/*.toml, or a service's own file loaded
with `keywork load_instrument`): its domains, the statements in each, the answer scale and
how it is scored. Each version is kept as loaded and never changed, so a check always reads
against the instrument it was taken with. A check keeps the answers and the scores worked
out when it was taken; a mistaken one is marked entered in error, never changed or deleted
(rule 13)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from keywork.access.models import Worker
from keywork.clients.models import Episode
from keywork.core.records import EnteredInError
from keywork.outcomes.models import Stage


class Instrument(models.Model):
    code = models.SlugField(max_length=40)
    version = models.CharField(max_length=20)
    name = models.CharField(max_length=120)
    source = models.CharField(max_length=300, help_text="Who wrote it, and any licence.")
    intro = models.CharField(max_length=300, blank=True)
    content = models.JSONField(help_text="The domains, the scale and the scoring, as loaded.")
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "loaded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="one_instrument_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    @property
    def domains(self) -> list[dict[str, Any]]:
        return list(self.content["domains"])

    @property
    def scale(self) -> list[dict[str, Any]]:
        return list(self.content["scale"])

    @property
    def top(self) -> int:
        """The highest answer: the most a statement, and a domain, can score."""
        return max(int(v["value"]) for v in self.scale)


class Check(EnteredInError):
    """One taking of an instrument with the client."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="recovery_checks")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="checks")
    stage = models.CharField(max_length=8, choices=Stage.choices)
    taken_on = models.DateField()
    taken_by = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(help_text='Each statement\'s answer: {"su-1": 3, ...}')
    scores = models.JSONField(help_text='Each domain\'s score when taken: {"money": 2.5, ...}')
    total = models.DecimalField(max_digits=6, decimal_places=1)
    next_due_on = models.DateField(
        null=True, blank=True, help_text="When the next check is due; none after the exit."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["episode", "taken_on", "pk"]
        indexes = [models.Index(fields=["episode", "taken_on"])]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} recovery capital check of {self.taken_on:%d/%m/%Y}"
