from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from keywork.catalogue.loader import (
    DATA_DIR,
    CatalogueError,
    default_directory,
    load_catalogue,
    read_catalogue,
)
from keywork.core.commands import OneLineErrors


class Command(OneLineErrors):
    help = "Load the catalogue (Skills Framework and national definitions) from its TOML files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--catalogue-version", help="e.g. 2026.1 (default: the newest)")
        parser.add_argument("--path", type=Path, help="a catalogue folder outside the package")
        parser.add_argument("--verbose-changes", action="store_true", help="list every change")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["path"]:
                directory = options["path"]
            elif options["catalogue_version"]:
                directory = DATA_DIR / options["catalogue_version"]
            else:
                directory = default_directory()
            report = load_catalogue(read_catalogue(directory))
        except CatalogueError as error:
            raise CommandError(f"catalogue not loaded: {error}") from None
        self.stdout.write(report.summary())
        if options["verbose_changes"]:
            for label, codes in (
                ("added", report.added),
                ("updated", report.updated),
                ("retired", report.retired),
            ):
                for code in codes:
                    self.stdout.write(f"  {label}: {code}")
