"""Import lines for assessments; each calls the action the web form calls."""

from __future__ import annotations

from keywork.assessments import actions
from keywork.clients.importers import OpenEpisodeOf
from keywork.core.importer import through

through(actions.assess, episode=OpenEpisodeOf)
