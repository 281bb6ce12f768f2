"""`keywork report qs6 --from YYYY-MM-DD --to YYYY-MM-DD [--team CODE] [--keyworker
USERNAME] [--include-alcohol-only] --format json|csv`: a quality measure for a period."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser

from keywork.core.commands import KeyworkCommand
from keywork.measures import views
from keywork.measures.output import as_csv, as_json
from keywork.measures.registry import MEASURES


class Command(KeyworkCommand):
    help = "Compute a quality measure for a period and a scope, as JSON or CSV."
    actor_required = False

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("measure", choices=sorted(MEASURES), help="which measure")
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--service", help="service code (default: the only service)")
        parser.add_argument("--team", help="team code")
        parser.add_argument("--keyworker", help="the keyworker's username")
        parser.add_argument("--include-alcohol-only", action="store_true")
        parser.add_argument("--format", choices=("json", "csv"), default="json")

    def run(self, actor: User | None, **o: Any) -> None:
        try:
            result = views.compute_for(
                actor,
                MEASURES[o["measure"]],
                {
                    "start": o["start"],
                    "end": o["end"],
                    "service": o["service"] or "",
                    "team": o["team"] or "",
                    "keyworker": o["keyworker"] or "",
                    "include_alcohol_only": o["include_alcohol_only"],
                },
            )
        except views.BadRequest as error:
            raise CommandError(str(error)) from None
        identities = views.sees_identities(actor)
        views.audit_list(actor, result, identities)
        if o["format"] == "json":
            self.stdout.write(json.dumps(as_json(result, identities=identities), indent=2))
        else:
            self.stdout.write(as_csv(result, identities=identities), ending="")
