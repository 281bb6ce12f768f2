"""Import lines for care plans; each calls the action the web form calls. A goal names the
need it meets by its domain, a review's progress names each milestone by its words."""

from __future__ import annotations

from keywork.careplans import actions
from keywork.clients.importers import OpenEpisodeOf
from keywork.core.importer import through

through(actions.agree_care_plan, episode=OpenEpisodeOf)
through(actions.review_care_plan, episode=OpenEpisodeOf)
