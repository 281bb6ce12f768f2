"""The only writers of clients, episodes, allocations and phase moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from keywork.access.models import Team, Worker
from keywork.access.rules import check_real_reason
from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.catalogue.models import Entry, Phase
from keywork.clients import hooks, policies, rules
from keywork.clients.models import (
    Allocation,
    BreakGlass,
    Client,
    Contact,
    DetailsChange,
    Episode,
    ExitReason,
    InjectingStatus,
    PhaseChange,
    ProblemSubstance,
    Route,
    Sex,
)
from keywork.core.actors import Actor, user_or_none
from keywork.core.dates import age_on, today, uk
from keywork.core.errors import AccessDenied, RuleViolation, invalid
from keywork.core.inputs import Note, Reason, about, version
from keywork.core.records import check_version, lock
from keywork.core.validation import refuse_invalid
from keywork.core.writes import action

Verb = AuditEvent.Verb


def _step(phase: Phase) -> rules.PhaseStep:
    return rules.PhaseStep(phase.code, phase.name, phase.order, phase.in_sequence)


def _phase(code: str) -> Phase:
    phase = Phase.objects.filter(code=code, retired_at__isnull=True).first()
    if phase is None:
        raise invalid("phase", f"'{code}' is not a phase in the catalogue")
    return phase


def _check_keyworker(worker: Worker, team: Team) -> None:
    rules.check_keyworker(
        name=worker.name,
        active=worker.active,
        practitioner=worker.is_practitioner,
        same_service=worker.service_id == team.service_id,
    )


def episode_version(episode: Episode) -> int:
    """How many changes of keyworker, phase and discharge the episode has had: the version a
    form or an import line read it at (each change adds a row, so it only ever grows)."""
    allocations = Allocation.objects.filter(episode=episode).count()
    moves = PhaseChange.objects.filter(episode=episode).count()
    return allocations + moves + (episode.discharged_on is not None)


def hold_episode(episode: Episode, expected_version: int | None = None) -> None:
    """Queue behind any other change to the episode (its row is held to the end of the
    action), read it afresh, and refuse a change made to an older version of it."""
    lock(episode)
    if expected_version is None:
        return
    check_version(
        expected=expected_version,
        current=episode_version(episode),
        what=f"{episode.client}'s keyworker, phase or discharge",
        theirs=lambda: {
            "Keyworker": episode.keyworker.name,
            "Phase": episode.phase.name,
            "Discharged": uk(episode.discharged_on) or "No",
        },
    )


@dataclass(frozen=True, kw_only=True)
class SubstanceUse:
    """A problem substance as recorded at triage: catalogue code, route, age of first use."""

    code: str = about("the substance (a catalogue `sub.*` code)", line="substance")
    route: str = about("how it is taken", choices=Route)
    age_first_used: int | None = about("the age the client first used it", default=None)


@dataclass(frozen=True, kw_only=True)
class RegisterClientInput:
    """A new client: who they are and how to reach them."""

    local_id: str = about("the service's own client id, unique")
    given_name: str = about("given name")
    family_name: str = about("family name")
    date_of_birth: dt.date = about("date of birth, in the past")
    sex: str = about("sex as recorded for the national return", choices=Sex)
    preferred_name: str = about("the name they like to be called", default="")
    nhs_number: str = about("the NHS number, 10 digits (its check digit is checked)", default="")
    address: str = about("their address", default="")
    postcode: str = about("their postcode", default="")
    postcode_district: str = about(
        "the first half of the postcode (taken from the postcode when given)", default=""
    )
    phone: str = about("a number to reach them", default="")
    email: str = about("an email address", default="")
    contact_by: str = about("how they would rather be contacted", default="", choices=Contact)
    gp_practice: str = about("their GP practice", default="")
    next_of_kin: str = about("next of kin or emergency contact: who", default="")
    next_of_kin_phone: str = about("their number", default="")
    consents_to_national_reporting: bool | None = about(
        "consent to the national return (none: not asked yet)", default=None
    )
    consent_recorded_on: dt.date | None = about(
        "the day consent was given or refused (with the consent)", default=None
    )
    consents_to_sharing: bool | None = about(
        "consent to share with other agencies in their care (none: not asked yet)", default=None
    )
    sharing_consent_on: dt.date | None = about(
        "the day that consent was given or refused (with it)", default=None
    )
    not_a_duplicate: bool = about(
        "someone else of the same name and date of birth is registered: this is not them",
        default=False,
    )
    is_synthetic: bool = about("synthetic (test or demo) data, not a real person", default=False)


DETAILS = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "nhs_number",
    "address",
    "postcode",
    "phone",
    "email",
    "contact_by",
    "gp_practice",
    "next_of_kin",
    "next_of_kin_phone",
    "consents_to_national_reporting",
    "consent_recorded_on",
    "consents_to_sharing",
    "sharing_consent_on",
)


def _check_details(actor: Actor, client: Client) -> None:
    """What a client's details keep, at registration and at every change."""
    if client.date_of_birth >= today():
        raise invalid("date_of_birth", f"{uk(client.date_of_birth)} is not in the past")
    client.nhs_number = rules.nhs_number(client.nhs_number)
    if client.nhs_number:
        same = Client.objects.filter(nhs_number=client.nhs_number).exclude(pk=client.pk).first()
        if same is not None:
            raise invalid(
                "nhs_number", f"NHS number {client.nhs_number} {_registered(actor, same)}"
            )
    if client.consents_to_national_reporting is not None and client.consent_recorded_on is None:
        raise invalid("consent_recorded_on", "record the date consent was given or refused")
    if client.consents_to_sharing is not None and client.sharing_consent_on is None:
        raise invalid("sharing_consent_on", "record the date consent to share was given or refused")
    if client.postcode:
        client.postcode = rules.postcode(client.postcode)
        client.postcode_district = client.postcode.split()[0]
    client.postcode_district = client.postcode_district.upper().strip()


