"""The demo's bulk steps, a committed chunk at a time: each chunk is written with the row that
says it is done, in one transaction, so a build stopped part-way keeps every chunk it
finished and a build carried on skips them. On PostgreSQL, outside a transaction, chunks
are written by a process per core, side by side (each its own connection; the audit trail's
writers take turns at its head)."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, connections
from django.db.models import Sum

from keywork.audit import chain
from keywork.core.writes import bulk_write
from keywork.demo.models import Build, Chunk

# What a chunk writes: given the build, the chunk's start and what else it needs; it says
# how many clients or episodes it wrote.
Work = Callable[[Build, int, Any], int]
Progress = Callable[[str, int, int], None]  # what is being written, how far, out of how many
Job = tuple[Work, Build, str, int, Any]


def run(
    made: Build,
    step: str,
    chunks: Sequence[tuple[int, Any]],
    work: Work,
    *,
    total: int,
    label: str,
    progress: Progress,
) -> None:
    """Write each chunk (start, what else it needs) not yet written for this step."""
    written = Chunk.objects.filter(build=made, step=step)
    done_starts = set(written.values_list("start", flat=True))
    done = written.aggregate(n=Sum("size"))["n"] or 0
    todo = [(work, made, step, start, extra) for start, extra in chunks if start not in done_starts]
    progress(label, done, total)
    if processes() == 1 or len(todo) < 2:
        for job in todo:
            done += _write(job)
            progress(label, done, total)
        return
    global _todo
    _todo = todo  # the processes are forked with it: only its indexes are sent to them
    connections.close_all()  # each process opens its own
    try:
        forked = multiprocessing.get_context("fork")
        with forked.Pool(processes(), initializer=_default_signals) as pool:
            for size in pool.imap_unordered(_write_nth, range(len(todo))):
                done += size
                progress(label, done, total)
            pool.close()  # each process ends when the work does, not by a signal
            pool.join()
    finally:
        _todo = []
        connections.close_all()


_todo: list[Job] = []


def processes() -> int:
    """Side by side on PostgreSQL, on every core; one at a time on SQLite (one writer at a
    time) or inside a transaction (the caller's, which other processes cannot see)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def _default_signals() -> None:
    """A forked process stops on SIGTERM and SIGINT whatever its parent had them do (the
    pool ends its processes with SIGTERM when anything goes wrong)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _write_nth(n: int) -> int:
    return _write(_todo[n])


def _write(job: Job) -> int:
    work, made, step, start, extra = job
    with bulk_write(), chain.held():  # the audit rows appended as the chunk ends
        size = work(made, start, extra)
        Chunk.objects.create(build=made, step=step, start=start, size=size)
    return size
