"""A page's figures over a whole service, computed by the task worker and kept
(keywork/measures/models.py, Snapshot).

A service manager's dashboard and team view group every open episode of the service; at
330,000 clients that is many seconds of work, too long to wait for on every visit. The page
reads the latest kept figures and says when they were computed. It asks the worker for new
ones when there are none (and shows the work's progress meanwhile), when the manager asks
("Compute again"), and when the kept ones are older than FRESH_FOR and records have changed
or a day has passed since; meanwhile it shows the kept ones and says they are being brought
up to date. A team's or a keyworker's page is small enough to work out while it waits and
is not kept (`in_the_background`, as for the quality-measure report).

Each page names the function that works out its figures (PAGES): it is given the key the
figures are kept under and returns them as JSON."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from keywork.audit.trail import last_change
from keywork.core.replica import from_the_primary
from keywork.core.writes import bulk_write
from keywork.measures.models import Line, Snapshot

PAGES = {
    "dashboard": "keywork.measures.dashboard.figures_for",
    "team": "keywork.overview.queries.team_figures",
}
# The figures that are long lists, kept a row at a time (Line) and read a page at a time.
LISTS = {"team": ("flags", "workload")}
FRESH_FOR = dt.timedelta(minutes=10)
KEPT_FOR = dt.timedelta(days=7)  # figures no one has looked at in a week go
WORKING = (Snapshot.State.QUEUED, Snapshot.State.RUNNING)


# The shape of the kept figures: a change to what a page keeps raises it, so that figures
# kept by an earlier version are never read as the new shape (they are worked out again).
SHAPE = 3


def key_of(**parts: Any) -> str:
    """The key figures are kept under: what they are of (ids, dates) and their shape."""
    return json.dumps({**parts, "shape": SHAPE}, sort_keys=True, default=str)


@dataclass(frozen=True)
class Kept:
    """What a page has: the latest figures computed (if any), whether records have changed
    since, and the work asked for after them (on its way, or failed), if any."""

    shown: Snapshot | None
    changed: bool
    coming: Snapshot | None

    def context(self) -> dict[str, Any]:
        """For the page: the figures `kept`, whether records have `changed` since, newer ones
        `coming`, and the work to wait for (`computing`) when there are none yet."""
        computing = self.coming if self.shown is None else None
        return {
            "kept": self.shown,
            "changed": self.changed,
            "coming": self.coming,
            "computing": computing,
        }


def kept(page: str, key: str) -> Kept:
    """The page's kept figures, asking the worker for new ones when there are none or when
    they are stale."""
    with from_the_primary():
        return _kept(page, key)


def _kept(page: str, key: str) -> Kept:
    found = Snapshot.objects.filter(page=page, key=key).order_by("-asked_at", "-pk")
    latest = found.first()
    if latest is None or latest.state != Snapshot.State.DONE:
        shown = found.filter(state=Snapshot.State.DONE).first()
        coming = latest
    else:
        shown, coming = latest, None
    changed = shown is not None and last_change() != shown.data_as_of
    if coming is None and (shown is None or (changed and _old(shown)) or _new_day(shown)):
        coming = ask(page, key)
    return Kept(shown, changed, coming)


def _old(shown: Snapshot) -> bool:
    assert shown.computed_at is not None
    return timezone.now() - shown.computed_at >= FRESH_FOR


def _new_day(shown: Snapshot) -> bool:
    """Figures of today (reviews overdue, profiles due) computed on an earlier day."""
    assert shown.computed_at is not None
    return timezone.localdate(shown.computed_at) != timezone.localdate()


def ask(page: str, key: str) -> Snapshot:
    """Ask the task worker for the page's figures."""
    from keywork.measures.tasks import compute_snapshot  # the task imports this module

    with bulk_write():
        asked = Snapshot.objects.create(page=page, key=key)
    compute_snapshot.enqueue(asked.pk)
    return asked


def work(snapshot: Snapshot) -> Snapshot:
    """Work out the figures (in the task worker); a failure is kept on the snapshot."""
    snapshot.moved_on(Snapshot.State.RUNNING, "working out the figures", data_as_of=last_change())
    try:
        of = {k: v for k, v in json.loads(snapshot.key).items() if k != "shape"}
        figures = import_string(PAGES[snapshot.page])(of)
        with bulk_write():
            for name in LISTS.get(snapshot.page, ()):
                figures[name] = _keep_lines(snapshot, name, figures[name])
    except Exception as error:
        snapshot.moved_on(Snapshot.State.FAILED, "", error=str(error)[:500])
        raise
    snapshot.moved_on(Snapshot.State.DONE, "", figures=figures, computed_at=timezone.now())
    _forget_older(snapshot)
    return snapshot


def _forget_older(snapshot: Snapshot) -> None:
    """Newer figures for the same page and key replace the older; and any asked for more
    than KEPT_FOR ago go, so that the kept figures do not grow with every period asked."""
    same = Q(page=snapshot.page, key=snapshot.key, asked_at__lte=snapshot.asked_at)
    stale = Q(asked_at__lt=timezone.now() - KEPT_FOR)
    older = Snapshot.objects.filter(same | stale).exclude(state__in=WORKING)
    older = older.exclude(pk=snapshot.pk)
    with bulk_write():
        Line.objects.filter(snapshot__in=older).delete()  # one statement, not row by row
        older.delete()


def _keep_lines(snapshot: Snapshot, name: str, rows: list[Any]) -> int:
    """Keep a list's rows, in order; how many."""
    lines = (Line(snapshot=snapshot, list=name, position=n, values=r) for n, r in enumerate(rows))
    Line.objects.bulk_create(lines, batch_size=2000)
    return len(rows)


class Lines:
    """A list a snapshot keeps, read a page at a time (for Django's Paginator)."""

    def __init__(self, snapshot: Snapshot, name: str) -> None:
        self.snapshot, self.name = snapshot, name

    def count(self) -> int:
        return int(self.snapshot.figures[self.name])

    def __getitem__(self, index: slice) -> list[Any]:
        found = Line.objects.filter(
            snapshot=self.snapshot, list=self.name, position__gte=index.start or 0
        )
        if index.stop is not None:
            found = found.filter(position__lt=index.stop)
        return list(found.order_by("position").values_list("values", flat=True))
