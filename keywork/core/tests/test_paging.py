"""The lists' pages (keywork/core/paging.py): a list that is one page is read in one
query, its length the count; a longer one is counted as Django's paginator counts it."""

import pytest
from django.core.paginator import Paginator

from keywork.catalogue.models import Entry
from keywork.core.paging import Pages

pytestmark = pytest.mark.django_db


def entries():
    return Entry.objects.order_by("pk")


def test_a_list_of_one_page_is_read_in_one_query(catalogue, django_assert_num_queries):
    total = entries().count()
    with django_assert_num_queries(1):
        page = Pages(entries(), total + 5).get_page(None)
        assert len(page) == page.paginator.count == total
        assert page.paginator.num_pages == 1 and not page.has_next()


def test_a_longer_list_shows_its_first_page_and_counts_all_of_it(
    catalogue, django_assert_num_queries
):
    total, first = entries().count(), list(entries()[:10])
    with django_assert_num_queries(2):
        page = Pages(entries(), 10).get_page("1")
        assert list(page) == first
        assert page.paginator.count == total and page.has_next()


@pytest.mark.parametrize("asked", ["2", "9999", "not a number", "0"])
def test_any_other_page_is_the_page_djangos_paginator_gives(catalogue, asked):
    ours, django = Pages(entries(), 10).get_page(asked), Paginator(entries(), 10).get_page(asked)
    assert (ours.number, list(ours)) == (django.number, list(django))


def test_a_list_exactly_one_page_long_is_one_page(catalogue):
    total = entries().count()
    page = Pages(entries(), total).get_page(None)
    assert (len(page), page.paginator.count, page.has_next()) == (total, total, False)
