"""Django's flush, which empties every table, guarded: keywork's audit trail is append-only,
so a flush is refused outside the test suite's settings and test databases, whatever the
environment says; inside it (transactional tests), the audit triggers are lifted for the
wipe and put back straight after."""

from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

from keywork.audit import guard
from keywork.core.testing import in_test_suite
from keywork.core.writes import bulk_write


class Command(DjangoFlush):
    help = "Empty the database (test suite only: the audit trail is append-only)."

    def handle(self, **options: Any) -> None:
        if not in_test_suite(options["database"]):
            raise CommandError(
                "flush is refused: it would erase the append-only audit trail. "
                "To start again, create a new database and run migrate."
            )
        self._wipe(**options)

    def _wipe(self, **options: Any) -> None:
        connection = connections[options["database"]]
        with bulk_write():
            guard.remove(connection)
            try:
                super().handle(**options)
            finally:
                guard.install(connection)
