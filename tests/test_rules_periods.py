"""Dated periods: which is in force, when two overlap, what a move does."""
from __future__ import annotations

import datetime as dt

import pytest

from register.rules.periods import Period, first_overlap, in_force, moved, overlaps

D = dt.date


@pytest.mark.parametrize("a, b, expected", [
    (Period(1, None, None), Period(1, D(2020, 1, 1), None), True),
    (Period(1, None, D(2020, 1, 1)), Period(1, D(2020, 1, 1), None), True),  # one shared day
    (Period(1, None, D(2019, 12, 31)), Period(1, D(2020, 1, 1), None), False),
    (Period(1, D(2020, 1, 1), D(2020, 12, 31)), Period(1, D(2022, 1, 1), None), False),
    (Period(1, D(2022, 1, 1), None), Period(1, D(2020, 1, 1), D(2021, 12, 31)), False),
    (Period(1, D(2022, 1, 1), None), Period(1, D(2020, 1, 1), D(2022, 6, 30)), True),
])
def test_overlaps(a, b, expected):
    assert overlaps(a, b) is expected and overlaps(b, a) is expected


def test_the_period_in_force_on_a_day():
    periods = [Period(1, None, D(2025, 6, 30)), Period(2, D(2025, 7, 1), None)]
    assert in_force(periods, D(2025, 6, 30)).organisation_id == 1
    assert in_force(periods, D(2025, 7, 1)).organisation_id == 2
    assert in_force([Period(1, D(2025, 1, 1), D(2025, 2, 1))], D(2025, 3, 1)) is None
    assert first_overlap(periods) is None
    assert first_overlap([*periods, Period(3, D(2026, 1, 1), None)])[1].organisation_id == 3


def test_a_move_ends_the_open_period_the_day_before():
    ended, new = moved([Period(1, None, None, id=7)], 2, D(2025, 7, 1))
    assert ended == [(Period(1, None, None, 7), Period(1, None, D(2025, 6, 30), 7))]
    assert new == Period(2, D(2025, 7, 1), None)


@pytest.mark.parametrize("periods, message", [
    ([Period(1, D(2025, 8, 1), None)], "would overlap it"),
    ([Period(1, D(2025, 7, 1), None)], "would overlap it"),
    ([Period(2, None, None)], "already their home practice"),
])
def test_a_move_that_cannot_be_recorded_is_refused(periods, message):
    with pytest.raises(ValueError, match=message):
        moved(periods, 2, D(2025, 7, 1))
