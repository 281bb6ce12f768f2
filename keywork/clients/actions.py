"""The only writers of clients, episodes, allocations and phase moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone

from keywork.access.models import Role, Team, Worker
from keywork.access.rules import check_real_reason
from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.catalogue.models import Entry, Phase
from keywork.clients import hooks, policies, rules
from keywork.clients.models import (
    Allocation,
    BreakGlass,
    Client,
    Episode,
    ExitReason,
    InjectingStatus,
    PhaseChange,
    ProblemSubstance,
    Route,
)
from keywork.core.actors import Actor, user_or_none
from keywork.core.dates import age_on, today, uk
from keywork.core.errors import AccessDenied, RuleViolation, invalid
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


@action
def register_client(
    *,
    actor: Actor,
    local_id: str,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    sex: str,
    preferred_name: str = "",
    postcode_district: str = "",
    phone: str = "",
    email: str = "",
    gp_practice: str = "",
    consents_to_national_reporting: bool | None = None,
    consent_recorded_on: dt.date | None = None,
    is_synthetic: bool = False,
) -> Client:
    registrar = policies.worker_of(actor)
    if registrar is None or registrar.role not in (
        Role.KEYWORKER,
        Role.TEAM_LEADER,
        Role.SERVICE_MANAGER,
    ):
        raise AccessDenied("only keyworkers, team leaders and service managers register clients")
    if Client.objects.filter(local_id=local_id).exists():
        raise invalid("local_id", f"client id '{local_id}' is already in use")
    if date_of_birth >= today():
        raise invalid("date_of_birth", f"{uk(date_of_birth)} is not in the past")
    if consents_to_national_reporting is not None and consent_recorded_on is None:
        raise invalid("consent_recorded_on", "record the date consent was given or refused")
    client = Client(
        local_id=local_id,
        given_name=given_name,
        family_name=family_name,
        preferred_name=preferred_name,
        date_of_birth=date_of_birth,
        sex=sex,
        postcode_district=postcode_district.upper().strip(),
        phone=phone,
        email=email,
        gp_practice=gp_practice,
        consents_to_national_reporting=consents_to_national_reporting,
        consent_recorded_on=consent_recorded_on,
        is_synthetic=is_synthetic,
        registered_service_id=registrar.service_id,
        registered_team_id=registrar.team_id,
    )
    refuse_invalid(client)
    client.save()
    trail.record(actor=actor, verb=Verb.CREATE, client=client, obj=client)
    return client


@action
def open_episode(
    *,
    actor: Actor,
    client: Client,
    team: Team,
    referral_date: dt.date,
    keyworker: Worker,
    substances: Sequence[rules.SubstanceUse],
    referral_source: str = "",
    triage_date: dt.date | None = None,
    care_plan_start_date: dt.date | None = None,
    injecting_status: str = InjectingStatus.DECLINED,
    phase: str = "engagement",
    reason: str = "Start of treatment",
) -> Episode:
    """Open an episode in the team's service with its first keyworker, phase and problem
    substances. A client returning to treatment gets a new episode linked to the last one."""
    if not policies.can_register_client(actor, team):
        raise AccessDenied(f"you cannot open episodes for team {team.name}")
    lock(client)  # two openings at once queue, and the second finds the first
    open_here = Episode.objects.filter(
        client=client, service_id=team.service_id, discharged_on__isnull=True
    )
    if open_here.exists():
        raise RuleViolation(
            "EPISODE",
            f"{client} already has an open episode in this service; discharge it first",
        )
    if referral_date > today():
        raise invalid("referral_date", f"{uk(referral_date)} is in the future")
    if triage_date is not None and triage_date < referral_date:
        raise invalid("triage_date", "cannot be before the referral date")
    if care_plan_start_date is not None and care_plan_start_date < referral_date:
        raise invalid("care_plan_start_date", "cannot be before the referral date")
    if injecting_status not in InjectingStatus.values:
        raise invalid("injecting_status", f"'{injecting_status}' is not an injecting status")
    catalogue = {e.code: e for e in Entry.objects.offered().filter(kind=Entry.Kind.SUBSTANCE)}
    rules.check_substances(
        list(substances),
        known=set(catalogue),
        routes=set(Route.values),
        age_now=age_on(client.date_of_birth, referral_date),
    )
    _check_keyworker(keyworker, team)
    start = _phase(phase)
    rules.check_starting_phase(_step(start))
    previous = (
        Episode.objects.filter(client=client, service_id=team.service_id)
        .order_by("-discharged_on", "-referral_date", "-pk")
        .first()
    )
    episode = Episode.objects.create(
        client=client,
        service_id=team.service_id,
        team=team,
        referral_date=referral_date,
        referral_source=referral_source,
        triage_date=triage_date,
        care_plan_start_date=care_plan_start_date,
        injecting_status=injecting_status,
        phase=start,
        keyworker=keyworker,
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
        for rank, use in enumerate(substances, start=1)
    )
    started = triage_date or referral_date
    decided_by = user_or_none(actor)
    Allocation.objects.create(
        episode=episode,
        worker=keyworker,
        started_on=started,
        reason="First keyworker",
        decided_by=decided_by,
    )
    PhaseChange.objects.create(
        episode=episode, to_phase=start, changed_on=started, reason=reason, decided_by=decided_by
    )
    trail.record(
        actor=actor,
        verb=Verb.CREATE,
        client=client,
        obj=episode,
        detail={"keyworker": keyworker.user.username, "phase": start.code},
    )
    return episode


@action
def discharge(
    *,
    actor: Actor,
    episode: Episode,
    on: dt.date,
    exit_reason: str,
    note: str = "",
    expected_version: int | None = None,
) -> Episode:
    """Close the episode with its date and exit reason. Its keyworker and phase stay on the
    record as they were on the day of discharge; appointments booked after it are cancelled
    by the service (the sessions app's part: keywork/clients/hooks.py)."""
    if not (policies.can_work_with(actor, episode) or policies.can_allocate(actor, episode)):
        raise AccessDenied("only the client's team can discharge them")
    hold_episode(episode, expected_version)
    last_move = episode.phase_changes.order_by("-changed_on").values_list("changed_on", flat=True)
    last_allocation = episode.allocations.order_by("-started_on").values_list(
        "started_on", flat=True
    )
    rules.check_discharge(
        episode_open=episode.is_open,
        on=on,
        not_before=max(
            [
                episode.referral_date,
                *last_move[:1],
                *last_allocation[:1],
                *hooks.latest_activity(episode),
            ]
        ),
        today=today(),
        exit_reason=exit_reason,
        exit_reasons=set(ExitReason.values),
    )
    episode.discharged_on, episode.exit_reason, episode.discharge_note = on, exit_reason, note
    episode.save(update_fields=["discharged_on", "exit_reason", "discharge_note"])
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=episode.client,
        obj=episode,
        detail={
            "on": on.isoformat(),
            "exit_reason": exit_reason,
            **hooks.discharged(actor, episode, on),
        },
    )
    return episode


