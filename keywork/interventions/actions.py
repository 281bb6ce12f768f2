"""The only writers of intervention records: start one, count a session towards it, end it,
amend it with a reason, mark it entered in error."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.utils import timezone

from keywork.access.models import Worker
from keywork.access.queries import check_competent
from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.audit.trail import mark_in_error_and_audit
from keywork.careplans.actions import check_reason_for
from keywork.careplans.queries import named_in, plan_in_force
from keywork.catalogue import rules as catalogue_rules
from keywork.catalogue.models import Entry
from keywork.clients import policies
from keywork.clients.models import Episode
from keywork.core.actors import Actor, user_or_none
from keywork.core.dates import today
from keywork.core.errors import AccessDenied, RuleViolation
from keywork.core.inputs import Reason, about, version
from keywork.core.records import (
    check_version,
    lock,
    refuse_if_in_error,
)
from keywork.core.writes import action
from keywork.interventions import rules
from keywork.interventions.models import (
    Amendment,
    Answer,
    Exit,
    FirstContactSupport,
    Intervention,
    Offer,
    Setting,
)
from keywork.interventions.rules import Period
from keywork.prescribing.models import Prescription
from keywork.sessions.models import Attendance, KeyworkSession, Outcome

Verb = AuditEvent.Verb


@dataclass(frozen=True, kw_only=True)
class FirstContact:
    """Facilitated access to mutual aid: the first contact arranged with a group."""

    group: str = about("the mutual aid group", default="")
    on: dt.date | None = about("the day of the first contact", default=None)
    support: str = about(
        "how it was arranged (a leaflet is refused)", default="", choices=FirstContactSupport
    )


@dataclass(frozen=True, kw_only=True)
class InterventionInput:
    """An intervention: which, where, who delivers it, and (once ended) how it ended."""

    code: str = about("the intervention (a catalogue code)", line="intervention")
    setting: str = about("where it is delivered", default="community", choices=Setting)
    started_on: dt.date = about("the day it started")
    practitioner: Worker | None = about(
        "who delivers it (or `agency`); competent for it that day", default=None
    )
    agency: str = about("the other agency that delivers it (or `practitioner`)", default="")
    planned_sessions: int | None = about(
        "sessions planned: at least 2 for a structured psychosocial intervention, which must "
        "be named on a goal of the care plan in force when it starts",
        default=None,
    )
    ended_on: dt.date | None = about("the day it ended", default=None)
    exit: str = about("how it ended (with ended_on)", default="", choices=Exit)
    notes: str = about("notes", default="")
    first_contact: FirstContact | None = about(
        "for facilitated access to mutual aid, the first contact", default=None
    )


@dataclass(frozen=True, kw_only=True)
class AmendInterventionInput(InterventionInput):
    """The intervention as it should read, and why it changes; what it was is kept."""

    reason: str = about("why it changes", default="")
    expected_version: int | None = version()


def as_amendment(
    given: InterventionInput, *, reason: str, expected_version: int | None = None
) -> AmendInterventionInput:
    """An intervention as it should read, with the reason for the change."""
    return AmendInterventionInput(**vars(given), reason=reason, expected_version=expected_version)


def national_group(entry: Entry) -> str:
    """The national category it is reported under (a Skills Framework entry names its
    national definition with reports_as)."""
    return entry.reports_as.group if entry.reports_as is not None else entry.group


def settings_of(entry: Entry) -> list[str]:
    """The settings it is delivered in, if the catalogue names them: those of its national
    definition, or (residential and community rehabilitation) one per definition it is
    returned as."""
    by_setting = entry.attributes.get("settings")
    if by_setting:
        return [s for s in Setting.values if s in by_setting]  # the dataset's order
    required = (entry.reports_as or entry).attributes.get("setting")
    return [required] if required else []


def _entry(code: str) -> Entry:
    found = Entry.objects.select_related("reports_as", "tier", "parent").filter(code=code).first()
    rules.check_recordable(
        code=code,
        kind=found.kind if found else None,
        offered=bool(found and found.offered),
        group=national_group(found) if found else "",
    )
    assert found is not None
    catalogue_rules.check_not_medical(
        name=found.name, attributes=found.attributes, field="intervention"
    )
    return found


def _may_record(actor: Actor, episode: Episode) -> None:
    if not policies.can_work_with(actor, episode):
        raise AccessDenied("only keyworkers in the client's team record its interventions")


def _periods(episode: Episode, groups: set[str], exclude: int | None) -> list[Period]:
    """The client's recorded interventions (every episode) in these national groups."""
    found = Intervention.objects.filter(
        episode__client_id=episode.client_id, entered_in_error_at=None
    ).select_related("entry__reports_as")
    if exclude is not None:
        found = found.exclude(pk=exclude)
    periods = [
        Period(i.entry.name, i.started_on, i.ended_on)
        for i in found
        if national_group(i.entry) in groups
    ]
    if rules.STRUCTURED_PHARMACOLOGICAL in groups:
        prescribed = Prescription.objects.filter(
            episode__client_id=episode.client_id, entered_in_error_at=None
        ).select_related("medication")
        periods += [Period(p.medication.name, p.started_on, p.ended_on) for p in prescribed]
    return periods