def _registered(actor: Actor, other: Client) -> str:
    """Who already has it, named only to someone who may see them."""
    if policies.clients_visible_to(actor).filter(pk=other.pk).exists():
        return f"is already registered to {other.name} ({other.local_id})"
    return "is already registered, on records you cannot see: ask your service manager"


def _check_not_duplicate(actor: Actor, given: RegisterClientInput) -> None:
    same = Client.objects.filter(
        given_name__iexact=given.given_name.strip(),
        family_name__iexact=given.family_name.strip(),
        date_of_birth=given.date_of_birth,
    ).first()
    if same is not None and not given.not_a_duplicate:
        raise invalid(
            "not_a_duplicate",
            f"a client of the same name and date of birth {_registered(actor, same)}; "
            "if this is someone else, say so",
        )


@action
def register_client(*, actor: Actor, given: RegisterClientInput) -> Client:
    """Register a new client of the service: who they are and how to reach them."""
    registrar = policies.worker_of(actor)
    if registrar is None or not policies.registers_clients(actor):
        raise AccessDenied("only keyworkers, team leaders and service managers register clients")
    if Client.objects.filter(local_id=given.local_id).exists():
        raise invalid("local_id", f"client id '{given.local_id}' is already in use")
    if given.local_id.strip().lower() == "new" or "/" in given.local_id:
        raise invalid("local_id", f"'{given.local_id}' cannot be a client id")
    client = Client(
        local_id=given.local_id,
        postcode_district=given.postcode_district,
        is_synthetic=given.is_synthetic,
        registered_service_id=registrar.service_id,
        registered_team_id=registrar.team_id,
        **{name: getattr(given, name) for name in DETAILS},
    )
    _check_details(actor, client)
    _check_not_duplicate(actor, given)
    refuse_invalid(client)
    client.save()
    trail.record(actor=actor, verb=Verb.CREATE, client=client, obj=client)
    return client


@dataclass(frozen=True, kw_only=True)
class UpdateClientDetailsInput:
    """The details that change (left out or null: as they are); each change is kept."""

    given_name: str | None = about("given name", default=None)
    family_name: str | None = about("family name", default=None)
    preferred_name: str | None = about("the name they like to be called", default=None)
    date_of_birth: dt.date | None = about("date of birth", default=None)
    sex: str | None = about("sex", default=None, choices=Sex)
    nhs_number: str | None = about("the NHS number", default=None)
    address: str | None = about("their address", default=None)
    postcode: str | None = about("their postcode", default=None)
    phone: str | None = about("a number to reach them", default=None)
    email: str | None = about("an email address", default=None)
    contact_by: str | None = about("how they would rather be contacted", default=None)
    gp_practice: str | None = about("their GP practice", default=None)
    next_of_kin: str | None = about("next of kin or emergency contact", default=None)
    next_of_kin_phone: str | None = about("their number", default=None)
    consents_to_national_reporting: bool | None = about(
        "consent to the national return", default=None
    )
    consent_recorded_on: dt.date | None = about("the day of that consent", default=None)
    consents_to_sharing: bool | None = about("consent to share with other agencies", default=None)
    sharing_consent_on: dt.date | None = about("the day of that consent", default=None)


