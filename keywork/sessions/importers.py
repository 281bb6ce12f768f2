"""Import lines for keywork sessions; each calls the action the web form calls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from keywork.access.models import Team
from keywork.clients import queries
from keywork.clients.importers import ClientNamed, LatestEpisodeOf, OpenEpisodeOf
from keywork.clients.models import Episode
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import importer, through
from keywork.core.inputs import about
from keywork.sessions import actions
from keywork.sessions.actions import (
    Appointment,
    RecordGroupInput,
    RegisterLine,
    SessionContent,
)
from keywork.sessions.models import Attendance, KeyworkSession


@dataclass(frozen=True, kw_only=True)
class SessionOf(ClientNamed):
    """A client's session, by when it started (open episode or not)."""

    starts_at: dt.datetime = about("which session: when it starts, as booked")

    def find(self, actor: Actor) -> Attendance:  # type: ignore[override]
        client = super().find(actor)
        found = Attendance.objects.filter(
            episode__client=client, session__starts_at=self.starts_at
        ).first()
        if found is None:
            raise invalid(
                "starts_at", f"no session for this client at {self.starts_at:%d/%m/%Y %H:%M}"
            )
        return found


@dataclass(frozen=True, kw_only=True)
class OpenEpisodesOf:
    clients: tuple[str, ...] = about("client ids, each with an open episode in the team")

    def find(self, actor: Actor) -> list[Episode]:
        episodes, missing = queries.open_episodes_by_id(actor, list(self.clients))
        if missing:
            raise invalid("clients", f"no open episode you can see for {', '.join(missing)}")
        return episodes


@dataclass(frozen=True, kw_only=True)
class TeamCoded:
    team: Team = about("the team")

    def find(self, actor: Actor) -> Team:
        return self.team


@dataclass(frozen=True, kw_only=True)
class GroupOf:
    """The team's group starting at `starts_at` (named by `title` if two start then)."""

    team: Team = about("the team that runs the group")
    starts_at: dt.datetime = about("when the group started")
    title: str = about("the group's title, when two groups start then", default="")

    def find(self, actor: Actor) -> KeyworkSession:
        found = KeyworkSession.objects.filter(
            team=self.team, kind=KeyworkSession.Kind.GROUP, starts_at=self.starts_at
        )
        if self.title:
            found = found.filter(title=self.title)
        groups = list(found[:2])
        if not groups:
            raise invalid("starts_at", f"no group session at {self.starts_at:%d/%m/%Y %H:%M}")
        if len(groups) > 1:
            raise invalid("title", "more than one group starts then: name it by its title")
        return groups[0]


@dataclass(frozen=True, kw_only=True)
class RegisterEntry:
    client: str = about("the client id, on the group's list")
    outcome: str = about("what happened")
    notes: str = about("the client's own notes", default="")
    next_appointment: Appointment | None = about("their next appointment", default=None)


@dataclass(frozen=True, kw_only=True)
class GroupRegister:
    """What the group covered for everyone who came, and a line per client."""

    content: SessionContent = about("what the group covered", flat=True)
    register: Sequence[RegisterEntry] = about("a line per client: their outcome")


through(actions.schedule_session, episode=OpenEpisodeOf)
through(actions.record_session, episode=OpenEpisodeOf)
through(actions.move_appointment, attendance=SessionOf)
through(actions.cancel_appointment, attendance=SessionOf)
through(actions.schedule_group, team=TeamCoded, episodes=OpenEpisodesOf)
through(actions.record_reintegration, episode=LatestEpisodeOf)
through(actions.amend_session_notes, attendance=SessionOf)
through(actions.mark_session_in_error, attendance=SessionOf)


def _line(session: KeyworkSession, entry: RegisterEntry) -> RegisterLine:
    attendance = (
        session.attendances.select_related("episode__client")
        .filter(episode__client__local_id=entry.client)
        .first()
    )
    if attendance is None:
        raise invalid("register", f"'{entry.client}' is not on this group's list")
    return RegisterLine(attendance, entry.outcome, entry.notes, entry.next_appointment)


@importer("record_group", GroupOf, GroupRegister)
def record_group(actor: Actor, group: GroupOf, given: GroupRegister) -> object:
    """A group's register. Each client's line keeps the rules of a one-to-one; an already
    booked appointment (the next group) counts as the next appointment. A refused line
    names the client, and nothing of the register is saved."""
    session = group.find(actor)
    register = [_line(session, entry) for entry in given.register]
    return actions.record_group(
        actor=actor,
        session=session,
        given=RecordGroupInput(content=given.content, register=register),
    )
