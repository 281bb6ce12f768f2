"""`keywork report qs6 --from YYYY-MM-DD --to YYYY-MM-DD [--team CODE] [--keyworker
USERNAME] [--include-alcohol-only] --format json|csv|fhir|fhir-subject-list`: a quality
measure for a period (`--format fhir-measure`: the FHIR Measure that defines it)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandParser

from keywork.core.commands import KeyworkCommand
from keywork.measures import fhir
from keywork.measures.asked import compute_for
from keywork.measures.downloads import FORMATS, download
from keywork.measures.registry import MEASURES


class Command(KeyworkCommand):
    help = "Compute a quality measure for a period and a scope, as JSON or CSV."
    actor_required = False

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("measure", choices=sorted(MEASURES), help="which measure")
        parser.add_argument("--from", dest="start", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", help="last day, YYYY-MM-DD")
        parser.add_argument("--service", help="service code (default: the only service)")
        parser.add_argument("--team", help="team code")
        parser.add_argument("--keyworker", help="the keyworker's username")
        parser.add_argument("--include-alcohol-only", action="store_true")
        parser.add_argument(
            "--format",
            choices=(*FORMATS, "fhir-measure"),
            default="json",
            help="fhir: the FHIR MeasureReport (summary); fhir-subject-list: with who is "
            "counted and who not; fhir-measure: the FHIR Measure that defines it",
        )

    def run(self, actor: User | None, **o: Any) -> None:
        measure = MEASURES[o["measure"]]
        if o["format"] == "fhir-measure":
            self.stdout.write(json.dumps(fhir.definition(measure), indent=2))
            return
        result = compute_for(
            actor,
            measure,
            {
                "start": o["start"] or "",
                "end": o["end"] or "",
                "service": o["service"] or "",
                "team": o["team"] or "",
                "keyworker": o["keyworker"] or "",
                "include_alcohol_only": o["include_alcohol_only"],
            },
        )
        text, _ = download(actor, result, o["format"])
        self.stdout.write(text, ending="" if text.endswith("\n") else "\n")
