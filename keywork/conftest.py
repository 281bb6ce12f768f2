"""The test suite's shared set-up: the write guard, fast password hashing, the personas."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from keywork.core.testing import TEST_SETTINGS_MARK

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


class WriteOutsideAction(AssertionError):
    """A keywork table was written without going through an action."""


class ActionNotAudited(AssertionError):
    """An action changed domain data without writing its audit row."""


def keywork_tables() -> tuple[str, ...]:
    from django.apps import apps

    return tuple(
        f"{config.label}_"
        for config in apps.get_app_configs()
        if config.name.startswith("keywork.")
    )


def audit_tables() -> tuple[str, str]:
    from keywork.audit.models import AuditChainHead, AuditEvent

    return AuditEvent._meta.db_table, AuditChainHead._meta.db_table


class _Written:
    """What the outermost action running has written: domain tables, and its audit rows."""

    def __init__(self) -> None:
        self.tables: set[str] = set()
        self.audited = False
        self.watching = False

    def forget(self) -> None:
        self.tables, self.audited, self.watching = set(), False, False


_written = _Written()


def write_guard(prefixes: tuple[str, ...]) -> Callable[..., Any]:
    """Refuse a write to a keywork table outside an action or a bulk write; and fail an
    outermost action that changed domain data and wrote no audit row."""
    from keywork.core.writes import (
        at_end_of_action,
        in_action,
        in_bulk_write,
        on_undo,
        outermost_action,
    )

    trail, head = audit_tables()
    written = _written
    written.forget()
    on_undo(written.forget)

    def check() -> None:
        tables, audited = sorted(written.tables), written.audited
        written.forget()
        if tables and not audited:
            raise ActionNotAudited(
                f"the action {outermost_action()} wrote {', '.join(tables)} and no audit row"
            )

    def note(table: str) -> None:
        if not written.watching:
            written.watching = at_end_of_action(check)
        if table == trail:
            written.audited = True
        elif table != head:
            written.tables.add(table)

    def guard(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        match = WRITE.match(sql)
        table = match.group(1).lower() if match else ""
        if table.startswith(prefixes):
            if in_action() or (table == trail and in_bulk_write()):
                note(table)  # (audit rows kept back to a bulk write's end count: chain.held)
            elif not in_bulk_write():
                raise WriteOutsideAction(
                    f"{match.group(1) if match else table} written outside an action "
                    f"(write through keywork actions): {sql[:120]}"
                )
        return execute(sql, params, many, context)

    return guard


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    setattr(settings, TEST_SETTINGS_MARK, True)  # the one thing that lets flush run
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages are tested with DEBUG off, from the static source folders (no collectstatic).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.STATIC_ROOT = tempfile.mkdtemp(prefix="keywork-static-")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Once PostgreSQL is asked for, an unreachable server fails the run; it is never skipped."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if "postgresql" not in str(database["ENGINE"]):
        return
    import psycopg

    try:
        psycopg.connect(
            host=str(database.get("HOST") or "") or None,
            port=str(database.get("PORT") or "") or None,
            user=str(database.get("USER") or "") or None,
            password=str(database.get("PASSWORD") or "") or None,
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except psycopg.Error as error:
        pytest.exit(f"PostgreSQL is unreachable: {str(error).strip()}", returncode=3)


@pytest.fixture(autouse=True)
def _writes_only_through_actions(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test fails if any code writes a keywork table outside an action, unless it is
    marked as a test of what the database itself refuses."""
    from django.db import connections

    if request.node.get_closest_marker("raw_sql_against_database"):
        yield
        return
    guard = write_guard(keywork_tables())
    with ExitStack() as stack:
        for connection in connections.all():
            stack.enter_context(connection.execute_wrapper(guard))
        yield


@pytest.fixture
def catalogue(db: None) -> None:
    from keywork.testing.personas import ensure_catalogue

    ensure_catalogue()


@pytest.fixture
def personas(db: None) -> Any:
    from keywork.testing.personas import build_personas

    return build_personas()


# Browser journeys -------------------------------------------------------------------------
# A real headless Chromium (Debian's chromium, driven by Playwright) on a live server. Without
# it the journeys are skipped with the reason, unless KEYWORK_BROWSER_TESTS is "required".

CHROMIUM = os.environ.get("KEYWORK_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        message = f"no Chromium at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("KEYWORK_BROWSER_TESTS") == "required":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous and on their own.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 768})
    context.set_default_timeout(15_000)
    opened = context.new_page()
    refused: list[str] = []
    opened.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield opened
    context.close()
    assert refused == [], "the Content-Security-Policy refused part of a page"
