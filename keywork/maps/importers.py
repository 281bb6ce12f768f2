"""Import lines for maps; each calls the action the web form calls."""

from __future__ import annotations

from dataclasses import dataclass

from keywork.clients.importers import ClientNamed, OpenEpisodeOf
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import through
from keywork.core.inputs import about
from keywork.maps import actions
from keywork.maps.models import Map


@dataclass(frozen=True, kw_only=True)
class MapOf(ClientNamed):
    """The client's map of that title."""

    title: str = about("which map: its title, as shown on the client's maps")

    def find(self, actor: Actor) -> Map:  # type: ignore[override]
        client = super().find(actor)
        found = list(
            Map.objects.filter(episode__client=client, title=self.title).select_related("episode")[
                :2
            ]
        )
        if len(found) != 1:
            which = "no map" if not found else "more than one map"
            raise invalid("title", f"{which} titled '{self.title}' on this client's record")
        return found[0]


through(actions.start_map, episode=OpenEpisodeOf)
through(actions.save_map, the_map=MapOf)
