"""Rules 2 (reintegration work), 5 (a technique is not a structured intervention) and 9 (the
minimum content of a keywork session, and a next appointment): pure checks over plain values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import TYPE_CHECKING

from keywork.core.errors import RuleViolation, invalid

if TYPE_CHECKING:
    from keywork.sessions.actions import SessionContent

TOPIC_KINDS = {"topic"}
TECHNIQUE_KINDS = {"technique", "mapping_tool"}
INTERVENTION_KINDS = {"intervention", "focus", "keyworking_element", "national_definition"}


MINIMUM = (
    ("care_plan_work", "care-plan work (agreeing it, or checking progress against milestones)"),
    ("information_advice", "information and advice given"),
    ("harm_reduction", "harm reduction work"),
    ("motivational_work", "motivational work"),
)


def check_minimum_content(content: SessionContent, *, care_plan_choices: set[str]) -> None:
    missing = [label for name, label in MINIMUM if not str(getattr(content, name)).strip()]
    if not content.topics:
        missing.append("at least one topic covered")
    if missing:
        raise RuleViolation(
            "R9", "an attended session records its minimum content; missing: " + "; ".join(missing)
        )
    if content.care_plan_work not in care_plan_choices:
        raise RuleViolation(
            "R9",
            f"care-plan work '{content.care_plan_work}' is not one of "
            f"{', '.join(sorted(care_plan_choices))}",
            field="care_plan_work",
        )


def check_entry_kinds(content: SessionContent, kinds: dict[str, str]) -> None:
    """Each code is in the catalogue and recorded in its place: topics as topics, techniques
    and mapping tools as techniques, interventions as interventions."""
    for name, allowed in (
        ("topics", TOPIC_KINDS),
        ("techniques", TECHNIQUE_KINDS),
        ("interventions", INTERVENTION_KINDS),
    ):
        for code in getattr(content, name):
            kind = kinds.get(code)
            if kind is None:
                raise RuleViolation(
                    "INVALID", f"{name}: '{code}' is not offered in the catalogue", field=name
                )
            if name == "interventions" and kind in TECHNIQUE_KINDS:
                raise RuleViolation(
                    "R5",
                    f"'{code}' is a technique used inside a session: record it under techniques; "
                    "it never counts as a structured intervention",
                    field=name,
                )
            if kind not in allowed:
                raise RuleViolation(
                    "INVALID", f"{name}: '{code}' belongs under {_place(kind)}", field=name
                )


def _place(kind: str) -> str:
    if kind in TOPIC_KINDS:
        return "topics"
    if kind in TECHNIQUE_KINDS:
        return "techniques"
    if kind in INTERVENTION_KINDS:
        return "interventions"
    return "another record (it is not part of a session)"


GROUP_TITLE_MAX = 120
GROUP_MINUTES = (15, 480)  # a quarter of an hour to a working day


def check_group(
    *,
    title: str,
    weeks: int,
    duration_minutes: int,
    facilitators_in_team: bool,
    clients_in_team: bool,
) -> None:
    if not title.strip():
        raise RuleViolation("INVALID", "title: a group session has a name", field="title")
    if len(title) > GROUP_TITLE_MAX:
        raise invalid("title", f"at most {GROUP_TITLE_MAX} characters")
    shortest, longest = GROUP_MINUTES
    if not shortest <= duration_minutes <= longest:
        raise invalid("duration_minutes", f"a group runs from {shortest} to {longest} minutes")
    if not 1 <= weeks <= 52:
        raise RuleViolation("INVALID", "weeks: book from 1 to 52 weekly sessions", field="weeks")
    if not facilitators_in_team:
        raise RuleViolation(
            "INVALID", "facilitators: one or more keyworkers of this team", field="facilitators"
        )
    if not clients_in_team:
        raise RuleViolation(
            "INVALID", "clients: invite clients with open episodes in this team", field="episodes"
        )


def check_outcome_time(*, outcome: str, starts_at: dt.datetime, now: dt.datetime) -> None:
    if outcome in ("attended", "did_not_attend") and starts_at > now:
        raise RuleViolation(
            "R9", "a session that has not happened yet cannot be attended or missed"
        )


def check_next_appointment(
    *,
    next_at: dt.datetime | None,
    session_at: dt.datetime,
    discharging: bool,
    already_booked: bool = False,
) -> None:
    if next_at is None:
        if not (discharging or already_booked):
            raise RuleViolation(
                "R9",
                "an attended session books the next appointment, unless one is already booked "
                "or the client is being discharged",
                field="next_appointment",
            )
        return
    if next_at <= session_at:
        raise RuleViolation(
            "R9", "the next appointment must be after this session", field="next_appointment"
        )


def check_reintegration(content: SessionContent, phases: dict[str, set[str]]) -> None:
    """Reintegration work (rule 2) runs alongside every phase and beyond discharge: it records
    what was done, and each topic and intervention is one listed for Reintegration."""
    listed = (*content.topics, *content.interventions)
    if not listed:
        raise RuleViolation(
            "R2",
            "reintegration work records at least one topic or intervention listed for "
            "Reintegration",
            field="topics",
        )
    for code in listed:
        if "reintegration" not in phases.get(code, set()):
            raise RuleViolation(
                "R2",
                f"'{code}' is not listed for Reintegration: record it in a keywork session",
                field="interventions" if code in content.interventions else "topics",
            )
    if not content.notes.strip():
        raise RuleViolation("INVALID", "notes: say what was done", field="notes")


def check_not_recorded(*, outcome: str, in_error: bool) -> None:
    if in_error:
        raise RuleViolation("R13", "this entry is marked entered in error; record a new one")
    if outcome != "scheduled":
        raise RuleViolation(
            "R13",
            "this session's outcome is already recorded: amend its notes with a reason, or "
            "mark it entered in error",
        )


def check_move(
    *,
    kind: str,
    outcome: str,
    in_error: bool,
    reason: str,
    moved_to: dt.datetime,
    now: dt.datetime,
) -> None:
    """A booked one-to-one moves, with a reason, to a time still to come."""
    check_not_recorded(outcome=outcome, in_error=in_error)
    if kind != "one_to_one":
        raise invalid("session", "only a one-to-one appointment moves here; a group moves as one")
    if not reason.strip():
        raise invalid("reason", "say why the appointment moves")
    if moved_to <= now:
        raise invalid("moved_to", "move it to a time still to come")


def check_cancellation(*, by: str, reason: str, choices: Collection[str]) -> None:
    if by not in choices:
        raise invalid("by", "say who called it off: the client or the service")
    if not reason.strip():
        raise invalid("reason", "say why the appointment was cancelled")


def check_amendment(*, reason: str, old: str, new: str) -> None:
    if not reason.strip():
        raise RuleViolation("R13", "say why the notes are being amended", field="reason")
    if old == new:
        raise RuleViolation("R13", "the amended notes are the same as before", field="notes")
