"""`keywork audit verify`: whether the audit trail's hash chain is whole, and where it breaks.
Run by the server's operator (it reads every row, not a client's record)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError, CommandParser

from keywork.audit import chain
from keywork.core.commands import OneLineErrors, OneLineParser


class Command(OneLineErrors):
    help = "Check the audit trail: every row's hash, in order, and the chain's head."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="SUBCOMMAND", parser_class=OneLineParser
        )
        sub.add_parser("verify", help="recompute the chain; exit 1 where it breaks")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        verdict = chain.verify()
        took = time.perf_counter() - started
        if not verdict.whole:
            raise CommandError(str(verdict))
        self.stdout.write(f"{verdict} Checked in {took:.1f} s.")
