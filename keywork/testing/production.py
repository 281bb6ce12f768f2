"""The production server as docs/deploy.md runs it: the documented settings
(deploy/production.env) with this machine's secret, database and host in place of the values
a service changes, `collectstatic` with the real manifest storage, and gunicorn started with
deploy/gunicorn.conf.py. The production smoke test and the load benchmark both use it."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
PRODUCTION_ENV = ROOT / "deploy" / "production.env"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"


class NotServing(Exception):
    pass


def database_url() -> str:
    """The URL of the database the tests run on, for a command or server in another
    process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def documented_settings() -> dict[str, str]:
    """deploy/production.env, as docs/deploy.md tells a service to fill it in."""
    values = {}
    for line in PRODUCTION_ENV.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def production_env(database_url: str, static_root: Path, **overrides: str) -> dict[str, str]:
    """The documented settings with this machine's secret, database and host put in place of
    the values a service changes; nothing of the test suite's own environment."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "KEYWORK_", "PYTEST_")) and k not in documented_settings()
    }
    values = documented_settings()
    values.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database_url,
        ALLOWED_HOSTS="127.0.0.1",
        CSRF_TRUSTED_ORIGINS="https://127.0.0.1",
        STATIC_ROOT=str(static_root),
    )
    values.update(overrides)
    assert not [v for v in values.values() if "CHANGE" in v]
    return {**base, **values}


def keywork(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "keywork.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], log: Path, *, workers: int | None = None) -> Iterator[int]:
    """collectstatic, then gunicorn as deploy/gunicorn.conf.py starts it on a free loopback
    port (yielded), writing its log to `log`; stopped at the end."""
    collected = keywork(env, "collectstatic", "--no-input", "-v0")
    if collected.returncode != 0:
        raise NotServing(f"collectstatic failed:\n{collected.stderr[-2000:]}")
    if not (Path(env["STATIC_ROOT"]) / "staticfiles.json").is_file():
        raise NotServing("the static manifest was not written")
    port = free_port()
    env = {**env, "KEYWORK_BIND": f"127.0.0.1:{port}"}
    if workers is not None:
        env["KEYWORK_WORKERS"] = str(workers)
    command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "keywork.wsgi"]
    with _running(command, env, log) as server:
        _wait_for(server, port, log)
        yield port


@contextmanager
def task_worker(env: dict[str, str], log: Path) -> Iterator[None]:
    """The task worker beside the server (docs/deploy.md), with the same settings."""
    with _running([sys.executable, "-m", "keywork.cli", "db_worker", "-v0"], env, log):
        yield


@contextmanager
def _running(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                # A task worker in the middle of a long task (a service-wide report at
                # 330,000 clients): stopped outright, as systemd does after its own timeout.
                process.kill()
                process.wait()


def _wait_for(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                output = log.read_text(errors="replace")
                raise NotServing(f"gunicorn did not start:\n{output[-3000:]}") from None
            time.sleep(0.2)
