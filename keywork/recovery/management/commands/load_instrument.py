from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from keywork.core.commands import OneLineErrors
from keywork.recovery.loader import SHIPPED, InstrumentError, load_instrument, read_instrument


class Command(OneLineErrors):
    help = (
        "Load a recovery-capital instrument from its TOML file (a service's own, such as a "
        "licensed one it holds); with no file, those shipped with keywork."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="instrument files (.toml)")

    def handle(self, *args: Any, **options: Any) -> None:
        files = options["files"] or sorted(SHIPPED.glob("*.toml"))
        for path in files:
            try:
                instrument, added = load_instrument(read_instrument(path))
            except InstrumentError as error:
                raise CommandError(f"instrument not loaded: {error}") from None
            said = "loaded" if added else "already loaded, unchanged"
            self.stdout.write(f"{instrument.code} version {instrument.version}: {said}")
