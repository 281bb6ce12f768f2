"""What every version of the national dataset is made of: record types with their items
(the column headers are the item codes), the code lists that turn our values into the
dataset's codes, and the problems a pre-submission check finds, each naming the record and
the item."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from keywork.access.models import Service
from keywork.clients.models import Client, Episode
from keywork.core.dates import add_months

Row = dict[str, Any]  # item code -> value; keys starting "_" are context, never written


FINANCIAL_YEAR_STARTS = 4  # April: the year the national figures are published by


@dataclass(frozen=True)
class Month:
    """The reporting period: a month, or, year to date, from the first day of the financial
    year to the end of a month (`through`)."""

    first: dt.date
    through: dt.date | None = None

    @property
    def last(self) -> dt.date:
        return add_months(self.through or self.first, 1) - dt.timedelta(days=1)

    def year_to_date(self) -> Month:
        year = self.first.year - (self.first.month < FINANCIAL_YEAR_STARTS)
        return Month(dt.date(year, FINANCIAL_YEAR_STARTS, 1), through=self.first)

    def __str__(self) -> str:
        if self.through is None:
            return f"{self.first:%Y-%m}"
        return f"{self.first:%Y-%m} to {self.through:%Y-%m}"


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    required: bool = False
    codes: Mapping[str, str] | None = None  # our value -> the dataset's code


@dataclass(frozen=True)
class Record:
    code: str  # written in the RECTYPE column
    label: str
    key: str  # the item that identifies one record of this type
    items: tuple[Item, ...]

    def item(self, code: str) -> Item:
        return next(i for i in self.items if i.code == code)


@dataclass(frozen=True)
class Problem:
    record: str
    key: str
    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.record} {self.key} {self.item}: {self.message}"


@dataclass
class Extract:
    """One month's return: its rows, read from the database as they are written (never all
    held at once), and the clients it carries."""

    dataset: Dataset
    month: Month
    service: Service

    def rows(self) -> Iterator[tuple[Record, Row]]:
        return self.dataset.rows(self.month, self.service)

    def clients(self, *, consented: bool) -> QuerySet[Client]:
        """The clients with a record in the return: with consent, all of it; without, the
        client record alone (agency, client id and consent)."""
        episodes = self.dataset.episodes(self.month, self.service)
        found = Client.objects.filter(Exists(episodes.filter(client=OuterRef("pk"))))
        if consented:
            return found.filter(consents_to_national_reporting=True)
        return found.exclude(consents_to_national_reporting=True)


class Dataset(ABC):
    version: str
    date_format: str
    records: tuple[Record, ...]
    client_record: Record  # one a client; without consent, the only one sent about them

    @cached_property
    def header(self) -> list[str]:
        """RECTYPE, then every item of every record type once, in the order first met."""
        seen: dict[str, None] = {"RECTYPE": None}
        for record in self.records:
            seen.update(dict.fromkeys(i.code for i in record.items))
        return list(seen)

    @cached_property
    def _columns(self) -> dict[str, list[tuple[int, str, Mapping[str, str] | None]]]:
        """For each record type, where each of its items goes in a line, and its code list."""
        where = {code: n for n, code in enumerate(self.header)}
        return {r.code: [(where[i.code], i.code, i.codes) for i in r.items] for r in self.records}

    @abstractmethod
    def episodes(self, month: Month, service: Service) -> QuerySet[Episode]:
        """The episodes the month's return carries."""

    @abstractmethod
    def rows(self, month: Month, service: Service) -> Iterator[tuple[Record, Row]]:
        """Every record of the month, the consent gate applied."""

    @abstractmethod
    def problems(self, rows: Iterable[tuple[Record, Row]]) -> list[Problem]:
        """What would be refused on submission, each with the record and the item."""

    def written(self, record: Record, row: Row) -> list[str]:
        """The record's line, each of its items in its column and the rest empty: yes/no as
        Y/N, dates in the dataset's format, decimals without trailing zeros, and through the
        item's code list where it has one. Every value of a return passes here (700,000 a
        month at 30,000 clients), so a value's type picks its form in one comparison."""
        cells = [""] * len(self.header)
        cells[0] = record.code
        form = self.date_format
        for n, code, codes in self._columns[record.code]:
            value = row.get(code)
            if value is None:
                continue
            kind = type(value)
            if kind is bool:
                cells[n] = "Y" if value else "N"
                continue
            if kind is dt.date:
                cells[n] = _date(value, form)
                continue
            text = value if kind is str else _text(value, form)
            # Unknown values go as given; the check says so.
            cells[n] = text if codes is None else codes.get(text, text)
        return cells


@lru_cache(maxsize=4096)
def _date(value: dt.date, form: str) -> str:
    """A month's return writes the same few hundred dates tens of thousands of times."""
    return value.strftime(form)


def _text(value: Any, date_format: str) -> str:
    """Any other value: bool cannot be subclassed, so only these are left."""
    if isinstance(value, dt.date):  # a datetime
        return value.strftime(date_format)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def required(record: Record, row: Row) -> Iterable[Problem]:
    for item in record.items:
        if item.required and row.get(item.code) in (None, ""):
            yield Problem(record.code, row[record.key], item.code, f"{item.label} is required")


def coded(record: Record, row: Row) -> Iterable[Problem]:
    for item in record.items:
        value = row.get(item.code)
        if item.codes is None or value in (None, ""):
            continue
        if str(value) not in item.codes:
            yield Problem(
                record.code,
                row[record.key],
                item.code,
                f"'{value}' has no code in the dataset's list for {item.label.lower()}",
            )