@action
def update_client_details(
    *, actor: Actor, client: Client, given: UpdateClientDetailsInput
) -> DetailsChange | None:
    """Change a client's details; what each was is kept (None when nothing changed)."""
    if not policies.can_change_details(actor, client):
        raise AccessDenied("only the client's team changes their details")
    lock(client)
    changes = {
        name: value
        for name, value in vars(given).items()
        if value is not None and value != getattr(client, name)
    }
    before = {name: getattr(client, name) for name in changes}
    for name, value in changes.items():
        setattr(client, name, value)
    _check_details(actor, client)
    refuse_invalid(client)
    kept = {name: [_said(before[name]), _said(getattr(client, name))] for name in changes}
    kept = {name: pair for name, pair in kept.items() if pair[0] != pair[1]}
    if not kept:
        return None
    client.save()
    change = DetailsChange.objects.create(
        client=client, changes=kept, changed_by=user_or_none(actor)
    )
    trail.record(
        actor=actor, verb=Verb.CHANGE, client=client, obj=client, detail={"changed": sorted(kept)}
    )
    return change


def _said(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


@dataclass(frozen=True, kw_only=True)
class OpenEpisodeInput:
    """An episode of treatment: its team, first keyworker, phase and problem substances."""

    team: Team = about("the team that treats the client")
    referral_date: dt.date = about("the day of referral")
    keyworker: Worker = about("the first named keyworker, a practitioner in the service")
    substances: Sequence[SubstanceUse] = about("one to three problem substances, main first")
    referral_source: str = about("who referred the client", default="")
    triage_date: dt.date | None = about("the day of triage", default=None)
    care_plan_start_date: dt.date | None = about("the day the care plan started", default=None)
    injecting_status: str = about(
        "injecting status", default=InjectingStatus.DECLINED, choices=InjectingStatus
    )
    phase: str = about("the treatment phase it starts in (a catalogue code)", default="engagement")
    reason: str = about("why it starts in that phase", default="Start of treatment")


@action
def open_episode(*, actor: Actor, client: Client, given: OpenEpisodeInput) -> Episode:
    """Open an episode in the team's service with its first keyworker, phase and problem
    substances. A client returning to treatment gets a new episode linked to the last one."""
    if not policies.can_register_client(actor, given.team):
        raise AccessDenied(f"you cannot open episodes for team {given.team.name}")
    lock(client)  # two openings at once queue, and the second finds the first
    open_here = Episode.objects.filter(
        client=client, service_id=given.team.service_id, discharged_on__isnull=True
    )
    if open_here.exists():
        raise RuleViolation(
            "EPISODE",
            f"{client} already has an open episode in this service; discharge it first",
        )
    if given.referral_date > today():
        raise invalid("referral_date", f"{uk(given.referral_date)} is in the future")
    if given.triage_date is not None and given.triage_date < given.referral_date:
        raise invalid("triage_date", "cannot be before the referral date")
    if given.care_plan_start_date is not None and given.care_plan_start_date < given.referral_date:
        raise invalid("care_plan_start_date", "cannot be before the referral date")
    if given.injecting_status not in InjectingStatus.values:
        raise invalid("injecting_status", f"'{given.injecting_status}' is not an injecting status")
    catalogue = {e.code: e for e in Entry.objects.offered().filter(kind=Entry.Kind.SUBSTANCE)}
    rules.check_substances(
        list(given.substances),
        known=set(catalogue),
        routes=set(Route.values),
        age_now=age_on(client.date_of_birth, given.referral_date),
    )
    _check_keyworker(given.keyworker, given.team)
    start = _phase(given.phase)
    rules.check_starting_phase(_step(start))
    previous = (
        Episode.objects.filter(client=client, service_id=given.team.service_id)
        .order_by("-discharged_on", "-referral_date", "-pk")
        .first()
    )
    episode = Episode.objects.create(
        client=client,
        service_id=given.team.service_id,
        team=given.team,
        referral_date=given.referral_date,
        referral_source=given.referral_source,
        triage_date=given.triage_date,
        care_plan_start_date=given.care_plan_start_date,
        injecting_status=given.injecting_status,
        phase=start,
        keyworker=given.keyworker,
        previous_episode=previous,
    )
    ProblemSubstance.objects.bulk_create(
        ProblemSubstance(
            episode=episode,
            rank=rank,
            substance=catalogue[use.code],
            route=use.route,
            age_first_used=use.age_first_used,
        )
        for rank, use in enumerate(given.substances, start=1)
    )
    started = given.triage_date or given.referral_date
    decided_by = user_or_none(actor)
    Allocation.objects.create(
        episode=episode,
        worker=given.keyworker,
        started_on=started,
        reason="First keyworker",
        decided_by=decided_by,
    )
    PhaseChange.objects.create(
        episode=episode,
        to_phase=start,
        changed_on=started,
        reason=given.reason,
        decided_by=decided_by,
    )
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        client=client,
        obj=episode,
        detail={"keyworker": given.keyworker.user.username, "phase": start.code},
    )
    return episode


