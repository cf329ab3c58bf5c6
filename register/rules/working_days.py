"""Working days in England and Wales: weekdays that are not bank holidays.

Bank holidays come from the maintained `holidays` library (England's list, which is also Wales's),
including substitute days ("Boxing Day (observed)") and one-off holidays such as a state funeral.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

OVERDUE_AFTER_WORKING_DAYS = 5


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # Imported on first use: the library builds every country's calendar classes on import,
    # which most commands and many pages never need.
    import holidays

    return frozenset(holidays.UnitedKingdom(subdiv="ENG", years=year))


def is_bank_holiday(day: date) -> bool:
    """Whether a day is a bank holiday in England and Wales."""
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """Whether a day is a weekday that is not a bank holiday in England and Wales."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def _weekdays_after(start: date, end: date) -> int:
    """Weekdays in (start, end], counted without walking every day."""
    days = (end - start).days
    weeks, extra = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, extra + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            count += 1
    return count


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 on the same day or earlier).

    A decision submitted on a Friday is 1 working day old on the Monday after.
    """
    if end <= start:
        return 0
    holidays_on_weekdays = sum(
        1 for year in range(start.year, end.year + 1) for day in _bank_holidays(year)
        if start < day <= end and day.weekday() < 5)
    return _weekdays_after(start, end) - holidays_on_weekdays


def add_working_days(start: date, count: int) -> date:
    """The day `count` working days after `start`, e.g. the day a review is due."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def is_overdue(submitted: date, today: date, target: int = OVERDUE_AFTER_WORKING_DAYS) -> bool:
    """Whether a review is overdue: more than `target` working days have passed since submission.

    On the target day itself the review is due, not yet overdue.
    """
    return working_days_between(submitted, today) > target
