"""Import lines for assessments; each calls the action the web form calls."""

from __future__ import annotations

from keywork.assessments import actions
from keywork.assessments.models import RISK_AREAS, SECTIONS
from keywork.assessments.rules import AssessmentInput, NeedInput
from keywork.clients.importers import open_episode_of
from keywork.core.actors import Actor
from keywork.core.importer import Fields, importer


@importer("assess")
def assess(actor: Actor, f: Fields) -> object:
    """`{"action": "assess", "client": ..., "assessed_on": ..., "risks": {"risk_to_self":
    "low", ...}, "needs": [{"domain": "housing", "description": ...}], ...}`"""
    risks = f.record("risks")
    return actions.assess(
        actor=actor,
        episode=open_episode_of(actor, f),
        assessment=AssessmentInput(
            assessed_on=f.date("assessed_on"),
            sections={name: f.text(name) for name, _ in SECTIONS if name in f.data},
            risks={name: risks.text(name, "") for name, _ in RISK_AREAS} if risks else {},
            risk_notes=f.text("risk_notes", ""),
            safeguarding_concern=bool(f.flag("safeguarding_concern", False)),
            safeguarding_detail=f.text("safeguarding_detail", ""),
            dependent_children=f.number("dependent_children", 0),
            other_dependants=f.text("other_dependants", ""),
            strengths=f.texts("strengths"),
            needs=tuple(
                NeedInput(need.text("domain"), need.text("description", ""))
                for need in f.records("needs")
            ),
        ),
        expected_version=f.optional_number("version"),
    )
