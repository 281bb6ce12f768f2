"""A measure's result, kept: computed once for a period and a scope (keywork/measures/framework.py),
its rows are what the numbers, every breakdown and the list behind them are grouped from, and a
second look at the same report reads them instead of computing it again. Derived data, not a
clinical record: a newer result for the same report replaces an older one."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from keywork.core.writes import bulk_write


class Work(models.Model):
    """Work the task worker does for a page, and keeps: asked for, being done (saying what it
    is doing), then done over the data as it stood, or failed."""

    class State(models.TextChoices):
        QUEUED = "queued", "waiting to start"
        RUNNING = "running", "being computed"
        DONE = "done", "computed"
        FAILED = "failed", "failed"

    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.CharField(max_length=80, blank=True, help_text="What it is doing now.")
    asked_at = models.DateTimeField(default=timezone.now)
    computed_at = models.DateTimeField(null=True, blank=True)
    data_as_of = models.BigIntegerField(
        null=True, blank=True, help_text="The audit trail's last change when it was computed."
    )
    error = models.TextField(blank=True)

    class Meta:
        abstract = True

    def moved_on(self, state: str, progress: str = "", **more: Any) -> None:
        """Say what the work is doing (and anything else it has), where a page waiting for it
        can see it at once."""
        self.state, self.progress = state, progress
        for name, value in more.items():
            setattr(self, name, value)
        with bulk_write():
            self.save(update_fields=["state", "progress", *more])


class Run(Work):
    """One computation of a measure over a period and a scope."""

    measure = models.CharField(max_length=20)
    start = models.DateField()
    end = models.DateField()
    service = models.ForeignKey("access.Service", on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        "access.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    keyworker = models.ForeignKey(
        "access.Worker", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    include_alcohol_only = models.BooleanField(default=False)
    months = models.JSONField(default=list, blank=True, help_text="[month, numerator, denominator]")
    summary = models.JSONField(
        default=dict, blank=True, help_text="The numbers, reasons and breakdowns, kept."
    )

    class Meta:
        indexes = [models.Index(fields=["measure", "service", "start", "end", "-asked_at"])]

    def __str__(self) -> str:
        return f"{self.measure} {self.start} to {self.end} ({self.get_state_display()})"


def _loose(to: str, *, null: bool = False) -> models.ForeignKey[Any, Any]:
    """A link written in bulk by the database: no constraint to check on every row, no index
    of its own (the model's indexes lead with the run). Clients, teams, workers and phases
    are never deleted."""
    return models.ForeignKey(
        to,
        null=null,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )


def _of_run(related_name: str) -> models.ForeignKey[Any, Any]:
    """The run a row was written for, in bulk, by one statement: deleted with the run (by
    Django, keywork/measures/runs.py), with no constraint checked on each of a run's tens of
    thousands of rows as it commits."""
    return models.ForeignKey(
        Run,
        on_delete=models.CASCADE,
        related_name=related_name,
        db_index=False,
        db_constraint=False,
    )


class Row(models.Model):
    """A client of the measure's population: where they are placed, how many of the
    measure's steps they passed (all of them: counted), and an explanation that says better
    why they are not counted, if one holds."""

    run = _of_run("rows")
    client = _loose("clients.Client")
    team = _loose("access.Team", null=True)
    keyworker = _loose("access.Worker", null=True)
    phase = _loose("catalogue.Phase", null=True)
    excluded = models.BooleanField()
    level = models.PositiveSmallIntegerField()
    explained = models.CharField(max_length=40, blank=True)
    offered = models.BooleanField(default=False)
    # The client's id, kept beside the row: the list behind the numbers is read a page at a
    # time in its order, along an index, instead of sorting every row joined to its client.
    local_id = models.CharField(max_length=30, default="")

    class Meta:
        indexes = [
            models.Index(fields=["run", "excluded", "level"]),
            models.Index(fields=["run", "local_id"]),
        ]

    def __str__(self) -> str:
        return f"client {self.client_id}: {self.level} steps"


class Level(models.Model):
    """How many of the measure's steps a client passed in a month: the most any of their
    rows passed (a working table while a run computes, emptied when it is done; on
    PostgreSQL an unlogged table, as nothing in it outlives the run)."""

    run = _of_run("+")
    client = _loose("clients.Client")
    month = models.DateField()
    level = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["run", "client", "month", "level"])]

    def __str__(self) -> str:
        return f"client {self.client_id}, {self.month:%Y-%m}: {self.level} steps"


class Snapshot(Work):
    """A page's figures over a whole service (the dashboard's, the team view's), computed by
    the task worker and kept, so that the page reads them instead of working them out over
    every client while the manager waits (keywork/measures/snapshots.py)."""

    page = models.CharField(max_length=20)
    key = models.CharField(max_length=200, help_text="What they are of: the scope and period.")
    figures = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["page", "key", "-asked_at"])]

    def __str__(self) -> str:
        return f"{self.page} {self.key} ({self.get_state_display()})"


class Line(models.Model):
    """One row of a list a snapshot keeps (the team view's contact flags, each keyworker's
    workload), so that a page of the list is read without reading the whole list."""

    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.CASCADE, related_name="lines", db_index=False
    )
    list = models.CharField(max_length=20)
    position = models.PositiveIntegerField()
    values = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["snapshot", "list", "position"])]

    def __str__(self) -> str:
        return f"{self.list} {self.position}"
