"""A client arrives in the browser: registered with their details (an NHS number's check
digit checked, duplicates found by NHS number or by name and date of birth), their episode
opened, their details changed with what they were kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from keywork.audit.models import AuditEvent
from keywork.catalogue.models import Entry
from keywork.clients import actions
from keywork.clients.models import Client, DetailsChange

pytestmark = pytest.mark.django_db

VALID_NHS = "943 476 5919"  # a check digit that matches (9)
FORM = "/clients/new/"


def details(**changes: Any) -> dict[str, Any]:
    data = {
        "local_id": "N0100",
        "given_name": "Robin",
        "family_name": "Newcome",
        "date_of_birth": "1988-04-12",
        "sex": "not_stated",
        "nhs_number": VALID_NHS,
        "address": "4 Mill Lane\nNorthbrook",
        "postcode": "ts1 2ab",
        "phone": "07700 900456",
        "contact_by": "text",
        "gp_practice": "Riverside Surgery",
        "next_of_kin": "Jo Newcome (sister)",
        "next_of_kin_phone": "07700 900789",
        "consents_to_national_reporting": "yes",
        "consent_recorded_on": "2026-11-20",
        "consents_to_sharing": "no",
        "sharing_consent_on": "2026-11-20",
    }
    data.update(changes)
    return data


def test_a_client_is_registered_in_the_browser_then_their_episode_opened(client, personas):
    client.force_login(personas.mi_keyworker.user)
    response = client.post(FORM, details())
    assert response.status_code == 302 and response["Location"] == "/clients/N0100/episodes/new/"
    made = Client.objects.get(local_id="N0100")
    assert made.nhs_number == "9434765919" and made.postcode == "TS1 2AB"
    assert made.postcode_district == "TS1" and made.consents_to_sharing is False
    assert AuditEvent.objects.filter(what="register_client", verb="create").exists()
    waiting = client.get("/clients/N0100/").content.decode()
    assert 'href="/clients/N0100/episodes/new/"' in waiting and "9434765919" not in waiting
    page = client.get("/clients/N0100/episodes/new/").content.decode()
    assert "Main problem substance" in page
    heroin = Entry.objects.get(code="sub.heroin")
    response = client.post(
        "/clients/N0100/episodes/new/",
        {
            "team": personas.team.pk,
            "keyworker": personas.mi_keyworker.pk,
            "referral_date": "2026-11-23",
            "referral_source": "GP",
            "triage_date": "",
            "injecting_status": "never",
            "substance_1": heroin.pk,
            "route_1": "smoke",
            "substance_2": "",
            "route_2": "",
            "substance_3": "",
            "route_3": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    episode = made.episodes.get()
    assert episode.keyworker == personas.mi_keyworker and episode.substances.count() == 1
    record = client.get("/clients/N0100/").content.decode()
    assert 'href="tel:07700900456"' in record and "Riverside Surgery" in record


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"nhs_number": "943 476 5918"}, "nhs_number", "its check digit is wrong"),
        ({"nhs_number": "12345"}, "nhs_number", "it has 10 digits"),
        ({"postcode": "nowhere"}, "postcode", "is not a UK postcode"),
        ({"consent_recorded_on": ""}, "consent_recorded_on", "Record the date consent"),
    ],
)
def test_bad_details_are_refused_on_their_field_and_nothing_is_saved(
    client, personas, changes, field, says
):
    client.force_login(personas.mi_keyworker.user)
    response = client.post(FORM, details(**changes))
    assert response.status_code == 200
    assert says in str(response.context["form"].errors.get(field))
    assert not Client.objects.filter(local_id="N0100").exists()


def test_a_duplicate_is_found_by_nhs_number_or_by_name_and_date_of_birth(client, personas):
    client.force_login(personas.mi_keyworker.user)
    assert client.post(FORM, details()).status_code == 302
    again = client.post(FORM, details(local_id="N0101"))
    assert "is already registered to Robin Newcome (N0100)" in str(
        again.context["form"].errors["nhs_number"]
    )
    twin = details(local_id="N0102", nhs_number="")
    refused = client.post(FORM, twin).context["form"].errors["not_a_duplicate"]
    assert "same name and date of birth is already registered" in str(refused)
    assert client.post(FORM, {**twin, "not_a_duplicate": "on"}).status_code == 302
    assert Client.objects.filter(family_name="Newcome").count() == 2


def test_details_change_with_what_they_were_kept(client, personas):
    client.force_login(personas.mi_keyworker.user)
    url = "/clients/T0001/details/"
    form = client.get(url).context["form"]
    data = {
        k: ("" if v is None else v.isoformat() if isinstance(v, dt.date) else v)
        for k, v in form.initial.items()
    }
    assert client.post(url, {**data, "phone": "07700 900999"}).status_code == 302
    change = DetailsChange.objects.get(client=personas.client)
    assert change.changes == {"phone": [personas.client.phone, "07700 900999"]}
    assert "now “07700 900999”" in client.get(url).content.decode()
    assert (
        actions.update_client_details(
            actor=personas.mi_keyworker.user,
            client=Client.objects.get(pk=personas.client.pk),
            given=actions.UpdateClientDetailsInput(phone="07700 900999"),
        )
        is None
    )  # nothing changed: nothing kept


def test_only_those_who_register_clients_see_the_form(client, personas):
    client.force_login(personas.commissioner.user)
    assert client.get(FORM).status_code == 404
    client.force_login(personas.other_keyworker.user)
    assert client.get("/clients/T0001/details/").status_code == 404


def test_a_refused_form_sums_up_every_problem_at_the_top_with_links(client, personas):
    client.force_login(personas.mi_keyworker.user)
    page = client.post(FORM, details(given_name="", date_of_birth="32/13/1990")).content.decode()
    summary = page[
        page.index('id="error-summary"') : page.index("</div>", page.index('id="error-summary"'))
    ]
    assert "There are 2 problems" in summary
    assert 'href="#field-given_name"' in summary and 'href="#field-date_of_birth"' in summary
    assert 'id="field-date_of_birth"' in page and "keywork/forms.js" in page


def test_search_finds_anyone_the_user_may_see_by_name_birth_nhs_number_or_id(client, personas):
    actions.update_client_details(
        actor=personas.mi_keyworker.user,
        client=personas.client,
        given=actions.UpdateClientDetailsInput(nhs_number=VALID_NHS),
    )
    client.force_login(personas.mi_keyworker.user)
    born = personas.client.date_of_birth
    for asked in ("sam synth", "T0001", "9434765919", "943 476 5919", f"{born:%d/%m/%Y}"):
        page = client.get("/search/", {"q": asked}).content.decode()
        assert 'href="/clients/T0001/"' in page, asked
    assert "No one on the records you can see" in client.get("/search/?q=zzz").content.decode()
    client.force_login(personas.other_keyworker.user)
    assert 'href="/clients/T0001/"' not in client.get("/search/?q=T0001").content.decode()
    assert AuditEvent.objects.filter(what="search", verb="view").exists()


def test_search_lists_those_found_by_name_whatever_their_case(personas):
    from keywork.overview.queries import find_clients

    for n, (given, family) in enumerate(
        (("Cal", "Dean"), ("Bea", "De Souza"), ("amy", "de souza"))
    ):
        actions.register_client(
            actor=personas.mi_keyworker.user,
            given=actions.RegisterClientInput(
                local_id=f"T09{n}",
                given_name=given,
                family_name=family,
                date_of_birth=dt.date(1990, 1, 1),
                sex="female",
            ),
        )
    found = find_clients(personas.mi_keyworker.user, "de")
    assert [(c.given_name, c.family_name) for c in found] == [
        ("amy", "de souza"),
        ("Bea", "De Souza"),
        ("Cal", "Dean"),
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
def test_on_postgresql_the_names_searched_have_trigram_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'clients_client'")
        names = {row[0] for row in cursor.fetchall()}
    wanted = {f"clients_client_{n}_trgm" for n in ("family_name", "given_name", "preferred_name")}
    assert wanted | {"clients_client_local_id_upper"} <= names


def test_not_found_and_not_allowed_pages_are_keyworks_own(client, personas):
    from django.template.loader import render_to_string

    client.force_login(personas.mi_keyworker.user)
    missing = client.get("/clients/NOPE/")
    page = missing.content.decode()
    assert missing.status_code == 404 and "<h1>Not found</h1>" in page
    assert "favicon.svg" in page and "Back to the caseload" in page
    assert "Something went wrong" in render_to_string("500.html")  # with no request at all
    assert "<h1>Not allowed</h1>" in render_to_string("403.html")


def test_the_team_view_opens_each_keyworkers_caseload_chosen_from_a_list(client, personas):
    client.force_login(personas.team_leader.user)
    team = client.get("/team/").content.decode()
    username = personas.mi_keyworker.user.username
    assert f"?scope=team&amp;keyworker={username}" in team
    page = client.get("/", {"scope": "team", "keyworker": username}).content.decode()
    assert f'<option value="{username}" selected>' in page and "Sam Synthetic" in page
    other = client.get("/", {"scope": "team", "keyworker": "kit.plain"}).content.decode()
    assert "Sam Synthetic" not in other
