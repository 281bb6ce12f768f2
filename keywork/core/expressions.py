"""Query expressions the apps share."""

from __future__ import annotations

from django.db.models import Exists


class Found(Exists):
    """Whether the subquery finds a row, for a column of a list shown a page at a time:
    `(SELECT 1 ... LIMIT 1) IS NOT NULL`, where Exists writes `EXISTS(...)`. The two mean
    the same, but PostgreSQL plans an EXISTS in a select list for every row the list could
    hold, not the page it returns, and may work it out as one hashed set over the whole
    table: at 30,000 clients, 180 ms of the team caseload's 230 went on two such sets
    (every attendance, every care-plan action) for a page of 50 (`EXPLAIN ANALYZE`). A
    scalar subquery it looks up for each row it returns, along the table's index. Where
    every row is counted (a workload, a dashboard's figures), Exists stays: there one
    hashed set can be the faster."""

    template = "(%(subquery)s) IS NOT NULL"
