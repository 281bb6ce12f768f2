"""Query expressions the apps share."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Exists, Func


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


class Unindexed(Func):
    """A column SQLite is not to look rows up by: `+column` there, the column elsewhere.
    SQLite's planner: "Terms of the WHERE clause can be manually disqualified for use with
    indexes by prepending a unary + operator to the column name" (sqlite.org/optoverview.html).
    Asked which of an episode's problem substances are drugs, SQLite looked up each of the
    18 drugs in the (episode, substance) index, one episode at a time, where reading the
    episode's one or two substances and testing each is the faster: a month's QS6
    denominator at 30,000 clients, 47 ms against 27."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra)


class Unwalked(Func):
    """A text column to order by that the database sorts, not walks an index on: `column ||
    ''`, the same text in the same order. For a list of a few rows out of many: asked for a
    team's open episodes by their clients' names, PostgreSQL walked every client along the
    index on the family name until fifty of the team's came up, at 330,000 clients 47,326 of
    them (140 ms a page, where reading the team's 2,498 and sorting them takes 22)."""

    template = "(%(expressions)s || '')"
    output_field = CharField()
