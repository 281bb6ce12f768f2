"""Import lines for clients and episodes; each calls the action the web form calls."""

from __future__ import annotations

from keywork.access.models import Team, Worker
from keywork.clients import actions, policies, queries
from keywork.clients.models import Client, Episode
from keywork.clients.rules import SubstanceUse
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import Fields, importer


def client_of(actor: Actor, fields: Fields) -> Client:
    local_id = fields.text("client")
    client = policies.clients_visible_to(actor).filter(local_id=local_id).first()
    if client is None:
        raise invalid("client", f"no client '{local_id}' on the records you can see")
    return client


def open_episode_of(actor: Actor, fields: Fields) -> Episode:
    client = client_of(actor, fields)
    episode = policies.episodes_visible_to(actor).filter(client=client, discharged_on=None).first()
    if episode is None:
        raise invalid("client", f"'{client.local_id}' has no open episode you can see")
    return episode


def worker(fields: Fields, name: str) -> Worker:
    username = fields.text(name)
    found = Worker.objects.select_related("user", "team").filter(user__username=username).first()
    if found is None:
        raise invalid(name, f"no worker '{username}'")
    return found


def latest_episode_of(actor: Actor, fields: Fields) -> Episode:
    """The client's open episode, or else the one discharged last."""
    client = client_of(actor, fields)
    episode = queries.latest_episode(client)
    if episode is None:
        raise invalid("client", f"'{client.local_id}' has no episode")
    return episode


@importer("register_client")
def register_client(actor: Actor, f: Fields) -> object:
    return actions.register_client(
        actor=actor,
        local_id=f.text("local_id"),
        given_name=f.text("given_name"),
        family_name=f.text("family_name"),
        preferred_name=f.text("preferred_name", ""),
        date_of_birth=f.date("date_of_birth"),
        sex=f.text("sex"),
        postcode_district=f.text("postcode_district", ""),
        phone=f.text("phone", ""),
        email=f.text("email", ""),
        gp_practice=f.text("gp_practice", ""),
        consents_to_national_reporting=f.flag("consents_to_national_reporting"),
        consent_recorded_on=f.optional_date("consent_recorded_on"),
    )


def team_of(fields: Fields) -> Team:
    code = fields.text("team")
    team = Team.objects.filter(code=code).first()
    if team is None:
        raise invalid("team", f"no team with code '{code}'")
    return team


def workers(fields: Fields, name: str) -> list[Worker]:
    usernames = fields.texts(name)
    found = {
        w.user.username: w
        for w in Worker.objects.select_related("user").filter(user__username__in=usernames)
    }
    missing = [u for u in usernames if u not in found]
    if missing:
        raise invalid(name, f"no worker {', '.join(repr(u) for u in missing)}")
    return [found[u] for u in usernames]


@importer("open_episode")
def open_episode(actor: Actor, f: Fields) -> object:
    return actions.open_episode(
        actor=actor,
        client=client_of(actor, f),
        team=team_of(f),
        referral_date=f.date("referral_date"),
        referral_source=f.text("referral_source", ""),
        triage_date=f.optional_date("triage_date"),
        care_plan_start_date=f.optional_date("care_plan_start_date"),
        injecting_status=f.text("injecting_status", "declined"),
        keyworker=worker(f, "keyworker"),
        substances=[
            SubstanceUse(s.text("substance"), s.text("route"), s.optional_number("age_first_used"))
            for s in f.records("substances")
        ],
        phase=f.text("phase", "engagement"),
    )


@importer("allocate_keyworker")
def allocate_keyworker(actor: Actor, f: Fields) -> object:
    return actions.allocate_keyworker(
        actor=actor,
        episode=open_episode_of(actor, f),
        worker=worker(f, "keyworker"),
        on=f.date("on"),
        reason=f.text("reason", ""),
        expected_version=f.optional_number("version"),
    )


@importer("move_phase")
def move_phase(actor: Actor, f: Fields) -> object:
    return actions.move_phase(
        actor=actor,
        episode=open_episode_of(actor, f),
        to=f.text("to"),
        on=f.date("on"),
        reason=f.text("reason", ""),
        expected_version=f.optional_number("version"),
    )


@importer("discharge")
def discharge(actor: Actor, f: Fields) -> object:
    return actions.discharge(
        actor=actor,
        episode=open_episode_of(actor, f),
        on=f.date("on"),
        exit_reason=f.text("exit_reason", ""),
        note=f.text("note", ""),
        expected_version=f.optional_number("version"),
    )
