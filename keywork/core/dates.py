"""UK dates: what people type and read (31/01/2026), and the ISO dates commands take."""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils import timezone

from keywork.core.errors import invalid

UK_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d")

# The dates keywork accepts anywhere: a birth, a referral, a session or a report's period.
# A year like 9999 is a slip of the keyboard, and a date after it could not even be counted.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)


def today() -> dt.date:
    return timezone.localdate()


def uk(value: dt.date | None) -> str:
    """31/01/2026, the way UK services write a date."""
    return value.strftime("%d/%m/%Y") if value else ""


def uk_long(value: dt.date | None) -> str:
    """31 January 2026, for letters and summaries."""
    return f"{value.day} {value:%B %Y}" if value else ""


def parse_date(text: str, *, field: str) -> dt.date:
    """Read a date written as 31/01/2026 or 2026-01-31; refuse anything else by field name."""
    cleaned = text.strip()
    for fmt in UK_FORMATS:
        try:
            day = dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
        check_plausible(day, field=field)
        return day
    raise invalid(field, f"'{text}' is not a date; write it as DD/MM/YYYY or YYYY-MM-DD")


def implausible(day: dt.date | dt.datetime) -> str | None:
    """Why a date cannot be recorded, or None when it can."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if EARLIEST <= day <= LATEST:
        return None
    return f"{uk(day)} is not a date keywork can record (years {EARLIEST.year} to {LATEST.year})"


def check_plausible(day: dt.date | dt.datetime, *, field: str) -> None:
    problem = implausible(day)
    if problem:
        raise invalid(field, problem)


def age_on(born: dt.date, on: dt.date) -> int:
    """Age in whole years on a day."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def add_weeks(value: dt.date, weeks: int) -> dt.date:
    return value + dt.timedelta(weeks=weeks)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
