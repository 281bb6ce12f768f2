"""`keywork import --as USER FILE`: apply a JSON Lines file, one change per line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser

from keywork.core.commands import KeyworkCommand
from keywork.core.importer import run_import


class Command(KeyworkCommand):
    help = "Import changes from a JSON Lines file, one per line, through the actions."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", type=Path, help="a .jsonl file (- for standard input)")

    def run(self, actor: User | None, **options: Any) -> None:
        path: Path = options["file"]
        if str(path) != "-" and not path.is_file():
            raise CommandError(f"{path}: no such file")
        handle = self.stdin if str(path) == "-" else path.open(encoding="utf-8")
        applied = refused = 0
        with handle:
            try:
                for _, refusal in run_import(actor, handle):
                    if refusal is None:
                        applied += 1
                    else:
                        refused += 1
                        self.stderr.write(str(refusal))
            except UnicodeDecodeError as error:
                raise CommandError(
                    f"{path}: not UTF-8 text (byte {error.start + 1} of a line after line "
                    f"{applied + refused}); {applied} applied before it"
                ) from None
        self.stdout.write(f"{applied} applied, {refused} refused.")
        if refused:
            raise CommandError(f"{refused} line{'s' if refused != 1 else ''} refused")

    @property
    def stdin(self) -> Any:
        import sys

        return sys.stdin
