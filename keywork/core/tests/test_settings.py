"""Start-up refuses bad configuration in one line, never a traceback."""

import os
import subprocess
import sys

import pytest


def start(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")
    }
    return subprocess.run(
        [sys.executable, "-m", "keywork.cli", "check"],
        capture_output=True,
        text=True,
        env={**clean, **env},
        cwd=os.environ.get("KEYWORK_TEST_CWD", None),
    )


def one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_missing_secret_key_without_debug_stops_start_up_in_one_line():
    line = one_line(start(DEBUG="0", DATABASE_URL="sqlite:///:memory:"))
    assert line.startswith("keywork: SECRET_KEY is not set")


def test_debug_runs_without_a_secret_key():
    result = start(DEBUG="1", DATABASE_URL="sqlite:///:memory:")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://root@localhost/keywork", "unsupported database"),
        ("nonsense", "not a database URL"),
    ],
)
def test_a_database_url_keywork_cannot_use_is_refused_in_one_line(url, says):
    line = one_line(start(SECRET_KEY="x", DATABASE_URL=url))
    assert line.startswith("keywork: DATABASE_URL") and says in line


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_postgresql_runs_without_jit_compilation(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
