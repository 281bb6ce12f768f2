"""Import lines for recovery-capital checks; each calls the action the web form calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from django.db.models import Model

from keywork.clients.importers import LatestEpisodeOf
from keywork.core.importer import through
from keywork.core.inputs import about
from keywork.outcomes.importers import TakenOn
from keywork.recovery import actions
from keywork.recovery.models import Check


@dataclass(frozen=True, kw_only=True)
class CheckOf(TakenOn):
    """The client's recovery-capital check taken on `taken_on`."""

    records: ClassVar[type[Model]] = Check
    what: ClassVar[str] = "recovery capital check"
    taken_on: dt.date = about("which check: the day it was taken")


through(actions.take_check, episode=LatestEpisodeOf)
through(actions.mark_check_in_error, check=CheckOf)
