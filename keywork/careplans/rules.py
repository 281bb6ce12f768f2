"""Rules 8 (recovery support needs an assessed need), 10 (actions have owners) and 11
(reviews come round) for care plans: pure checks over plain values and dates."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from keywork.core.dates import uk
from keywork.core.errors import RuleViolation, invalid

if TYPE_CHECKING:
    from keywork.careplans.actions import ActionInput, GoalInput


def check_agreement(
    *,
    on: dt.date,
    how: str,
    hows: set[str],
    referral: dt.date,
    not_before: dt.date | None,
    today: dt.date,
) -> None:
    if how not in hows:
        raise invalid("agreed_how", "say how the client agreed the plan")
    if on > today:
        raise invalid("agreed_on", f"a care plan cannot be agreed in the future ({uk(on)})")
    if on < referral:
        raise invalid("agreed_on", f"{uk(on)} is before the referral ({uk(referral)})")
    if not_before is not None and on < not_before:
        raise invalid(
            "agreed_on", f"{uk(on)} is before the current version was agreed ({uk(not_before)})"
        )


def check_goals(goals: tuple[GoalInput, ...], *, domains: set[str]) -> None:
    if not goals:
        raise invalid("goals", "a care plan has at least one goal")
    for number, goal in enumerate(goals, start=1):
        if goal.domain not in domains:
            raise invalid("goals", f"goal {number}: '{goal.domain}' is not a life domain")
        if not goal.description.strip():
            raise invalid("goals", f"goal {number}: say what the goal is")
        if not [m for m in goal.milestones if m.strip()]:
            raise invalid("goals", f"goal {number}: give it at least one milestone")


def check_key_change(goals: tuple[GoalInput, ...], *, phases: set[str]) -> None:
    """Rule 2 (seed 001): "The service user should be located in the phase relating to the
    key change identified in the care planning process": one goal at most is the key
    change, naming a phase in the line."""
    named = [(n, g.key_change) for n, g in enumerate(goals, start=1) if g.key_change]
    for number, phase in named:
        if phase not in phases:
            raise RuleViolation(
                "R2",
                f"goal {number}: '{phase}' is not a phase in the line "
                f"({', '.join(sorted(phases))})",
                field="goals",
            )
    if len(named) > 1:
        raise RuleViolation(
            "R2",
            "goals: a care plan identifies one key change; goals "
            + " and ".join(str(n) for n, _ in named)
            + " both name one",
            field="goals",
        )


def check_owners(
    actions: tuple[ActionInput, ...], *, owners: set[str], kinds: set[str], agreed_on: dt.date
) -> None:
    """Rule 10: every action names who does it and by when."""
    for number, item in enumerate(actions, start=1):
        label = f"action {number} ({item.description.strip() or 'no description'})"
        if not item.description.strip():
            raise RuleViolation("R10", f"action {number}: say what is to be done", field="actions")
        if item.owner not in owners:
            raise RuleViolation(
                "R10",
                f"{label}: name who does it (the client, the keyworker or another agency)",
                field="actions",
            )
        if item.owner == "agency" and not item.agency.strip():
            raise RuleViolation("R10", f"{label}: name the agency", field="actions")
        if item.due_on is None:
            raise RuleViolation("R10", f"{label}: give it a due date", field="actions")
        if item.due_on < agreed_on:
            raise RuleViolation(
                "R10", f"{label}: due {uk(item.due_on)}, before the plan is agreed", field="actions"
            )
        if item.kind not in kinds:
            raise invalid("actions", f"{label}: '{item.kind}' is not a kind of action")


def check_need_links(
    goal_number: int, *, need_domain: str | None, requires: dict[str, str]
) -> None:
    """Rule 8: an intervention that needs an assessed need is linked from a goal that cites a
    need of that domain. `requires` maps each such intervention's name to its domain."""
    for name, domain in requires.items():
        if need_domain != domain:
            raise RuleViolation(
                "R8",
                f"goal {goal_number}: {name} needs an assessed {domain.replace('_', ' ')} need; "
                "link the goal to that need from the assessment",
                field="goals",
            )


def check_review_due(*, due: dt.date, after: dt.date) -> None:
    """Rule 11: a care plan always has a review date to come round."""
    if due <= after:
        raise RuleViolation(
            "R11", f"the review date {uk(due)} must be after {uk(after)}", field="review_due"
        )


def check_review(
    *,
    on: dt.date,
    agreed_on: dt.date,
    last_review_on: dt.date | None,
    today: dt.date,
    summary: str,
    missing: list[str],
) -> None:
    """Rule 11: a review records progress against every milestone of the plan it reviews."""
    if on > today:
        raise RuleViolation("R11", f"a review cannot be dated in the future ({uk(on)})")
    if on < agreed_on:
        raise RuleViolation("R11", f"{uk(on)} is before the plan was agreed ({uk(agreed_on)})")
    if last_review_on is not None and on < last_review_on:
        raise RuleViolation(
            "R11", f"{uk(on)} is before the last review ({uk(last_review_on)})", field="reviewed_on"
        )
    if missing:
        raise RuleViolation(
            "R11",
            "record progress against every milestone; missing: " + "; ".join(missing),
            field="progress",
        )
    if not summary.strip():
        raise RuleViolation("R11", "summarise the review", field="summary")


def check_action_done(
    *,
    done_already: dt.date | None,
    current: bool,
    on: dt.date,
    agreed_on: dt.date,
    today: dt.date,
) -> None:
    """An action is marked done once, on the plan as last agreed, on a day from the plan's
    agreement to today (rule 10: the action, its owner and its date stay as agreed)."""
    if done_already is not None:
        raise RuleViolation("R10", f"this action was marked done on {uk(done_already)} already")
    if not current:
        raise RuleViolation(
            "R10",
            "this action is on an earlier version of the care plan: mark it on the current one",
        )
    if on > today:
        raise invalid("done_on", f"an action cannot be done in the future ({uk(on)})")
    if on < agreed_on:
        raise invalid("done_on", f"{uk(on)} is before the care plan was agreed ({uk(agreed_on)})")


def check_need(*, name: str, domain: str, assessed: bool, in_plan: bool, field: str) -> None:
    """Rule 8: recovery support needs the need in the assessment and a goal in the care plan,
    whether it is recorded as an intervention or ticked on a session."""
    if not assessed:
        raise RuleViolation(
            "R8",
            f"{name} needs an assessed need for {domain.lower()}: record it in the assessment "
            "first",
            field=field,
        )
    if not in_plan:
        raise RuleViolation(
            "R8",
            f"{name} needs a care-plan goal for {domain.lower()}: add it to the care plan first",
            field=field,
        )
