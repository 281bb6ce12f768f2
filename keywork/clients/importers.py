"""Import lines for clients and episodes, and the finders other apps' lines use to name a
client's episode; each line calls the action the web form calls."""

from __future__ import annotations

from dataclasses import dataclass

from keywork.clients import actions, policies, queries
from keywork.clients.models import Client, Episode
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import through
from keywork.core.inputs import about


@dataclass(frozen=True, kw_only=True)
class ClientNamed:
    client: str = about("the client id, of a client on the records you can see")

    def find(self, actor: Actor) -> Client:
        client = policies.clients_visible_to(actor).filter(local_id=self.client).first()
        if client is None:
            raise invalid("client", f"no client '{self.client}' on the records you can see")
        return client


@dataclass(frozen=True, kw_only=True)
class OpenEpisodeOf(ClientNamed):
    client: str = about("the client id: the change is made on their open episode")

    def find(self, actor: Actor) -> Episode:  # type: ignore[override]
        client = super().find(actor)
        visible = policies.episodes_visible_to(actor)
        episode = visible.filter(client=client, discharged_on=None).first()
        if episode is None:
            raise invalid("client", f"'{client.local_id}' has no open episode you can see")
        return episode


@dataclass(frozen=True, kw_only=True)
class LatestEpisodeOf(ClientNamed):
    client: str = about("the client id: on their open episode, or else the one discharged last")

    def find(self, actor: Actor) -> Episode:  # type: ignore[override]
        client = super().find(actor)
        episode = queries.latest_episode(client)
        if episode is None:
            raise invalid("client", f"'{client.local_id}' has no episode")
        return episode


through(actions.register_client)
through(actions.update_client_details, client=ClientNamed)
through(actions.open_episode, client=ClientNamed)
through(actions.allocate_keyworker, episode=OpenEpisodeOf)
through(actions.move_phase, episode=OpenEpisodeOf)
through(actions.record_triage, episode=OpenEpisodeOf)
through(actions.discharge, episode=OpenEpisodeOf)
