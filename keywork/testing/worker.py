"""The task worker as the tests run it: the real `keywork db_worker`, working through what is
queued and then stopping."""

from __future__ import annotations

import io
import signal
from contextlib import nullcontext
from typing import Any
from unittest import mock

from django.core.management import call_command
from django.db import connection
from django_tasks_db.management.commands import db_worker

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]


def work_the_queue() -> None:
    """Inside a test's transaction the worker must not close the connection between tasks
    (it would end the test's transaction), just as Django's test client keeps it open
    between requests; everything else is the worker as it runs. The worker takes over
    SIGINT, SIGTERM and SIGQUIT for its graceful stop and leaves them so when a batch ends;
    they are given back, or a process forked later in the same test process (the demo's
    chunks) would not stop when its pool ends it."""
    quiet = io.StringIO()
    before = {number: signal.getsignal(number) for number in SIGNALS}
    keep_open = (
        mock.patch(f"{db_worker.__name__}.close_old_connections")
        if connection.in_atomic_block
        else nullcontext()
    )
    try:
        with keep_open:
            call_command("db_worker", batch=True, startup_delay=False, reload=False, stdout=quiet)
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def report_page(client: Any, url: str, params: dict[str, Any] | None = None) -> Any:
    """A page of the whole service's figures (a report, the dashboard, the team view):
    asked for (a report redirects back), worked out by the worker, shown."""
    asked = client.get(url, params)
    if asked.status_code == 302:
        asked = client.get(url, params)
        assert asked.status_code == 202, asked.status_code
    if asked.status_code != 202:
        return asked
    work_the_queue()
    return client.get(url, params)
