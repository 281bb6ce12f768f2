"""A refusal reads as a plain sentence on a page: no internal field name, the rule as a small
reference at the end; the import and the commands keep the code and the field's name."""

import re

import pytest

from keywork.core.errors import AccessDenied, RuleViolation, invalid


def test_a_field_refusal_drops_the_internal_name_and_reads_as_a_sentence():
    error = invalid("first_on", "the first check-up comes after the discharge (10/11/2026)")
    assert (
        str(error) == "INVALID: first_on: the first check-up comes after the discharge (10/11/2026)"
    )
    assert error.shown == "The first check-up comes after the discharge (10/11/2026)."


def test_a_rule_is_a_reference_at_the_end_not_the_first_word():
    error = RuleViolation("R10", "every action on the care plan has an owner", field="actions")
    assert error.shown == "Every action on the care plan has an owner. (rule 10)"
    assert AccessDenied("you may not see this client.").shown == "You may not see this client."


def test_the_forms_own_name_for_a_field_is_dropped_too():
    error = RuleViolation("INVALID", "clients: invite clients with open episodes", field="episodes")
    assert error.says("clients") == "Invite clients with open episodes."


@pytest.mark.django_db
def test_no_form_shows_a_field_name_in_its_summary(client, personas):
    client.force_login(personas.mi_keyworker.user)
    response = client.post(
        "/clients/T0001/care-plan/new/", {"agreed_on": "2026-01-01", "agreed_how": ""}
    )
    summary = response.content.decode().split('id="error-summary"')[1].split("</div>")[0]
    summary = re.sub(r"<[^>]*>", "", summary)  # the words shown, not the links' targets
    assert "agreed_how" not in summary and "Say how the client agreed the plan." in summary