@dataclass(frozen=True, kw_only=True)
class DischargeInput:
    """The end of an episode: when and why."""

    on: dt.date = about("the day of discharge")
    exit_reason: str = about("why treatment ended", default="", choices=ExitReason)
    note: str = about("a note on the discharge", default="")
    expected_version: int | None = version()


@dataclass(frozen=True, kw_only=True)
class TriageInput:
    """The day of triage, when treatment starts: an episode referred and waiting for triage
    is not yet in treatment (the QS6 denominator counts from it)."""

    on: dt.date = about("the day of triage")


@action
def record_triage(*, actor: Actor, episode: Episode, given: TriageInput) -> Episode:
    """Record the triage of an episode opened while the client waited for it."""
    if not policies.can_work_with(actor, episode):
        raise AccessDenied("only the client's team records their triage")
    hold_episode(episode)
    rules.check_triage(
        episode_open=episode.is_open,
        triaged_on=episode.triage_date,
        on=given.on,
        referral_date=episode.referral_date,
        today=today(),
    )
    episode.triage_date = given.on
    episode.save(update_fields=["triage_date"])
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=episode.client,
        obj=episode,
        detail={"triaged_on": given.on.isoformat()},
    )
    return episode


@action
def discharge(*, actor: Actor, episode: Episode, given: DischargeInput) -> Episode:
    """Close the episode with its date and exit reason. Its keyworker and phase stay on the
    record as they were on the day of discharge; appointments booked after it are cancelled
    by the service (the sessions app's part: keywork/clients/hooks.py)."""
    if not (policies.can_work_with(actor, episode) or policies.can_allocate(actor, episode)):
        raise AccessDenied("only the client's team can discharge them")
    hold_episode(episode, given.expected_version)
    last_move = episode.phase_changes.order_by("-changed_on").values_list("changed_on", flat=True)
    last_allocation = episode.allocations.order_by("-started_on").values_list(
        "started_on", flat=True
    )
    rules.check_discharge(
        episode_open=episode.is_open,
        on=given.on,
        not_before=max(
            [
                episode.referral_date,
                *last_move[:1],
                *last_allocation[:1],
                *hooks.latest_activity(episode),
            ]
        ),
        today=today(),
        exit_reason=given.exit_reason,
        exit_reasons=set(ExitReason.values),
    )
    episode.discharged_on, episode.exit_reason, episode.discharge_note = (
        given.on,
        given.exit_reason,
        given.note,
    )
    episode.save(update_fields=["discharged_on", "exit_reason", "discharge_note"])
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=episode.client,
        obj=episode,
        detail={
            "on": given.on.isoformat(),
            "exit_reason": given.exit_reason,
            **hooks.discharged(actor, episode, given.on),
        },
    )
    return episode


@dataclass(frozen=True, kw_only=True)
class AllocateKeyworkerInput:
    """A new named keyworker, from a day, and why."""

    worker: Worker = about("the new keyworker, a practitioner in the service", line="keyworker")
    on: dt.date = about("the first day of the new keyworker")
    reason: str = about("why the keyworker changes", default="")
    expected_version: int | None = version()


