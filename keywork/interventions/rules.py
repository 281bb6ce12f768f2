"""Rules 3 (the catalogue), 5 (structured means structured) and 6 (other structured treatment
is exclusive) for intervention records: pure checks over plain values and dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from keywork.core.dates import uk
from keywork.core.errors import RuleViolation

RECORDABLE_KINDS = {"intervention", "national_definition"}
STRUCTURED_PSYCHOSOCIAL = "structured_psychosocial"
STRUCTURED_PHARMACOLOGICAL = "structured_pharmacological"
PRESCRIBING = {STRUCTURED_PHARMACOLOGICAL, "relapse_prevention_prescribing"}
OTHER_STRUCTURED = "other_structured"
# Seed 002: a structured psychosocial intervention "is likely to comprise a number of
# sessions". No seed gives a number; ours is the least that is "a number of" (more than one),
# a local reading (docs/interventions.md).
MINIMUM_PLANNED_SESSIONS = 2

# What a care plan for other structured treatment addresses (seed 002), by goal domain.
CARE_PLAN_AREAS: dict[str, tuple[str, set[str]]] = {
    "drug_alcohol_use": ("drug and alcohol use", {"substance_use"}),
    "health": ("health", {"physical_health", "mental_health"}),
    "offending": ("offending", {"legal"}),
    "social_functioning": (
        "social functioning",
        {
            "housing",
            "employment",
            "education_training",
            "finance",
            "family",
            "parenting",
            "domestic_abuse",
            "social_network",
        },
    ),
}


@dataclass(frozen=True)
class Period:
    """Days an intervention runs. A period ends at the start of its end day, so one that ends
    on the day another starts does not overlap it (a change of treatment on one day); one
    that starts and ends on the same day holds that day. Open-ended runs on."""

    name: str
    started_on: dt.date
    ended_on: dt.date | None

    def span(self) -> tuple[dt.date, dt.date]:
        end = self.ended_on or dt.date.max
        if end == self.started_on:
            end = self.started_on + dt.timedelta(days=1)
        return self.started_on, end

    def overlaps(self, other: Period) -> bool:
        start, end = self.span()
        other_start, other_end = other.span()
        return start < other_end and other_start < end


def check_recordable(*, code: str, kind: str | None, offered: bool, group: str) -> None:
    """Rule 3: an intervention record names an offered catalogue intervention."""
    if kind is None:
        raise RuleViolation(
            "R3", f"intervention: '{code}' is not in the catalogue", field="intervention"
        )
    if not offered:
        raise RuleViolation(
            "R3", f"intervention: '{code}' is retired from the catalogue", field="intervention"
        )
    if kind in ("technique", "mapping_tool"):
        raise RuleViolation(
            "R5",
            f"'{code}' is a technique used inside a session: record it on the session; it "
            "never counts as a structured intervention",
            field="intervention",
        )
    if group in PRESCRIBING:
        raise RuleViolation(
            "R3",
            f"intervention: '{code}' is prescribing: record it as a prescription",
            field="intervention",
        )
    if kind not in RECORDABLE_KINDS:
        raise RuleViolation(
            "R3", f"intervention: '{code}' is not an intervention", field="intervention"
        )


def check_period(
    *,
    started_on: dt.date,
    ended_on: dt.date | None,
    exit: str,
    exits: set[str],
    referral_date: dt.date,
    discharged_on: dt.date | None,
    today: dt.date,
    after_completion: bool = False,
) -> None:
    """`after_completion`: support given after a successful completion (relapse prevention,
    mental health, check-ups), which may start after the discharge."""
    if started_on > today:
        raise RuleViolation(
            "INVALID", f"started_on: {uk(started_on)} is in the future", field="started_on"
        )
    if started_on < referral_date:
        raise RuleViolation(
            "EPISODE", f"the intervention starts before the referral ({uk(referral_date)})"
        )
    if discharged_on is not None and started_on > discharged_on and not after_completion:
        raise RuleViolation(
            "EPISODE",
            f"the episode was discharged on {uk(discharged_on)}, before this starts; only "
            "support after a successful completion carries on after discharge",
        )
    if ended_on is None:
        if exit:
            raise RuleViolation(
                "INVALID", "ended_on: an exit needs the date it ended", field="ended_on"
            )
        return
    if ended_on < started_on:
        raise RuleViolation(
            "INVALID",
            f"ended_on: {uk(ended_on)} is before the start ({uk(started_on)})",
            field="ended_on",
        )
    if ended_on > today:
        raise RuleViolation(
            "INVALID", f"ended_on: {uk(ended_on)} is in the future", field="ended_on"
        )
    if exit not in exits:
        raise RuleViolation(
            "INVALID", "exit: say how it ended (planned, unplanned, withdrawn)", field="exit"
        )


def check_delivery(*, has_practitioner: bool, agency: str) -> None:
    if has_practitioner == bool(agency.strip()):
        raise RuleViolation(
            "INVALID",
            "practitioner: name the practitioner, or the other agency that delivers it (not both)",
            field="practitioner",
        )


def check_setting(
    *, setting: str, settings: dict[str, str], required: list[str], name: str
) -> None:
    """The setting is one the dataset knows, and one the intervention is delivered in
    (`required`, when it names any)."""
    if setting not in settings:
        raise RuleViolation(
            "INVALID", f"setting: choose one of {', '.join(settings)}", field="setting"
        )
    if required and setting not in required:
        where = " or ".join(settings[s].lower() for s in required)
        raise RuleViolation(
            "INVALID", f"setting: {name} is delivered in a {where} setting", field="setting"
        )


def check_structured(*, name: str, planned_sessions: int | None, named_in_plan: bool) -> None:
    """Rule 5: a structured psychosocial intervention is a planned package of several
    sessions, written into the care plan."""
    if planned_sessions is None or planned_sessions < MINIMUM_PLANNED_SESSIONS:
        raise RuleViolation(
            "R5",
            f"{name} is a structured psychosocial intervention: record the planned number of "
            f"sessions (at least {MINIMUM_PLANNED_SESSIONS})",
            field="planned_sessions",
        )
    if not named_in_plan:
        raise RuleViolation(
            "R5",
            f"{name} must be in the care plan: name it on a goal of the care plan in force "
            "when it starts",
            field="intervention",
        )


def check_exclusive(mine: Period, others: list[Period], *, mine_is_other_structured: bool) -> None:
    """Rule 6: other structured treatment does not overlap prescribing, residential
    rehabilitation, inpatient treatment, a structured day programme or a structured
    psychosocial intervention for the same client."""
    for other in others:
        if mine.overlaps(other):
            ost, blocker = (mine, other) if mine_is_other_structured else (other, mine)
            raise RuleViolation(
                "R6",
                f"other structured treatment ({_when(ost)}) cannot overlap {blocker.name} "
                f"({_when(blocker)}) for the same client",
                field="started_on",
            )


def _when(period: Period) -> str:
    if period.ended_on is None:
        return f"from {uk(period.started_on)}"
    return f"{uk(period.started_on)} to {uk(period.ended_on)}"


def check_other_structured_plan(*, missing: list[str], sessions_planned: bool) -> None:
    """Seed 002: a care plan that addresses drug and alcohol use, health, offending and
    social functioning, with regular planned keywork sessions."""
    if missing:
        raise RuleViolation(
            "R6",
            "other structured treatment needs a care plan that addresses "
            + ", ".join(missing)
            + ": add goals in those areas first",
            field="intervention",
        )
    if not sessions_planned:
        raise RuleViolation(
            "R6",
            "other structured treatment needs regular planned keywork sessions: book the next "
            "one from its start",
            field="intervention",
        )


def check_session(
    *,
    attended: bool,
    in_error: bool,
    same_episode: bool,
    with_practitioner: bool,
    day: dt.date,
    started_on: dt.date,
    ended_on: dt.date | None,
    already: bool,
) -> None:
    if not (attended and not in_error and same_episode):
        raise RuleViolation(
            "R5",
            "only an attended session of this episode counts towards the intervention",
            field="session",
        )
    if not with_practitioner:
        raise RuleViolation(
            "R5",
            "the session was not delivered by the intervention's practitioner",
            field="session",
        )
    if day < started_on or (ended_on is not None and day > ended_on):
        raise RuleViolation(
            "R5", f"the session on {uk(day)} is outside the intervention's dates", field="session"
        )
    if already:
        raise RuleViolation("R5", "that session is already counted", field="session")


def check_first_contact(
    *, group: str, on: dt.date | None, support: str, supports: set[str], started_on: dt.date
) -> None:
    """Rule 8: facilitated access to mutual aid is an arranged first contact, not a leaflet."""
    if support == "leaflet":
        raise RuleViolation(
            "R8",
            "a leaflet is not facilitated access to mutual aid: record the first contact "
            "arranged with the group",
            field="first_contact_support",
        )
    if not group.strip() or on is None or support not in supports:
        raise RuleViolation(
            "R8",
            "facilitated access to mutual aid records the arranged first contact: the group, "
            "the date and how it was supported",
            field="first_contact_group",
        )
    if on < started_on:
        raise RuleViolation(
            "INVALID",
            f"first_contact_on: {uk(on)} is before the intervention started",
            field="first_contact_on",
        )


OFFERABLE_KINDS = {"intervention", "focus", "national_definition"}
REASON_NEEDED = {"declined", "deferred"}


def check_offer(
    *,
    code: str,
    kind: str | None,
    offered: bool,
    on: dt.date,
    referral_date: dt.date,
    discharged_on: dt.date | None,
    today: dt.date,
    answer: str,
    answers: set[str],
    reason: str,
) -> None:
    """An offer names an intervention the catalogue offers, on a day of the episode, with
    the client's answer; a decline or a deferral says why (QS6 tells "offered and declined"
    from "not offered")."""
    if kind is None or not offered:
        raise RuleViolation(
            "R3", f"intervention: '{code}' is not offered in the catalogue", field="intervention"
        )
    if kind not in OFFERABLE_KINDS:
        raise RuleViolation(
            "R3", f"intervention: '{code}' is not an intervention", field="intervention"
        )
    if on > today:
        raise RuleViolation("INVALID", f"on: {uk(on)} is in the future", field="on")
    if on < referral_date or (discharged_on is not None and on > discharged_on):
        raise RuleViolation("EPISODE", f"on: {uk(on)} is not a day of the episode", field="on")
    if answer not in answers:
        raise RuleViolation(
            "INVALID", f"answer: choose one of {', '.join(sorted(answers))}", field="answer"
        )
    if answer in REASON_NEEDED and not reason.strip():
        raise RuleViolation("INVALID", f"reason: say why the client {answer} it", field="reason")
