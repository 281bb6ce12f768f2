"""`keywork user ...`: accounts, roles and competence, from the command line."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser

from keywork.access import actions
from keywork.access.models import Profession, Role, Service, Team, Worker
from keywork.access.queries import is_competent
from keywork.catalogue.models import Entry
from keywork.core.commands import KeyworkCommand, OneLineParser
from keywork.core.dates import parse_date, today, uk


def _worker(username: str) -> Worker:
    worker = Worker.objects.select_related("user", "team").filter(user__username=username).first()
    if worker is None:
        raise CommandError(f"no worker with username '{username}'")
    return worker


def _team(code: str | None) -> Team | None:
    if not code:
        return None
    team = Team.objects.filter(code=code).first()
    if team is None:
        raise CommandError(f"--team: no team with code '{code}'")
    return team


def _service(code: str | None) -> Service | None:
    if not code:
        return None
    service = Service.objects.filter(code=code).first()
    if service is None:
        raise CommandError(f"--service: no service with code '{code}'")
    return service


def _entry(code: str) -> Entry:
    entry = Entry.objects.offered().select_related("tier", "parent").filter(code=code).first()
    if entry is None:
        raise CommandError(f"--intervention: '{code}' is not in the catalogue")
    return entry


def _password(options: dict[str, Any]) -> str:
    if options.get("password_stdin"):
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise CommandError("give the password with --password-stdin, or run interactively")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        raise CommandError("the two passwords differ")
    return first


class Command(KeyworkCommand):
    help = "Manage accounts, roles, training, supervision and registrations."
    actor_required = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="SUBCOMMAND", parser_class=OneLineParser
        )

        def command(name: str, help_text: str) -> CommandParser:
            child: CommandParser = sub.add_parser(name, help=help_text)
            super(Command, self).add_arguments(child)
            return child

        add = command("add", "create an account and its worker")
        add.add_argument("username")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--first-name", required=True)
        add.add_argument("--last-name", required=True)
        add.add_argument("--email", default="")
        add.add_argument("--team")
        add.add_argument("--service")
        add.add_argument("--job-title", default="")
        add.add_argument(
            "--profession",
            default="",
            choices=["", *Profession.values],
            help="a practitioner's: drugs_worker (default), nurse, doctor, psychologist, other",
        )
        add.add_argument("--phone", default="")
        add.add_argument("--password-stdin", action="store_true")

        listing = command("list", "list workers")
        listing.add_argument("--team")

        for name, text in (("disable", "disable a login"), ("enable", "enable a login")):
            toggle = command(name, text)
            toggle.add_argument("username")
            toggle.add_argument("--reason", required=True)

        role = command("role", "change a worker's role or team")
        role.add_argument("username")
        role.add_argument("--role", required=True, choices=Role.values)
        role.add_argument("--team")
        role.add_argument("--service")

        password = command("password", "set a new password")
        password.add_argument("username")
        password.add_argument("--password-stdin", action="store_true")

        train = command("train", "record training in a Keywork+ intervention")
        train.add_argument("username")
        train.add_argument("--intervention", required=True, help="catalogue code")
        train.add_argument("--on", required=True, help="date trained (DD/MM/YYYY)")
        train.add_argument("--training", default="", help="course or provider")

        supervise = command("supervise", "record a clinical supervision")
        supervise.add_argument("username")
        supervise.add_argument("--on", required=True, help="date held")
        supervise.add_argument("--lapses", help="first day no longer in date")
        supervise.add_argument("--supervisor", default="")

        register = command("register", "record a registration or accreditation")
        register.add_argument("username")
        register.add_argument("--body", required=True)
        register.add_argument("--number", required=True)
        register.add_argument("--from", dest="valid_from", required=True)
        register.add_argument("--expires", required=True)
        register.add_argument("--intervention", action="append", required=True)

        competence = command("competence", "is this worker competent to deliver it?")
        competence.add_argument("username")
        competence.add_argument("--intervention", required=True)
        competence.add_argument("--on", help="date (default today)")

    def run(self, actor: User | None, **options: Any) -> None:
        getattr(self, "do_" + options["subcommand"])(actor, options)

    def do_add(self, actor: User | None, o: dict[str, Any]) -> None:
        worker = actions.add_worker(
            actor=actor,
            given=actions.AddWorkerInput(
                username=o["username"],
                first_name=o["first_name"],
                last_name=o["last_name"],
                role=o["role"],
                password=_password(o),
                email=o["email"],
                team=_team(o["team"]),
                service=_service(o["service"]),
                job_title=o["job_title"],
                profession=o["profession"],
                phone=o["phone"],
            ),
        )
        self.stdout.write(f"Added {worker.user.username} ({worker.get_role_display()}).")

    def do_list(self, actor: User | None, o: dict[str, Any]) -> None:
        workers = Worker.objects.select_related("user", "team").order_by("user__username")
        if o["team"]:
            workers = workers.filter(team=_team(o["team"]))
        for w in workers:
            state = "" if w.active else "  (disabled)"
            team = w.team.code if w.team else "-"
            self.stdout.write(f"{w.user.username:<24} {w.role:<16} {team:<16} {w.name}{state}")

    def do_disable(self, actor: User | None, o: dict[str, Any]) -> None:
        worker = actions.set_active(
            actor=actor,
            worker=_worker(o["username"]),
            given=actions.SetActiveInput(active=False, reason=o["reason"]),
        )
        self.stdout.write(f"Disabled {worker.user.username}.")

    def do_enable(self, actor: User | None, o: dict[str, Any]) -> None:
        worker = actions.set_active(
            actor=actor,
            worker=_worker(o["username"]),
            given=actions.SetActiveInput(active=True, reason=o["reason"]),
        )
        self.stdout.write(f"Enabled {worker.user.username}.")

    def do_role(self, actor: User | None, o: dict[str, Any]) -> None:
        worker = actions.change_role(
            actor=actor,
            worker=_worker(o["username"]),
            given=actions.ChangeRoleInput(
                role=o["role"], team=_team(o["team"]), service=_service(o["service"])
            ),
        )
        self.stdout.write(f"{worker.user.username} is now {worker.get_role_display()}.")

    def do_password(self, actor: User | None, o: dict[str, Any]) -> None:
        worker = actions.set_password(
            actor=actor,
            worker=_worker(o["username"]),
            given=actions.SetPasswordInput(password=_password(o)),
        )
        self.stdout.write(f"Password set for {worker.user.username}.")

    def do_train(self, actor: User | None, o: dict[str, Any]) -> None:
        competency = actions.record_training(
            actor=actor,
            worker=_worker(o["username"]),
            given=actions.RecordTrainingInput(
                intervention=_entry(o["intervention"]),
                trained_on=parse_date(o["on"], field="--on"),
                training=o["training"],
            ),
        )
        self.stdout.write(f"Recorded: {competency}.")

    def do_supervise(self, actor: User | None, o: dict[str, Any]) -> None:
        supervision = actions.record_supervision(
            actor=actor,
            worker=_worker(o["username"]),
            given=actions.RecordSupervisionInput(
                held_on=parse_date(o["on"], field="--on"),
                lapses_on=parse_date(o["lapses"], field="--lapses") if o["lapses"] else None,
                supervisor=o["supervisor"],
            ),
        )
        self.stdout.write(f"Recorded: {supervision}, in date until {uk(supervision.lapses_on)}.")

    def do_register(self, actor: User | None, o: dict[str, Any]) -> None:
        registration = actions.record_registration(
            actor=actor,
            worker=_worker(o["username"]),
            given=actions.RecordRegistrationInput(
                body=o["body"],
                number=o["number"],
                valid_from=parse_date(o["valid_from"], field="--from"),
                expires_on=parse_date(o["expires"], field="--expires"),
                interventions=[_entry(code) for code in o["intervention"]],
            ),
        )
        self.stdout.write(f"Recorded: {registration}.")

    def do_competence(self, actor: User | None, o: dict[str, Any]) -> None:
        day = parse_date(o["on"], field="--on") if o["on"] else today()
        verdict = is_competent(_worker(o["username"]), _entry(o["intervention"]), day)
        self.stdout.write(
            ("competent: " if verdict.competent else "not competent: ") + verdict.reason
        )
        if not verdict.competent:
            raise CommandError("not competent")
