"""Small numbers for a commissioner: counts of one to four are "fewer than 5", and what would
give one away is withheld with it."""

import pytest

from keywork.measures import disclosure
from keywork.measures.framework import Tally


@pytest.mark.parametrize(
    ("numerator", "denominator", "shown"),
    [
        (0, 0, (0, 0)),
        (0, 12, (0, 12)),
        (3, 12, ("fewer than 5", 12)),
        (5, 12, (5, 12)),
        (7, 12, (7, 12)),
        (9, 12, ("withheld (small numbers)", 12)),  # 3 not counted
        (10, 12, ("withheld (small numbers)", 12)),  # 2 not counted
        (12, 12, (12, 12)),
        (4, 4, ("fewer than 5", "fewer than 5")),
        (0, 4, ("withheld (small numbers)", "fewer than 5")),
    ],
)
def test_a_count_and_its_denominator_as_a_commissioner_sees_them(numerator, denominator, shown):
    assert disclosure.pair(numerator, denominator) == shown


def test_a_proportion_with_a_count_withheld_is_withheld_too():
    seen = disclosure.tally(Tally("north", "North", 10, 12))
    assert seen.proportion is None
    assert disclosure.tally(Tally("north", "North", 7, 12)).proportion is not None


def test_a_withheld_count_cannot_be_added_up():
    with pytest.raises(TypeError):
        disclosure.count(3) + 1
    assert disclosure.withheld(disclosure.total(disclosure.count(3), 10))
