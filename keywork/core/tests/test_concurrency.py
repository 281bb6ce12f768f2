"""Concurrent writers queue rather than fail with "database is locked"."""

import threading

import pytest
from django.db import connections

from keywork.access import actions
from keywork.access.models import Service


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fail_with_database_is_locked():
    """Each writer reads and then writes in one transaction: under SQLite's default deferred
    transactions, two of these at once fail at once with "database is locked"."""
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(15):
                Service.objects.count()  # a read first, then the write
                actions.create_service(
                    actor=None,
                    given=actions.CreateServiceInput(code=f"s{n}-{i}", name=f"Service {n}.{i}"),
                )
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Service.objects.count() == 6 * 15
