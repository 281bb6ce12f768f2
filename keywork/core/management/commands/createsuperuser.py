"""Django's createsuperuser, refused: no keywork account is a Django superuser (a superuser
would pass every check and leave no audit row). Administrators are made like every other
account, through the actions. (keywork.core comes first in INSTALLED_APPS, so this command
takes the place of django.contrib.auth's.)"""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

REFUSED = (
    "keywork has no superusers; add an administrator with `keywork user add NAME "
    "--role administrator --first-name F --last-name L --password-stdin`"
)


class Command(BaseCommand):
    help = "Refused: use `keywork user add NAME --role administrator` instead."

    def run_from_argv(self, argv: list[str]) -> None:
        """Refuse in one line, whatever options were given."""
        sys.stderr.write(f"CommandError: {REFUSED}\n")
        sys.exit(1)

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(REFUSED)
