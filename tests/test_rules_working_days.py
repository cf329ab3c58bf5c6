"""Working days in England and Wales, for the age of a flagged decision in the governance queue."""
from __future__ import annotations

import datetime as dt

import pytest

from register.rules.working_days import (
    add_working_days,
    is_bank_holiday,
    is_overdue,
    is_working_day,
    working_days_between,
)

D = dt.date


@pytest.mark.parametrize(("day", "holiday"), [
    (D(2026, 4, 6), True),     # Easter Monday 2026
    (D(2026, 4, 3), True),     # Good Friday 2026
    (D(2026, 4, 7), False),
    (D(2025, 12, 25), True),
    (D(2025, 12, 26), True),   # Boxing Day
    (D(2026, 12, 28), True),   # Boxing Day falls on a Saturday: the Monday after instead
    (D(2022, 9, 19), True),    # a one-off bank holiday (a state funeral)
    (D(2026, 3, 17), False),   # St Patrick's Day is a holiday in Northern Ireland only
    (D(2026, 11, 30), False),  # St Andrew's Day is a holiday in Scotland only
    (D(2026, 1, 2), False),    # 2 January is a holiday in Scotland only
])
def test_bank_holidays_in_england_and_wales(day, holiday):
    assert is_bank_holiday(day) is holiday


@pytest.mark.parametrize(("start", "end", "days"), [
    (D(2026, 3, 2), D(2026, 3, 2), 0),     # same day
    (D(2026, 3, 2), D(2026, 3, 1), 0),     # end before start
    (D(2026, 3, 2), D(2026, 3, 3), 1),     # Monday to Tuesday
    (D(2026, 3, 6), D(2026, 3, 9), 1),     # Friday to Monday: the weekend does not count
    (D(2026, 3, 6), D(2026, 3, 8), 0),     # Friday to Sunday
    (D(2026, 3, 7), D(2026, 3, 8), 0),     # Saturday to Sunday
    (D(2026, 3, 7), D(2026, 3, 9), 1),     # Saturday to Monday
    (D(2026, 3, 2), D(2026, 3, 16), 10),   # two whole weeks
    (D(2026, 4, 2), D(2026, 4, 7), 1),     # Thursday before Easter to the Tuesday after
    (D(2026, 4, 3), D(2026, 4, 6), 0),     # Good Friday to Easter Monday
    (D(2025, 12, 24), D(2025, 12, 29), 1),  # Christmas Day and Boxing Day (Thu, Fri)
    (D(2026, 12, 24), D(2026, 12, 29), 1),  # Christmas Day (Fri), Boxing Day moved to Monday
    (D(2025, 12, 19), D(2026, 1, 5), 8),   # over Christmas and New Year
    (D(2025, 1, 1), D(2026, 1, 1), 253),   # a year: 261 weekdays, 8 bank holidays
])
def test_working_days_between(start, end, days):
    assert working_days_between(start, end) == days


def test_the_count_agrees_with_walking_day_by_day():
    start = D(2025, 11, 3)
    for offset in range(0, 120):
        end = start + dt.timedelta(days=offset)
        walked = sum(1 for n in range(1, offset + 1)
                     if is_working_day(start + dt.timedelta(days=n)))
        assert working_days_between(start, end) == walked, end


@pytest.mark.parametrize(("today", "overdue"), [
    (D(2026, 3, 30), False),  # submitted Monday 23 March: 5 working days later, due today
    (D(2026, 3, 31), True),   # the sixth working day
    (D(2026, 3, 23), False),
])
def test_overdue_after_five_working_days(today, overdue):
    assert is_overdue(D(2026, 3, 23), today) is overdue


def test_overdue_counts_bank_holidays_out():
    # Submitted Wednesday 1 April 2026: Good Friday and Easter Monday do not count.
    assert working_days_between(D(2026, 4, 1), D(2026, 4, 9)) == 4
    assert not is_overdue(D(2026, 4, 1), D(2026, 4, 10))  # 5 working days: due
    assert is_overdue(D(2026, 4, 1), D(2026, 4, 13))      # 6: overdue
    assert add_working_days(D(2026, 4, 1), 5) == D(2026, 4, 10)


def test_overdue_target_is_configurable():
    assert is_overdue(D(2026, 3, 23), D(2026, 3, 26), target=2)
    assert not is_overdue(D(2026, 3, 23), D(2026, 3, 26), target=3)
    # Ten working days from Monday 23 March 2026, with Easter in between: due on 8 April.
    assert add_working_days(D(2026, 3, 23), 10) == D(2026, 4, 8)
    assert not is_overdue(D(2026, 3, 23), D(2026, 4, 8), target=10)
    assert is_overdue(D(2026, 3, 23), D(2026, 4, 9), target=10)
