"""The lists' pages. Django's paginator counts a list before it reads a page of it, which
is a second query (the list's whole statement again, as a count) on every page shown. Most
lists people open are one page (a keyworker's caseload, a team's clients awaiting a
keyworker), so the first page is read with one row more than it shows: when that row does
not come, the page is the whole list and its length is the count."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator


class Pages(Paginator):
    def get_page(self, number: Any) -> Page:
        if str(number or 1) != "1" or not self.allow_empty_first_page:
            return super().get_page(number)
        whole = self.per_page + self.orphans  # the most the first page may hold
        rows = list(self.object_list[: whole + 1])
        if len(rows) <= whole:
            self.__dict__["count"] = len(rows)  # Paginator.count is a cached_property
            return Page(rows, 1, self)
        return Page(rows[: self.per_page], 1, self)
