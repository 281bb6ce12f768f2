"""`keywork import_fields [--write docs/import.md]`: the tables of the import's fields, made
from the actions' typed inputs; with --write, put them in the file between its markers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from keywork.core.commands import OneLineErrors
from keywork.core.importer import fields_table, with_fields


class Command(OneLineErrors):
    help = "Print the import's fields, made from the actions' inputs (or write them into a doc)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", type=Path, help="the doc to write them into")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["write"]
        if path is None:
            self.stdout.write(fields_table(), ending="")
            return
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        path.write_text(with_fields(path.read_text(encoding="utf-8")), encoding="utf-8")
        self.stdout.write(f"{path}: fields written.")
