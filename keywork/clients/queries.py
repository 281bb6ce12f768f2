"""Reads of clients and episodes that every client page shares: the client through the
scoper (and the read audited), the latest episode, the phases an episode went through."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils import timezone

from keywork.access.models import Worker
from keywork.clients import policies
from keywork.clients.models import Client, Episode, PhaseChange
from keywork.core.actors import Actor

SEARCH_MAX = 100  # characters of a search: a name or a client id is far shorter


def visible_client(user: Actor, local_id: str) -> Client | None:
    """The client, if this user may open their record; `via_break_glass` says whether by a
    break-glass access (so that each read is audited as such), in the same query."""
    worker = policies.worker_of(user)
    if worker is None:
        return None
    visible = policies.clients_visible_to(user).filter(local_id=local_id)
    return visible.annotate(via_break_glass=policies.broken_glass(worker)).first()


def open_episodes_by_id(user: Actor, ids: list[str]) -> tuple[list[Episode], list[str]]:
    """The open episodes this user can see for these client ids, in the order given, and the
    ids that have none."""
    found = {
        e.client.local_id: e
        for e in policies.episodes_visible_to(user)
        .filter(discharged_on=None, client__local_id__in=ids)
        .select_related("client")
    }
    ordered = list(dict.fromkeys(ids))
    return [found[i] for i in ordered if i in found], [i for i in ordered if i not in found]


def latest_episode(client: Client) -> Episode | None:
    """The open episode, or else the one discharged last."""
    latest = (F("discharged_on").desc(nulls_first=True), "-referral_date", "-pk")
    return client.episodes.select_related("team").order_by(*latest).first()


@dataclass(frozen=True)
class PhaseSpan:
    """A stretch of an episode in one phase: from the move into it until the next move (or
    discharge, or today)."""

    move: PhaseChange
    ended_on: dt.date | None

    @property
    def days(self) -> int:
        return ((self.ended_on or timezone.localdate()) - self.move.changed_on).days


def phase_spans(episode: Episode | None, moves: list[PhaseChange]) -> list[PhaseSpan]:
    """The episode's phases in order, for the phase timeline (rule 2)."""
    ordered = sorted(moves, key=lambda m: (m.changed_on, m.pk))
    if episode is None or not ordered:  # a client registered, no episode opened yet
        return []
    ends: list[dt.date | None] = [m.changed_on for m in ordered[1:]]
    ends.append(episode.discharged_on)
    return [PhaseSpan(move, end) for move, end in zip(ordered, ends, strict=True)]


def awaiting_reallocation(episodes: QuerySet[Episode]) -> QuerySet[Episode]:
    """Open episodes whose keyworker's account is disabled: to be reallocated (rule 1).
    Found from the disabled workers, along the episodes' keyworker index: asked of each
    open episode's keyworker, SQLite read every open episode of the service (90 ms of a
    service manager's team view at 330,000 clients, against under 1 ms)."""
    disabled = Worker.objects.filter(user__is_active=False)
    return (
        episodes.filter(discharged_on__isnull=True, keyworker__in=disabled)
        .select_related("client", "keyworker__user", "phase")
        .order_by("keyworker__user__last_name", "client__family_name", "pk")
    )
