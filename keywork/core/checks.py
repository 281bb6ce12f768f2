"""System checks: keywork refuses to run on a database whose audit trail it cannot guard."""

from typing import Any

from django.core.checks import CheckMessage, Error, register
from django.db import connections


@register("database")
def supported_database(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    for alias in connections:
        vendor = connections[alias].vendor
        if vendor not in ("sqlite", "postgresql"):
            problems.append(
                Error(
                    f"database '{alias}' is {vendor}; keywork runs on SQLite or PostgreSQL",
                    id="keywork.E001",
                )
            )
    return problems
