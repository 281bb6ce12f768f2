"""Import lines for care plans; each calls the action the web form calls. A goal names the
need it meets by its domain, a review's progress names each milestone by its words."""

from __future__ import annotations

from dataclasses import dataclass

from keywork.careplans import actions
from keywork.careplans.models import PlanAction
from keywork.careplans.queries import current_plan
from keywork.clients.importers import OpenEpisodeOf
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import through
from keywork.core.inputs import about


@dataclass(frozen=True, kw_only=True)
class PlanActionOf(OpenEpisodeOf):
    """An action of the client's current care plan, by its words."""

    description: str = about("which action: its words on the current care plan")

    def find(self, actor: Actor) -> PlanAction:  # type: ignore[override]
        episode = super().find(actor)
        plan = current_plan(episode)
        found = plan.actions.filter(description=self.description).first() if plan else None
        if found is None:
            raise invalid("description", f"no action '{self.description}' on the current care plan")
        return found


through(actions.agree_care_plan, episode=OpenEpisodeOf)
through(actions.review_care_plan, episode=OpenEpisodeOf)
through(actions.complete_plan_action, plan_action=PlanActionOf)