def check_exclusive_with_other_structured(
    episode: Episode, name: str, started_on: dt.date, ended_on: dt.date | None
) -> None:
    """Rule 6 for a prescription: it cannot overlap other structured treatment."""
    rules.check_exclusive(
        Period(name, started_on, ended_on),
        _periods(episode, {rules.OTHER_STRUCTURED}, None),
        mine_is_other_structured=False,
    )


def _other_structured() -> Entry:
    return Entry.objects.get(group=rules.OTHER_STRUCTURED, kind="national_definition")


def _check(episode: Episode, entry: Entry, given: InterventionInput, exclude: int | None) -> None:
    """Every rule an intervention record keeps, for a new record or an amended one."""
    rules.check_delivery(has_practitioner=given.practitioner is not None, agency=given.agency)
    catalogue_rules.check_delivered_by(
        name=entry.name,
        attributes=entry.attributes,
        has_practitioner=given.practitioner is not None,
        field="practitioner",
    )
    rules.check_setting(
        setting=given.setting,
        settings=dict(Setting.choices),
        required=settings_of(entry),
        name=entry.name,
    )
    catalogue_rules.check_after_completion(
        name=entry.name,
        attributes=entry.attributes,
        completed=episode.completed,
        discharged_on=episode.discharged_on,
        day=given.started_on,
        field="intervention",
    )
    rules.check_period(
        started_on=given.started_on,
        ended_on=given.ended_on,
        exit=given.exit,
        exits=set(Exit.values),
        referral_date=episode.referral_date,
        discharged_on=episode.discharged_on,
        today=today(),
        after_completion=bool(entry.attributes.get("after_completion")) and episode.completed,
    )
    if given.practitioner is not None:
        if given.practitioner.service_id != episode.service_id:
            raise RuleViolation(
                "INVALID", "practitioner: not a worker of this service", field="practitioner"
            )
        check_competent(given.practitioner, entry, given.started_on)
    group = national_group(entry)
    if group == rules.STRUCTURED_PSYCHOSOCIAL:
        rules.check_structured(
            name=entry.name,
            planned_sessions=given.planned_sessions,
            named_in_plan=named_in(plan_in_force(episode, given.started_on), entry),
        )
    _check_recovery_support(episode, entry, given)
    _check_exclusive(episode, entry, group, given, exclude)


def _check_recovery_support(episode: Episode, entry: Entry, given: InterventionInput) -> None:
    """Rule 8: the need assessed and a goal in the plan; mutual aid's first contact."""
    check_reason_for(episode, entry, given.started_on, field="intervention")
    if entry.attributes.get("requires_first_contact"):
        contact = given.first_contact or FirstContact()
        rules.check_first_contact(
            group=contact.group,
            on=contact.on,
            support=contact.support,
            supports=set(FirstContactSupport.values),
            started_on=given.started_on,
        )


def _check_exclusive(
    episode: Episode, entry: Entry, group: str, given: InterventionInput, exclude: int | None
) -> None:
    other_structured = _other_structured()
    blocking = set(other_structured.attributes.get("cannot_overlap_groups", []))
    mine = Period(entry.name, given.started_on, given.ended_on)
    if group == rules.OTHER_STRUCTURED:
        rules.check_exclusive(
            mine, _periods(episode, blocking, exclude), mine_is_other_structured=True
        )
        plan = plan_in_force(episode, given.started_on)
        domains = set(plan.goals.values_list("domain", flat=True)) if plan else set()
        wanted = other_structured.attributes.get("care_plan_must_address", [])
        rules.check_other_structured_plan(
            missing=[
                rules.CARE_PLAN_AREAS[area][0]
                for area in wanted
                if not domains & rules.CARE_PLAN_AREAS[area][1]
            ],
            sessions_planned=_keywork_from(episode, given.started_on),
        )
    elif group in blocking:
        rules.check_exclusive(
            mine,
            _periods(episode, {rules.OTHER_STRUCTURED}, exclude),
            mine_is_other_structured=False,
        )