@action
def allocate_keyworker(
    *,
    actor: Actor,
    episode: Episode,
    worker: Worker,
    on: dt.date,
    reason: str,
    expected_version: int | None = None,
) -> Allocation:
    """Change the named keyworker (rule 1); the previous allocation ends the same day."""
    if not policies.can_allocate(actor, episode):
        raise AccessDenied("only the team leader or the service manager changes a keyworker")
    hold_episode(episode, expected_version)
    current = Allocation.objects.get(episode=episode, ended_on__isnull=True)
    rules.check_reallocation(
        current=current.worker.name,
        new=worker.name,
        on=on,
        current_since=current.started_on,
        today=today(),
        reason=reason,
        episode_open=episode.is_open,
    )
    _check_keyworker(worker, episode.team)
    current.ended_on = on
    current.save(update_fields=["ended_on"])
    allocation = Allocation.objects.create(
        episode=episode, worker=worker, started_on=on, reason=reason, decided_by=user_or_none(actor)
    )
    episode.keyworker = worker
    episode.save(update_fields=["keyworker"])
    trail.record(
        actor=actor,
        verb=Verb.CHANGE,
        client=episode.client,
        obj=allocation,
        detail={"from": current.worker.user.username, "to": worker.user.username},
    )
    return allocation


@action
def move_phase(
    *,
    actor: Actor,
    episode: Episode,
    to: str,
    on: dt.date,
    reason: str,
    expected_version: int | None = None,
) -> PhaseChange:
    """Move the client's phase forward or back (rule 2), with the date, who and why."""
    if not (policies.can_work_with(actor, episode) or policies.can_allocate(actor, episode)):
        raise AccessDenied("only the client's team can move their phase")
    hold_episode(episode, expected_version)
    target = _phase(to)
    phases = [_step(p) for p in Phase.objects.filter(retired_at__isnull=True)]
    last = episode.phase_changes.order_by("-changed_on", "-id").first()
    rules.check_phase_move(
        current=_step(episode.phase),
        target=_step(target),
        phases=phases,
        on=on,
        last_change_on=last.changed_on if last else episode.referral_date,
        today=today(),
        reason=reason,
        episode_open=episode.is_open,
    )
    change = PhaseChange.objects.create(
        episode=episode,
        from_phase=episode.phase,
        to_phase=target,
        changed_on=on,
        reason=reason,
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
def break_glass(*, actor: Actor, client: Client, reason: str) -> BreakGlass:
    """Open, in an emergency, the record of a client of the service outside the worker's
    scope: read only, for KEYWORK_BREAK_GLASS_HOURS, with a reason the service manager will
    review."""
    worker = policies.worker_of(actor)
    if worker is None or not policies.can_break_glass(actor, client):
        raise AccessDenied("break-glass access is to clients of your own service")
    if policies.clients_in_scope(actor).filter(pk=client.pk).exists():
        raise RuleViolation("ACCESS", "you can open this record already", field="reason")
    check_real_reason(
        reason, code="ACCESS", field="reason", what="you need this record outside your team"
    )
    assert worker.service_id is not None  # can_break_glass
    hours = settings.KEYWORK_BREAK_GLASS_HOURS
    grant = BreakGlass.objects.create(
        worker=worker,
        client=client,
        service_id=worker.service_id,
        reason=reason.strip(),
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
def review_break_glass(*, actor: Actor, grant: BreakGlass, note: str) -> BreakGlass:
    """The service manager signs off a break-glass access, saying what they found."""
    reviewer = policies.worker_of(actor)
    if reviewer is None or not policies.can_review_access(actor, grant.service_id):
        raise AccessDenied("break-glass access is reviewed by the service manager")
    lock(grant)
    if grant.reviewed_at is not None:
        raise RuleViolation("ACCESS", "this access has been reviewed already", field="note")
    if not note.strip():
        raise invalid("note", "say what the review found")
    grant.reviewed_at, grant.reviewed_by, grant.review_note = timezone.now(), reviewer, note
    grant.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    trail.record(
        actor=actor, verb=Verb.CHANGE, client=grant.client,
        obj=grant, detail={"note": note},
    )  # fmt: skip
    return grant
