"""The only writer of assessments: each assessment, and each reassessment, is a new record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from keywork.assessments import rules
from keywork.assessments.models import (
    OPEN_RISK,
    RISK_AREAS,
    SECTIONS,
    Assessment,
    Domain,
    Need,
    RiskLevel,
)
from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.clients import policies
from keywork.clients.actions import hold_episode
from keywork.clients.models import Episode
from keywork.core.actors import Actor
from keywork.core.dates import today, uk
from keywork.core.errors import AccessDenied, RuleViolation, invalid
from keywork.core.inputs import about, version
from keywork.core.records import check_version
from keywork.core.writes import action


def assessment_version(episode: Episode) -> int:
    """How many assessments the episode has: a reassessment starts from the latest."""
    return Assessment.objects.filter(episode=episode).count()


@dataclass(frozen=True, kw_only=True)
class NeedInput:
    """A need the assessment found."""

    domain: str = about("its domain", choices=Domain)
    description: str = about("the need, in words", default="")


@dataclass(frozen=True, kw_only=True)
class AssessmentInput:
    """What an assessment records. Sections and risks by their model field names."""

    assessed_on: dt.date = about("the day of the assessment")
    sections: dict[str, str] = about(
        "the narrative, by section: " + ", ".join(f"`{name}`" for name, _ in SECTIONS),
        default_factory=dict,
    )
    risks: dict[str, str] = about(
        "the level of each risk ("
        + ", ".join(f"`{v}`" for v in RiskLevel.values)
        + "), by area: "
        + ", ".join(f"`{name}`" for name, _ in RISK_AREAS),
        default_factory=dict,
    )
    risk_notes: str = about("notes on the risks", default="")
    safeguarding_concern: bool = about("a safeguarding concern", default=False)
    safeguarding_detail: str = about("what the concern is (with a concern)", default="")
    dependent_children: int = about("how many dependent children", default=0)
    other_dependants: str = about("other dependants", default="")
    strengths: tuple[str, ...] = about("the client's strengths", default=())
    needs: tuple[NeedInput, ...] = about("the needs found", default=())
    expected_version: int | None = version()


@action
def assess(
    *,
    actor: Actor,
    episode: Episode,
    given: AssessmentInput,
) -> Assessment:
    """Record a comprehensive assessment or reassessment; earlier ones are kept as they were.
    `expected_version` is how many there were when the reassessment began."""
    worker = policies.worker_of(actor)
    if worker is None or not policies.can_work_with(actor, episode):
        raise AccessDenied("only keyworkers in the client's team assess them")
    hold_episode(episode)
    if given.expected_version is not None:
        latest = Assessment.objects.filter(episode=episode).order_by("-assessed_on", "-pk")
        check_version(
            expected=given.expected_version,
            current=assessment_version(episode),
            what="The assessment",
            theirs=lambda: {
                "Latest assessment": " ".join(
                    f"{uk(a.assessed_on)} by {a.assessed_by.name}" for a in latest[:1]
                )
            },
        )
    if not episode.is_open:
        raise RuleViolation("EPISODE", "the episode is discharged: open a new one to reassess")
    areas = dict(RISK_AREAS)
    rules.check_assessment_date(on=given.assessed_on, referral=episode.referral_date, today=today())
    unknown = set(given.sections) - {name for name, _ in SECTIONS}
    if unknown:
        raise invalid("sections", f"not a section: {', '.join(sorted(unknown))}")
    rules.check_risks(given.risks, areas=areas, levels=set(RiskLevel.values))
    rules.check_safeguarding(
        concern=given.safeguarding_concern,
        detail=given.safeguarding_detail,
        children=given.dependent_children,
    )
    rules.check_needs(given.needs, domains=set(Domain.values))
    made = Assessment.objects.create(
        episode=episode,
        assessed_on=given.assessed_on,
        assessed_by=worker,
        **given.sections,
        **given.risks,
        risk_notes=given.risk_notes,
        safeguarding_concern=given.safeguarding_concern,
        safeguarding_detail=given.safeguarding_detail,
        dependent_children=given.dependent_children,
        other_dependants=given.other_dependants,
        strengths=[s.strip() for s in given.strengths if s.strip()],
        flags=rules.flags(
            given.risks,
            areas=areas,
            open_levels=set(OPEN_RISK),
            concern=given.safeguarding_concern,
        ),
    )
    Need.objects.bulk_create(
        Need(assessment=made, domain=n.domain, description=n.description.strip())
        for n in given.needs
    )
    trail.record(
        actor=actor,
        verb=AuditEvent.Verb.CREATE,
        client=episode.client,
        obj=made,
        detail={"assessed_on": made.assessed_on.isoformat(), "needs": len(given.needs)},
    )
    return made
