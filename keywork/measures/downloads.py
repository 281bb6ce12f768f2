"""A report's result as a download (CSV, JSON, FHIR), for the page and the command alike;
showing who is behind the numbers is audited as a read of each client's record."""

from __future__ import annotations

import json

from keywork.audit import trail
from keywork.clients.models import Client
from keywork.core.actors import Actor
from keywork.core.errors import AccessDenied
from keywork.measures import fhir
from keywork.measures.asked import sees_identities
from keywork.measures.framework import Result, Subject
from keywork.measures.output import as_csv, as_json
from keywork.measures.runs import subjects


def _audit_reads(actor: Actor, result: Result, clients: list[int]) -> None:
    """Showing who is behind the numbers is a read of each client's record."""
    if clients:
        trail.record_read(
            actor=actor,
            what=f"{result.measure.code} report",
            clients=[Client(pk=pk) for pk in clients],
        )


def audit_list(actor: Actor, result: Result, shown: list[Subject] | None = None) -> bool:
    """Audit the clients not counted that this user is shown (`shown`, else all of them), if
    they may see them; say whether."""
    identities = sees_identities(actor)
    if identities:
        listed = result.not_counted if shown is None else shown
        _audit_reads(actor, result, [row.client for row in listed])
    return identities


FHIR_JSON = "application/fhir+json"


FORMATS = ("json", "csv", "fhir", "fhir-subject-list")


def download(actor: Actor, result: Result, fmt: str) -> tuple[str, str]:
    """The result as (text, content type) in one of FORMATS. Those shown a client are
    audited as reads; the subject list names every client, so a commissioner is refused it."""
    identities = sees_identities(actor)
    if fmt == "fhir":
        return json.dumps(fhir.report(result), indent=2), FHIR_JSON
    if fmt == "fhir-subject-list":
        if not identities:
            raise AccessDenied("the subject list names clients; you see the summary report")
        listed = subjects(result)
        _audit_reads(actor, result, [row.client for row in listed])
        return json.dumps(fhir.report(result, listed), indent=2), FHIR_JSON
    audit_list(actor, result)
    if fmt == "csv":
        return as_csv(result, identities=identities), "text/csv"
    return json.dumps(as_json(result, identities=identities), indent=2), "application/json"
