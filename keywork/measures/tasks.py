"""Work done by the task worker (`keywork db_worker`), off the request path."""

from __future__ import annotations

from django_tasks import task

from keywork.measures import snapshots
from keywork.measures.models import Run, Snapshot
from keywork.measures.runs import work


@task()
def compute_run(run_id: int) -> int:
    """Compute a run asked for on a page; the page shows its progress and then its result."""
    work(Run.objects.select_related("service", "team", "keyworker__user").get(pk=run_id))
    return run_id


@task()
def compute_snapshot(snapshot_id: int) -> int:
    """Work out a page's figures over a whole service (keywork/measures/snapshots.py)."""
    snapshots.work(Snapshot.objects.get(pk=snapshot_id))
    return snapshot_id
