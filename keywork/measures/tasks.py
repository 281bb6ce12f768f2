"""Work done by the task worker (`keywork db_worker`), off the request path."""

from __future__ import annotations

from django_tasks import task

from keywork.measures.models import Run
from keywork.measures.runs import work


@task()
def compute_run(run_id: int) -> int:
    """Compute a run asked for on a page; the page shows its progress and then its result."""
    work(Run.objects.select_related("service", "team", "keyworker__user").get(pk=run_id))
    return run_id
