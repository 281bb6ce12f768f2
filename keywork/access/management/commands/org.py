"""`keywork org ...`: services and teams."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser

from keywork.access import actions
from keywork.access.models import Service
from keywork.core.commands import KeyworkCommand, OneLineParser


class Command(KeyworkCommand):
    help = "Manage services and teams."
    actor_required = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="SUBCOMMAND", parser_class=OneLineParser
        )
        service = sub.add_parser("add-service", help="add a service")
        service.add_argument("code")
        service.add_argument("--name", required=True)
        service.add_argument("--phone", default="")
        service.add_argument("--email", default="")
        team = sub.add_parser("add-team", help="add a team to a service")
        team.add_argument("code")
        team.add_argument("--service", required=True)
        team.add_argument("--name", required=True)
        team.add_argument("--phone", default="")
        team.add_argument("--email", default="")
        sub.add_parser("list", help="list services and their teams")
        for child in (service, team):
            super().add_arguments(child)

    def run(self, actor: User | None, **o: Any) -> None:
        if o["subcommand"] == "add-service":
            created = actions.create_service(
                actor=actor,
                given=actions.CreateServiceInput(
                    code=o["code"], name=o["name"], phone=o["phone"], email=o["email"]
                ),
            )
            self.stdout.write(f"Added service {created.code}: {created.name}.")
        elif o["subcommand"] == "add-team":
            service = Service.objects.filter(code=o["service"]).first()
            if service is None:
                raise CommandError(f"--service: no service with code '{o['service']}'")
            team = actions.create_team(
                actor=actor,
                service=service,
                given=actions.CreateTeamInput(
                    code=o["code"], name=o["name"], phone=o["phone"], email=o["email"]
                ),
            )
            self.stdout.write(f"Added team {team.code}: {team.name}.")
        else:
            for svc in Service.objects.prefetch_related("teams"):
                label = "  (synthetic demo data)" if svc.is_synthetic else ""
                self.stdout.write(f"{svc.code:<20} {svc.name}{label}")
                for t in svc.teams.all():
                    self.stdout.write(f"  {t.code:<18} {t.name}")
