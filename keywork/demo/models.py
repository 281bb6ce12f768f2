"""How far a demo build has come: the build writes in committed chunks, so a stopped build
keeps what it wrote, and running it again carries on from here."""

from __future__ import annotations

from django.db import models

from keywork.access.models import Service


class Build(models.Model):
    class Step(models.TextChoices):
        CLIENTS = "clients", "Clients and their histories"
        TEAMS = "teams", "Groups, discharges and treatment"
        OUTCOMES = "outcomes", "Outcome profiles"
        FINISH = "finish", "Check-ups and the national definitions"
        DONE = "done", "Done"

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="demo_build")
    clients = models.PositiveIntegerField(help_text="How many clients were asked for.")
    seed = models.IntegerField()
    history_days = models.PositiveIntegerField()
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.CLIENTS)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"demo build of {self.clients} clients, seed {self.seed}: {self.step}"

    @property
    def options(self) -> str:
        return f"--clients {self.clients} --seed {self.seed} --history-days {self.history_days}"


class Chunk(models.Model):
    """A part of a step written and committed (with this row, in its transaction): a build
    carried on skips it."""

    build = models.ForeignKey(Build, on_delete=models.CASCADE, related_name="chunks")
    step = models.CharField(max_length=10, choices=Build.Step.choices)
    start = models.PositiveBigIntegerField(help_text="The chunk's first client, or episode.")
    size = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["build", "step", "start"], name="demo_chunk_once")
        ]

    def __str__(self) -> str:
        return f"{self.step} from {self.start}"
