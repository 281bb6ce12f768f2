"""The base for keywork's commands: `--as USER` names the actor, the audit trail records the
command line as the channel, and a refused change or a bad value ends in one line and a
non-zero exit, never a traceback."""

from __future__ import annotations

import os
from abc import abstractmethod
from pathlib import Path
from typing import Any, NoReturn, TextIO

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from keywork.core.errors import RuleViolation
from keywork.core.writes import Channel, refused_before_action, via


class OneLineParser(CommandParser):
    """A bad or unknown option ends in one line and exit status 2, with no usage dump."""

    def error(self, message: str) -> NoReturn:
        if self.called_from_command_line:
            self.exit(2, f"{self.prog}: error: {message} (see --help)\n")
        raise CommandError(f"Error: {message}")


class OneLineErrors(BaseCommand):
    """Bad options, refused changes and database failures end in one line, never a
    traceback."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except DatabaseError as error:
            first = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise CommandError(
                f"the database failed: {first} (is it reachable, and has `keywork migrate` run?)"
            ) from None

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = OneLineParser  # its sub-commands' parsers follow its class
        return parser


class KeyworkCommand(OneLineErrors):
    actor_required = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USER",
            help="the username this command acts as"
            + ("" if self.actor_required else " (default: the system, for server operators)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor(options.get("as_user"))
        with via(Channel("command")):
            try:
                self.run(actor, **options)
            except RuleViolation as error:
                if not error.audited:
                    self.audit_refusal(actor, error, options)
                raise CommandError(str(error)) from None

    def audit_refusal(
        self, actor: User | None, error: RuleViolation, options: dict[str, Any]
    ) -> None:
        """A refusal outside an action (an action audits its own), with the client named."""
        asked = options.get("client")
        asked = asked if isinstance(asked, str) else ""
        refused_before_action(
            self.command_name,
            actor,
            error,
            client=asked,
            detail={"asked_for": asked} if asked else {},
        )

    def actor(self, username: str | None) -> User | None:
        if not username:
            if self.actor_required:
                raise CommandError("--as USER is required: say who is making this change")
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"--as: no active user '{username}'")
        return user

    @property
    def command_name(self) -> str:
        return f"command {self.__module__.rsplit('.', 1)[-1]}"

    @abstractmethod
    def run(self, actor: User | None, **options: Any) -> None:
        """Do the command's work as `actor` (None: the system)."""


def open_output(name: str, *, option: str = "--out", newline: str | None = None) -> TextIO:
    """Open a file a command writes (an export, a report), readable by its owner only; a
    folder, a missing folder or a file that cannot be written ends in one line."""
    path = Path(name)
    if path.is_dir():
        raise CommandError(f"{option}: {path} is a folder; name the file to write")
    if not path.parent.is_dir():
        raise CommandError(f"{option}: there is no folder {path.parent}")
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # also when the file was there before, open to others
    except OSError as error:
        raise CommandError(f"{option}: cannot write {path} ({error.strerror})") from None
    return open(descriptor, "w", encoding="utf-8", newline=newline)  # noqa: PTH123 (a descriptor)
