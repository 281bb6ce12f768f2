"""Knowing whether the test suite is running, for the one thing only it may do (flush)."""

import os

TEST_SUITE_FLAG = "KEYWORK_TEST_SUITE"


def in_test_suite() -> bool:
    return os.environ.get(TEST_SUITE_FLAG) == "1"
