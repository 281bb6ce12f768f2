"""`keywork export ndtms --month YYYY-MM --out FILE [--check]`: the national return for a
month, and its pre-submission check. `keywork export fhir --client ID --out FILE`: one
client's record as a FHIR R4 bundle."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser

from keywork.clients.models import Client
from keywork.core.commands import KeyworkCommand, OneLineParser, open_output
from keywork.core.replica import from_the_replica
from keywork.exports import fhir
from keywork.exports.ndtms import extract as ndtms
from keywork.measures.asked import service_for


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


class Command(KeyworkCommand):
    help = "Export the national return (ndtms) or one client's record as FHIR (fhir)."
    actor_required = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="SUBCOMMAND", parser_class=OneLineParser
        )
        national = sub.add_parser("ndtms", help="the national return for a reporting month")
        national.add_argument("--month", required=True, help="the reporting month, YYYY-MM")
        national.add_argument("--out", help="the CSV file to write")
        national.add_argument(
            "--check",
            action="store_true",
            help="list each problem that would be refused on submission (exit 1 if any)",
        )
        national.add_argument("--service", default="", help="service code (operator only)")
        national.add_argument(
            "--year-to-date",
            action="store_true",
            help="from the first day of the financial year (1 April) to the end of --month",
        )
        super().add_arguments(national)
        record = sub.add_parser("fhir", help="one client's record as a FHIR R4 bundle")
        record.add_argument("--client", required=True, help="the client id")
        record.add_argument("--out", required=True, help="the JSON file to write")
        super().add_arguments(record)

    def run(self, actor: User | None, **o: Any) -> None:
        with from_the_replica():  # when there is one; every write still goes to the primary
            if o["subcommand"] == "fhir":
                self.fhir_record(actor, **o)
            else:
                self.national_return(actor, **o)

    def fhir_record(self, actor: User | None, **o: Any) -> None:
        client = Client.objects.filter(local_id=o["client"]).first()
        if client is None:
            raise CommandError(f"--client: no client '{o['client']}'")
        found = fhir.bundle(actor, client)
        with open_output(o["out"]) as out:
            json.dump(found, out, indent=2)
        self.stdout.write(
            f"Wrote {len(found['entry'])} resources for {client.local_id} to {o['out']}."
        )

    def national_return(self, actor: User | None, **o: Any) -> None:
        if not o["out"] and not o["check"]:
            raise CommandError("--out: say where to write the return (or ask for --check)")
        month = ndtms.month_of(o["month"])
        if o["year_to_date"]:
            month = month.year_to_date()
        out = open_output(o["out"], newline="") if o["out"] else None
        service = service_for(actor, o["service"])
        found = ndtms.extract(actor, service, month)
        if out is not None:
            with out:
                rows = ndtms.write(actor, found, out)
            withheld = found.clients(consented=False).count()
            self.stdout.write(
                f"Wrote {rows} records for {month} to {o['out']} (dataset {found.dataset.version}; "
                f"{plural(withheld, 'client')} without consent sent as agency, client id and "
                "consent only)."
            )
        if o["check"]:
            problems = ndtms.check(found)
            for problem in problems:
                self.stdout.write(str(problem))
            if problems:
                raise CommandError(f"{plural(len(problems), 'problem')} in the return for {month}")
            self.stdout.write(f"No problems found in the return for {month}.")
