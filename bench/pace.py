"""The machine's pace, printed by each benchmark beside its figures, so that figures taken
on different days can be read together: a database round trip (`SELECT 1`, the wait every
statement pays before any work) and a fixed piece of Python work. A page of many
statements slows with the first; one statement's work, and rendering, with the second."""

from __future__ import annotations

import statistics
import time

from django.db import connection


def round_trip_us(times: int = 500) -> float:
    """The median microseconds of `SELECT 1` on the benchmark's connection."""
    taken: list[float] = []
    with connection.cursor() as cursor:
        for _ in range(times):
            start = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchall()
            taken.append((time.perf_counter() - start) * 1e6)
    return statistics.median(taken)


def python_ms(times: int = 5) -> float:
    """The median milliseconds of a million additions in Python."""
    taken: list[float] = []
    for _ in range(times):
        start = time.perf_counter()
        total = 0
        for n in range(1_000_000):
            total += n
        taken.append((time.perf_counter() - start) * 1000)
    return statistics.median(taken)


def line() -> str:
    return (
        f"machine pace: a database round trip {round_trip_us():.0f} µs, "
        f"a million Python additions {python_ms():.0f} ms"
    )
