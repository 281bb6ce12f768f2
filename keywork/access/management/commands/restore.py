"""`keywork restore DIR`: replace the database with a backup, then check every table's
count and the audit chain against the backup's manifest (docs/deploy.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser

from keywork.access import backup
from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.core.commands import KeyworkCommand


class Command(KeyworkCommand):
    help = "Restore a backup made by `keywork backup`, replacing everything in the database."
    actor_required = False

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("folder", type=Path, help="the backup's folder")
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="do not ask to confirm"
        )

    def run(self, actor: User | None, **o: Any) -> None:
        folder: Path = o["folder"]
        manifest = backup.read_manifest(folder)
        if o["interactive"]:
            answer = input(
                f"This replaces everything in the database with the backup taken "
                f"{backup.age(manifest)} ({manifest.rows} rows). Type 'restore' to go on: "
            )
            if answer.strip() != "restore":
                raise CommandError("restore cancelled; nothing changed")
        started = time.perf_counter()
        restored = backup.restore(folder)
        took = time.perf_counter() - started
        for difference in restored.differences:
            self.stderr.write(difference)
        self.stdout.write(str(restored.verdict))
        if not restored.sound:
            raise CommandError(f"the restore from {folder} does not match its backup")
        trail.record_alone(
            actor=actor,
            verb=AuditEvent.Verb.CHANGE,
            what="restore",
            detail={"from": str(folder), "taken_at": manifest.data["taken_at"]},
        )
        self.stdout.write(
            f"Restored {manifest.rows} rows in {len(manifest.counts)} tables from {folder} "
            f"(taken {backup.age(manifest)}): every count matches, the audit chain is whole "
            f"and ends where the backup's did; {took:.1f} s."
        )
