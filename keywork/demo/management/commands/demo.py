"""`keywork demo --clients N --seed S`: load a synthetic demo service."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandParser
from tqdm import tqdm

from keywork.core.commands import KeyworkCommand
from keywork.demo import builder, second_factor
from keywork.demo.sessions import HISTORY_DAYS


class Command(KeyworkCommand):
    help = "Load a synthetic demo service (synthetic demo data: no real people)."
    actor_required = False

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--clients", type=int, default=200, help="how many clients")
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed (same seed, same data)"
        )
        parser.add_argument(
            "--history-days",
            type=int,
            default=HISTORY_DAYS,
            help=f"days of session history before today (default {HISTORY_DAYS})",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when a demo service is loaded"
        )
        parser.add_argument(
            "--code",
            metavar="USERNAME",
            help="print the second-factor code a demo account's authenticator shows now",
        )

    def run(self, actor: User | None, **o: Any) -> None:
        if o["code"]:
            self.stdout.write(second_factor.code(o["code"]))
            return
        if o["if_empty"] and builder.loaded():
            self.stdout.write("Synthetic demo data is already loaded.")
        else:
            report = builder.build(
                clients=o["clients"],
                seed=o["seed"],
                progress=Bars(enabled=o["verbosity"] >= 1),
                history_days=o["history_days"],
            )
            self.stdout.write(
                f"Loaded synthetic demo data: {report.teams} teams, {report.workers} workers, "
                f"{report.clients} clients."
            )
        self.stdout.write(f"Demo logins (password {builder.DEMO_PASSWORD}):")
        for username, what in builder.logins():
            self.stdout.write(f"  {username:<13} {what}")


class Bars:
    """A progress bar for each part of the build, started where a stopped build left off."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.bars: dict[str, tqdm[Any]] = {}

    def __call__(self, what: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        bar = self.bars.get(what)
        if bar is None:
            bar = self.bars[what] = tqdm(total=total, initial=done, desc=what, unit="")
        bar.update(done - bar.n)
        if done >= total:
            bar.close()