def _keywork_from(episode: Episode, day: dt.date) -> bool:
    """A keywork session held or booked on or after the day."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return Attendance.objects.filter(
        episode=episode,
        entered_in_error_at=None,
        outcome__in=(Outcome.SCHEDULED, Outcome.ATTENDED),
        session__kind__in=(KeyworkSession.Kind.ONE_TO_ONE, KeyworkSession.Kind.GROUP),
        session__starts_at__gte=start,
    ).exists()


@action
def start_intervention(*, actor: Actor, episode: Episode, given: InterventionInput) -> Intervention:
    """Record an intervention on the episode (rules 3 to 6); it may be recorded already
    ended, with its exit."""
    _may_record(actor, episode)
    entry = _entry(given.code)
    _check(episode, entry, given, exclude=None)
    intervention = Intervention.objects.create(
        episode=episode,
        entry=entry,
        practitioner=given.practitioner,
        agency=given.agency.strip(),
        setting=given.setting,
        started_on=given.started_on,
        ended_on=given.ended_on,
        exit=given.exit,
        planned_sessions=given.planned_sessions,
        notes=given.notes,
        recorded_by=user_or_none(actor),
        **_first_contact_fields(given.first_contact),
    )
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        client=episode.client,
        obj=intervention,
        detail={"intervention": entry.code, "started_on": given.started_on.isoformat()},
    )
    return intervention


def _first_contact_fields(contact: FirstContact | None) -> dict[str, object]:
    if contact is None:
        return {}
    return {
        "first_contact_group": contact.group.strip(),
        "first_contact_on": contact.on,
        "first_contact_support": contact.support,
    }


def _live(intervention: Intervention) -> None:
    refuse_if_in_error(intervention, "intervention")


@action
def add_intervention_session(
    *, actor: Actor, intervention: Intervention, attendance: Attendance
) -> Intervention:
    """Count a session towards a structured intervention; its practitioner must have
    delivered it and been competent on the day (rule 4)."""
    episode = intervention.episode
    _may_record(actor, episode)
    _live(intervention)
    if national_group(intervention.entry) != rules.STRUCTURED_PSYCHOSOCIAL:
        raise RuleViolation(
            "R5",
            "sessions are counted only for structured psychosocial interventions",
            field="session",
        )
    day = timezone.localdate(attendance.session.starts_at)
    practitioner = intervention.practitioner
    rules.check_session(
        attended=attendance.outcome == Outcome.ATTENDED,
        in_error=attendance.in_error,
        same_episode=attendance.episode_id == episode.pk,
        with_practitioner=practitioner is not None
        and attendance.session.facilitators.filter(pk=practitioner.pk).exists(),
        day=day,
        started_on=intervention.started_on,
        ended_on=intervention.ended_on,
        already=intervention.sessions.filter(pk=attendance.pk).exists(),
    )
    assert practitioner is not None
    check_competent(practitioner, intervention.entry, day)
    intervention.sessions.add(attendance)
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=episode.client,
        obj=intervention,
        detail={"session_on": day.isoformat()},
    )
    return intervention


@dataclass(frozen=True, kw_only=True)
class EndInterventionInput:
    """The end of an intervention."""

    on: dt.date = about("the day it ended", line="ended_on")
    exit: str = about("how it ended", default="", choices=Exit)


@action
def end_intervention(
    *, actor: Actor, intervention: Intervention, given: EndInterventionInput
) -> Intervention:
    """Close the intervention with its end date and how it ended."""
    _may_record(actor, intervention.episode)
    _live(intervention)
    if intervention.ended_on is not None:
        raise RuleViolation(
            "R13", "this intervention has ended already: amend it with a reason to change that"
        )
    last = intervention.sessions.order_by("-session__starts_at").first()
    if last is not None and given.on < timezone.localdate(last.session.starts_at):
        raise RuleViolation(
            "INVALID",
            "ended_on: a session counted towards it is after that date",
            field="ended_on",
        )
    ended = replace(as_input(intervention), ended_on=given.on, exit=given.exit)
    _check(intervention.episode, intervention.entry, ended, exclude=intervention.pk)
    intervention.ended_on, intervention.exit = given.on, given.exit
    intervention.save(update_fields=["ended_on", "exit"])
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=intervention.episode.client,
        obj=intervention,
        detail={"ended_on": given.on.isoformat(), "exit": given.exit},
    )
    return intervention


def as_input(intervention: Intervention) -> InterventionInput:
    return InterventionInput(
        code=intervention.entry.code,
        setting=intervention.setting,
        started_on=intervention.started_on,
        practitioner=intervention.practitioner,
        agency=intervention.agency,
        planned_sessions=intervention.planned_sessions,
        ended_on=intervention.ended_on,
        exit=intervention.exit,
        notes=intervention.notes,
        first_contact=FirstContact(
            group=intervention.first_contact_group,
            on=intervention.first_contact_on,
            support=intervention.first_contact_support,
        )
        if intervention.first_contact_support
        else None,
    )


AMENDABLE = (
    "setting",
    "started_on",
    "practitioner",
    "agency",
    "planned_sessions",
    "ended_on",
    "exit",
    "notes",
    "first_contact",
)


def _shown(value: Any) -> Any:
    if isinstance(value, FirstContact):
        return f"{value.group}, {_shown(value.on)}, {value.support}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Worker):
        return value.name
    return value


def intervention_version(intervention: Intervention) -> int:
    """Every change the record has had: amendments, sessions counted, its end, in error."""
    amended = Amendment.objects.filter(intervention=intervention).count()
    counted = intervention.sessions.count()
    return amended + counted + (intervention.ended_on is not None) + intervention.in_error


@action
def amend_intervention(
    *,
    actor: Actor,
    intervention: Intervention,
    given: AmendInterventionInput,
) -> Amendment:
    """Change a recorded intervention with a reason; what it was is kept and shown (rule 13).
    The changed record keeps every rule a new one keeps."""
    _may_record(actor, intervention.episode)
    lock(intervention)
    if given.expected_version is not None:
        check_version(
            expected=given.expected_version,
            current=intervention_version(intervention),
            what="This intervention record",
            theirs=lambda: {k: str(_shown(v)) for k, v in vars(as_input(intervention)).items()},
        )
    _live(intervention)
    if given.code != intervention.entry.code:
        raise RuleViolation(
            "R13",
            "the intervention itself is not changed: mark this record entered in error and "
            "record the right one",
            field="intervention",
        )
    was = as_input(intervention)
    changes = {
        name: [_shown(getattr(was, name)), _shown(getattr(given, name))]
        for name in AMENDABLE
        if getattr(was, name) != getattr(given, name)
    }
    if not given.reason.strip():
        raise RuleViolation("R13", "say why the intervention is being amended", field="reason")
    if not changes:
        raise RuleViolation("R13", "nothing has changed", field="reason")
    _check(intervention.episode, intervention.entry, given, exclude=intervention.pk)
    for name in AMENDABLE[:-1]:
        setattr(intervention, name, getattr(given, name))
    for name, value in _first_contact_fields(given.first_contact).items():
        setattr(intervention, name, value)
    intervention.save()
    amendment = Amendment.objects.create(
        intervention=intervention,
        changes=changes,
        reason=given.reason,
        amended_by=user_or_none(actor),
    )
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=intervention.episode.client,
        obj=intervention,
        detail={"changes": changes, "reason": given.reason},
    )
    return amendment


@action
def mark_intervention_in_error(
    *, actor: Actor, intervention: Intervention, given: Reason
) -> Intervention:
    """A mistaken record stays, marked, and no longer counts (rule 13)."""
    _may_record(actor, intervention.episode)
    mark_in_error_and_audit(
        actor,
        intervention,
        what="intervention",
        client=intervention.episode.client,
        reason=given.reason,
    )
    return intervention


@dataclass(frozen=True, kw_only=True)
class OfferInput:
    """An intervention offered to the client, and their answer."""

    code: str = about("the intervention offered (a catalogue code)", line="intervention")
    on: dt.date = about("the day it was offered")
    offered_by: Worker = about("who offered it: a practitioner of the service")
    answer: str = about("the client's answer", choices=Answer)
    reason: str = about("why, when declined or deferred", default="")


@action
def record_offer(*, actor: Actor, episode: Episode, given: OfferInput) -> Offer:
    """Record an intervention offered and the client's answer (NICE QS6: "offered ... by
    their keyworker"), so that "offered and declined" is told from "not offered"."""
    _may_record(actor, episode)
    found = Entry.objects.filter(code=given.code).first()
    rules.check_offer(
        code=given.code,
        kind=found.kind if found else None,
        offered=bool(found and found.offered),
        on=given.on,
        referral_date=episode.referral_date,
        discharged_on=episode.discharged_on,
        today=today(),
        answer=given.answer,
        answers=set(Answer.values),
        reason=given.reason,
    )
    assert found is not None
    if given.offered_by.service_id != episode.service_id or not given.offered_by.is_practitioner:
        raise RuleViolation(
            "INVALID", "offered_by: not a practitioner of this service", field="offered_by"
        )
    offer = Offer.objects.create(
        episode=episode,
        entry=found,
        offered_on=given.on,
        offered_by=given.offered_by,
        answer=given.answer,
        reason=given.reason.strip(),
        recorded_by=user_or_none(actor),
    )
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        client=episode.client,
        obj=offer,
        detail={"intervention": found.code, "answer": given.answer},
    )
    return offer


@action
def mark_offer_in_error(*, actor: Actor, offer: Offer, given: Reason) -> Offer:
    """A mistaken offer stays, marked, and no longer counts (rule 13)."""
    _may_record(actor, offer.episode)
    mark_in_error_and_audit(
        actor, offer, what="offer", client=offer.episode.client, reason=given.reason
    )
    return offer
