"""The only writer of assessments: each assessment, and each reassessment, is a new record."""

from __future__ import annotations

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
from keywork.assessments.rules import AssessmentInput
from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.clients import policies
from keywork.clients.actions import hold_episode
from keywork.clients.models import Episode
from keywork.core.actors import Actor
from keywork.core.dates import today, uk
from keywork.core.errors import AccessDenied, RuleViolation, invalid
from keywork.core.records import check_version
from keywork.core.writes import action


def assessment_version(episode: Episode) -> int:
    """How many assessments the episode has: a reassessment starts from the latest."""
    return Assessment.objects.filter(episode=episode).count()


@action
def assess(
    *,
    actor: Actor,
    episode: Episode,
    assessment: AssessmentInput,
    expected_version: int | None = None,
) -> Assessment:
    """Record a comprehensive assessment or reassessment; earlier ones are kept as they were.
    `expected_version` is how many there were when the reassessment began."""
    worker = policies.worker_of(actor)
    if worker is None or not policies.can_work_with(actor, episode):
        raise AccessDenied("only keyworkers in the client's team assess them")
    hold_episode(episode)
    if expected_version is not None:
        latest = Assessment.objects.filter(episode=episode).order_by("-assessed_on", "-pk")
        check_version(
            expected=expected_version,
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
    rules.check_assessment_date(
        on=assessment.assessed_on, referral=episode.referral_date, today=today()
    )
    unknown = set(assessment.sections) - {name for name, _ in SECTIONS}
    if unknown:
        raise invalid("sections", f"not a section: {', '.join(sorted(unknown))}")
    rules.check_risks(assessment.risks, areas=areas, levels=set(RiskLevel.values))
    rules.check_safeguarding(
        concern=assessment.safeguarding_concern,
        detail=assessment.safeguarding_detail,
        children=assessment.dependent_children,
    )
    rules.check_needs(assessment.needs, domains=set(Domain.values))
    made = Assessment.objects.create(
        episode=episode,
        assessed_on=assessment.assessed_on,
        assessed_by=worker,
        **assessment.sections,
        **assessment.risks,
        risk_notes=assessment.risk_notes,
        safeguarding_concern=assessment.safeguarding_concern,
        safeguarding_detail=assessment.safeguarding_detail,
        dependent_children=assessment.dependent_children,
        other_dependants=assessment.other_dependants,
        strengths=[s.strip() for s in assessment.strengths if s.strip()],
        flags=rules.flags(
            assessment.risks,
            areas=areas,
            open_levels=set(OPEN_RISK),
            concern=assessment.safeguarding_concern,
        ),
    )
    Need.objects.bulk_create(
        Need(assessment=made, domain=n.domain, description=n.description.strip())
        for n in assessment.needs
    )
    trail.record(
        actor=actor,
        verb=AuditEvent.Verb.CREATE,
        client=episode.client,
        obj=made,
        detail={"assessed_on": made.assessed_on.isoformat(), "needs": len(assessment.needs)},
    )
    return made
