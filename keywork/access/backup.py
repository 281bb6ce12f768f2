"""Backup and restore, each verified: `keywork backup --out DIR` and `keywork restore DIR`.

A backup is a folder, readable by its owner only, holding the database (SQLite's online
backup, or `pg_dump`'s custom format on PostgreSQL) and `manifest.json`: when and from what
it was taken, the file's SHA-256, the number of rows in every table, the migrations applied
and the audit chain's head. A restore refuses a backup whose file does not match its
checksum or was taken from the other kind of database, replaces the database, then checks
every table's count and the audit chain, and says what it found."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from keywork.audit import chain
from keywork.core.errors import RuleViolation

MANIFEST = "manifest.json"
FILES = {"sqlite": "keywork.sqlite3", "postgresql": "keywork.dump"}
FORMAT = 1


class BackupError(RuleViolation):
    def __init__(self, message: str) -> None:
        super().__init__("BACKUP", message)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_counts(db: BaseDatabaseWrapper = connection) -> dict[str, int]:
    """Rows in every table of the database, by name."""
    quote = db.ops.quote_name
    counts = {}
    with db.cursor() as cursor:
        tables = [t for t in db.introspection.table_names(cursor) if not t.startswith("sqlite_")]
        for table in sorted(tables):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _migrations() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _pg_environment(db: BaseDatabaseWrapper) -> tuple[list[str], dict[str, str]]:
    """The connection options and environment for pg_dump and pg_restore."""
    settings = db.settings_dict
    options = [
        "--host",
        str(settings["HOST"] or "127.0.0.1"),
        "--port",
        str(settings["PORT"] or 5432),
    ]
    if settings.get("USER"):
        options += ["--username", str(settings["USER"])]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return options, env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools)")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{command[0]} failed: {first}")


def _new_folder(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"--out: {out} is not an empty folder; name a new one")
    if not out.parent.is_dir():
        raise BackupError(f"--out: there is no folder {out.parent}")
    out.mkdir(mode=0o700, exist_ok=True)
    out.chmod(0o700)


@dataclass(frozen=True)
class Manifest:
    data: dict[str, Any]

    @property
    def counts(self) -> dict[str, int]:
        return {k: int(v) for k, v in self.data["tables"].items()}

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def back_up(out: Path) -> Manifest:
    """Take a backup into a new folder, readable by its owner only."""
    _new_folder(out)
    vendor = connection.vendor
    file = out / FILES[vendor]
    if vendor == "sqlite":
        counts, head = _sqlite_backup(file)
    else:
        counts, head = _postgres_backup(file)
    file.chmod(0o600)
    manifest = {
        "format": FORMAT,
        "taken_at": timezone.now().isoformat(timespec="seconds"),
        "database": vendor,
        "file": file.name,
        "sha256": _sha256(file),
        "bytes": file.stat().st_size,
        "tables": counts,
        "migrations": _migrations(),
        "audit": {"rows": head[1], "head": head[0]},
    }
    path = out / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    path.chmod(0o600)
    return Manifest(manifest)


HEAD_SQL = f"SELECT chain, rows FROM access_auditchainhead WHERE id = {chain.HEAD}"


def _sqlite_backup(file: Path) -> tuple[dict[str, int], tuple[str, int]]:
    """SQLite's online backup (consistent while others write); the counts and the audit
    head are read from the copy itself."""
    connection.ensure_connection()
    target = sqlite3.connect(file)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    copy = sqlite3.connect(file)
    try:
        names = [
            row[0]
            for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = {
            n: int(copy.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0]) for n in sorted(names)
        }
        head = copy.execute(HEAD_SQL).fetchone()
    finally:
        copy.close()
    return counts, (head[0], int(head[1])) if head else (chain.GENESIS, 0)


def _postgres_backup(file: Path) -> tuple[dict[str, int], tuple[str, int]]:
    """pg_dump in a snapshot this process holds, so that the counts and the audit head are
    read from exactly the data dumped, while others go on writing."""
    options, env = _pg_environment(connection)
    name = str(connection.settings_dict["NAME"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        dump = ["pg_dump", *options, "--format=custom", "--no-owner", f"--snapshot={snapshot}"]
        _run([*dump, "--file", str(file), name], env)
        counts = table_counts()
        cursor.execute(HEAD_SQL)
        head = cursor.fetchone()
    return counts, (head[0], int(head[1])) if head else (chain.GENESIS, 0)


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder}: no {MANIFEST}; this is not a keywork backup")
    try:
        data = json.loads(path.read_text())
    except ValueError:
        raise BackupError(f"{path}: not a manifest keywork can read") from None
    if data.get("format") != FORMAT:
        raise BackupError(f"{path}: a backup format this keywork does not know")
    if data.get("database") != connection.vendor:
        raise BackupError(
            f"{folder} was taken from {data.get('database')}; this database is "
            f"{connection.vendor} (restore it into the same kind)"
        )
    file = folder / data["file"]
    if not file.is_file() or _sha256(file) != data["sha256"]:
        raise BackupError(f"{file}: missing, or not the file the manifest names (checksum)")
    return Manifest(data)


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    counts: dict[str, int]
    verdict: chain.Verdict

    @property
    def differences(self) -> list[str]:
        wanted, found = self.manifest.counts, self.counts
        return [
            f"{table}: {wanted.get(table, 0)} in the backup, {found.get(table, 0)} restored"
            for table in sorted(set(wanted) | set(found))
            if wanted.get(table, 0) != found.get(table, 0)
        ]

    @property
    def sound(self) -> bool:
        head = self.manifest.data["audit"]["head"]
        return not self.differences and self.verdict.whole and self.verdict.head == head


def restore(folder: Path) -> Restored:
    """Replace the database with the backup, then check it against the manifest."""
    manifest = read_manifest(folder)
    file = folder / manifest.data["file"]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(file)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        connections.close_all()  # nothing of ours holds a table pg_restore drops
        options, env = _pg_environment(connection)
        name = str(connection.settings_dict["NAME"])
        _run(
            [
                "pg_restore", *options, "--clean", "--if-exists", "--no-owner",
                "--single-transaction", "--exit-on-error", "--dbname", name, str(file),
            ],
            env,
        )  # fmt: skip
    connections.close_all()
    return Restored(manifest, table_counts(), chain.verify())


def age(manifest: Manifest) -> str:
    taken = dt.datetime.fromisoformat(manifest.data["taken_at"])
    return timezone.localtime(taken).strftime("%d/%m/%Y %H:%M")
