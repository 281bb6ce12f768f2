"""`keywork backup --out DIR`: the whole database into a new folder, with its manifest
(docs/deploy.md). Run by the server's operator; audited."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandParser

from keywork.access import backup
from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.core.commands import KeyworkCommand


class Command(KeyworkCommand):
    help = "Back up the database into a new folder, with counts, checksum and audit head."
    actor_required = False

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--out", required=True, type=Path, help="a new (or empty) folder")

    def run(self, actor: User | None, **o: Any) -> None:
        trail.record_alone(
            actor=actor, verb=AuditEvent.Verb.EXPORT, what="backup", detail={"to": str(o["out"])}
        )
        started = time.perf_counter()
        taken = backup.back_up(o["out"])
        took = time.perf_counter() - started
        self.stdout.write(
            f"Backed up {taken.rows} rows in {len(taken.counts)} tables to {o['out']} "
            f"({taken.data['bytes'] / 1e6:.1f} MB, sha256 {taken.data['sha256'][:16]}..., "
            f"audit trail of {taken.data['audit']['rows']} rows) in {took:.1f} s."
        )