@action
def allocate_keyworker(
    *, actor: Actor, episode: Episode, given: AllocateKeyworkerInput
) -> Allocation:
    """Change the named keyworker (rule 1); the previous allocation ends the same day."""
    if not policies.can_allocate(actor, episode):
        raise AccessDenied("only the team leader or the service manager changes a keyworker")
    hold_episode(episode, given.expected_version)
    current = Allocation.objects.get(episode=episode, ended_on__isnull=True)
    rules.check_reallocation(
        current=current.worker.name,
        new=given.worker.name,
        on=given.on,
        current_since=current.started_on,
        today=today(),
        reason=given.reason,
        episode_open=episode.is_open,
    )
    _check_keyworker(given.worker, episode.team)
    current.ended_on = given.on
    current.save(update_fields=["ended_on"])
    allocation = Allocation.objects.create(
        episode=episode,
        worker=given.worker,
        started_on=given.on,
        reason=given.reason,
        decided_by=user_or_none(actor),
    )
    episode.keyworker = given.worker
    episode.save(update_fields=["keyworker"])
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=episode.client,
        obj=allocation,
        detail={"from": current.worker.user.username, "to": given.worker.user.username},
    )
    return allocation


@dataclass(frozen=True, kw_only=True)
class MovePhaseInput:
    """A move to another treatment phase, on a day, and why."""

    to: str = about("the phase moved to (a catalogue code)")
    on: dt.date = about("the day of the move")
    reason: str = about("why the client moves phase", default="")
    expected_version: int | None = version()


@action
def move_phase(*, actor: Actor, episode: Episode, given: MovePhaseInput) -> PhaseChange:
    """Move the client's phase forward or back (rule 2), with the date, who and why."""
    if not (policies.can_work_with(actor, episode) or policies.can_allocate(actor, episode)):
        raise AccessDenied("only the client's team can move their phase")
    hold_episode(episode, given.expected_version)
    target = _phase(given.to)
    phases = [_step(p) for p in Phase.objects.filter(retired_at__isnull=True)]
    last = episode.phase_changes.order_by("-changed_on", "-id").first()
    rules.check_phase_move(
        current=_step(episode.phase),
        target=_step(target),
        phases=phases,
        on=given.on,
        last_change_on=last.changed_on if last else episode.referral_date,
        today=today(),
        reason=given.reason,
        episode_open=episode.is_open,
    )
    change = PhaseChange.objects.create(
        episode=episode,
        from_phase=episode.phase,
        to_phase=target,
        changed_on=given.on,
        reason=given.reason,
        decided_by=user_or_none(actor),
    )
    episode.phase = target
    episode.save(update_fields=["phase"])
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=episode.client,
        obj=change,
        detail={"from": change.from_phase.code if change.from_phase else None, "to": target.code},
    )
    return change


# Break-glass ------------------------------------------------------------------------------


@action
def break_glass(*, actor: Actor, client: Client, given: Reason) -> BreakGlass:
    """Open, in an emergency, the record of a client of the service outside the worker's
    scope: read only, for KEYWORK_BREAK_GLASS_HOURS, with a reason the service manager will
    review."""
    worker = policies.worker_of(actor)
    if worker is None or not policies.can_break_glass(actor, client):
        raise AccessDenied("break-glass access is to clients of your own service")
    if policies.clients_in_scope(actor).filter(pk=client.pk).exists():
        raise RuleViolation("ACCESS", "you can open this record already", field="reason")
    check_real_reason(
        given.reason, code="ACCESS", field="reason", what="you need this record outside your team"
    )
    assert worker.service_id is not None  # can_break_glass
    hours = settings.KEYWORK_BREAK_GLASS_HOURS
    grant = BreakGlass.objects.create(
        worker=worker,
        client=client,
        service_id=worker.service_id,
        reason=given.reason.strip(),
        ends_at=timezone.now() + dt.timedelta(hours=hours),
    )
    trail.record(
        actor=actor,
        verb=Verb.BREAK_GLASS,
        client=client,
        obj=grant,
        detail={"reason": grant.reason, "hours": hours},
    )
    return grant


@action
def review_break_glass(*, actor: Actor, grant: BreakGlass, given: Note) -> BreakGlass:
    """The service manager signs off a break-glass access, saying what they found."""
    reviewer = policies.worker_of(actor)
    if reviewer is None or not policies.can_review_access(actor, grant.service_id):
        raise AccessDenied("break-glass access is reviewed by the service manager")
    lock(grant)
    if grant.reviewed_at is not None:
        raise RuleViolation("ACCESS", "this access has been reviewed already", field="note")
    if not given.note.strip():
        raise invalid("note", "say what the review found")
    grant.reviewed_at, grant.reviewed_by, grant.review_note = timezone.now(), reviewer, given.note
    grant.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    trail.record(
        actor=actor, verb=Verb.CHANGE, client=grant.client,
        obj=grant, detail={"note": given.note},
    )  # fmt: skip
    return grant
