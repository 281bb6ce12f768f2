"""The query expressions the apps share (keywork/core/expressions.py)."""

import pytest
from django.db.models import Exists, OuterRef

from keywork.catalogue.models import Entry
from keywork.core.expressions import Found

pytestmark = pytest.mark.django_db


def listed():
    """An entry's phases: some entries are listed for phases, some for none."""
    return Entry.phases.through.objects.filter(entry=OuterRef("pk"))


def test_found_answers_as_exists_does_as_a_column_a_filter_and_negated(catalogue):
    entries = Entry.objects.order_by("pk")
    as_column = dict(entries.annotate(f=Found(listed())).values_list("pk", "f"))
    assert as_column == dict(entries.annotate(f=Exists(listed())).values_list("pk", "f"))
    assert set(as_column.values()) == {True, False}  # both answers are asked
    found = set(entries.filter(Found(listed())).values_list("pk", flat=True))
    assert found == {pk for pk, f in as_column.items() if f}
    not_found = set(entries.filter(~Found(listed())).values_list("pk", flat=True))
    assert not_found == set(as_column) - found


def test_found_is_a_scalar_subquery_not_an_exists(catalogue):
    """What PostgreSQL looks up row by row for the rows it returns (see Found)."""
    sql = str(Entry.objects.annotate(f=Found(listed())).values("f").order_by().query)
    assert "EXISTS" not in sql
    assert sql.startswith('SELECT (SELECT 1 AS "a" FROM') and 'LIMIT 1) IS NOT NULL AS "f"' in sql
