"""Writing the national return for a month, and checking it before it is sent. What is sent
about a client is audited as a read of their record."""

from __future__ import annotations

import csv
import datetime as dt
import re
from typing import TextIO

from keywork.access.models import Service
from keywork.audit import trail
from keywork.clients import policies
from keywork.core.actors import Actor
from keywork.core.dates import check_plausible
from keywork.core.errors import AccessDenied, invalid
from keywork.exports.ndtms import in_use
from keywork.exports.ndtms.dataset import Extract, Month, Problem


def month_of(text: str) -> Month:
    if not re.fullmatch(r"\d{4}-\d{2}", text or ""):
        raise invalid("--month", f"'{text}' is not a month: give it as YYYY-MM")
    try:
        first = dt.date(int(text[:4]), int(text[5:]), 1)
    except ValueError:
        raise invalid("--month", f"'{text}' is not a month: give it as YYYY-MM") from None
    check_plausible(first, field="--month")
    return Month(first)


def extract(actor: Actor, service: Service, month: Month) -> Extract:
    """Every record of the month, in order; refused to anyone but the service's manager."""
    if not policies.can_export_national_return(actor):
        raise AccessDenied("the national return is sent by the service manager")
    worker = policies.worker_of(actor)
    if worker is not None and worker.service_id != service.pk:
        raise AccessDenied("you send the national return of your own service only")
    return Extract(in_use(), month, service)


def write(actor: Actor, found: Extract, out: TextIO) -> int:
    """Write the CSV, each row as it is read; audit each client whose record it carries.
    Returns the rows written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(found.dataset.header)
    written = 0
    for record, row in found.rows():
        writer.writerow(found.dataset.written(record, row))
        written += 1
    _audit(actor, found)
    return written


def check(found: Extract) -> list[Problem]:
    return found.dataset.problems(found.rows())


def _audit(actor: Actor, found: Extract) -> None:
    """One audit row for the return, with every client whose record it carries listed by
    one INSERT ... SELECT (trail.record_list_read)."""
    what = f"national return {found.month}"
    trail.record_list_read(actor=actor, what=what, clients=found.clients(consented=True))
