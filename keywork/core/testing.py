"""Knowing whether the test suite is running, for the one thing only it may do (flush).

No environment variable can make this true: the test suite's own configuration
(keywork/conftest.py) marks the settings in the process that runs the tests, and the
database must be one Django created for a test run."""

from pathlib import Path

from django.conf import settings
from django.db import connections

TEST_SETTINGS_MARK = "KEYWORK_TEST_SETTINGS"


def in_test_suite(database: str = "default") -> bool:
    marked = getattr(settings, TEST_SETTINGS_MARK, False) is True
    name = Path(str(connections[database].settings_dict["NAME"])).name
    return marked and name.startswith("test_")
