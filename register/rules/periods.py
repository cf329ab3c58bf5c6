"""Dated periods: a person's home practices, a practice's memberships of a network or federation.

A period runs from `date_from` to `date_to`, both days included; a missing `date_from` means
"since always" and a missing `date_to` means "still so". The periods of one person's home practice,
or of one practice in one network, never overlap: this module says whether they would, which
period is in force on a day, and what a move to another practice does to them.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """One dated period of something (a home practice, a membership); `id` is its record's."""

    organisation_id: int
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    id: int | None = None


def covers(date_from: dt.date | None, date_to: dt.date | None, day: dt.date) -> bool:
    """Whether a period from `date_from` to `date_to` (either open) includes the day."""
    return (date_from is None or date_from <= day) and (date_to is None or date_to >= day)


def overlaps(a: Period, b: Period) -> bool:
    """Whether two periods share at least one day."""
    starts_before_b_ends = a.date_from is None or b.date_to is None or a.date_from <= b.date_to
    b_starts_before_a_ends = b.date_from is None or a.date_to is None or b.date_from <= a.date_to
    return starts_before_b_ends and b_starts_before_a_ends


def in_force(periods: Iterable[Period], day: dt.date) -> Period | None:
    """The period that includes the day, if any (periods of one thing never overlap)."""
    for period in periods:
        if covers(period.date_from, period.date_to, day):
            return period
    return None


def first_overlap(periods: Sequence[Period]) -> tuple[Period, Period] | None:
    """The first two periods that share a day, in the order given, or None."""
    for index, a in enumerate(periods):
        for b in periods[index + 1:]:
            if overlaps(a, b):
                return a, b
    return None


def describe(period: Period) -> str:
    """'from 1 April 2020 to 31 March 2025', 'from 1 April 2020 with no end date', 'with no start
    or end date'."""
    def day(value: dt.date) -> str:
        return f"{value.day} {value:%B %Y}"

    if period.date_from is None and period.date_to is None:
        return "with no start or end date"
    start = f"from {day(period.date_from)}" if period.date_from else "from the start"
    end = f" to {day(period.date_to)}" if period.date_to else " with no end date"
    return start + end


def moved(periods: Sequence[Period], organisation_id: int, on: dt.date
          ) -> tuple[list[tuple[Period, Period]], Period]:
    """What a move to another practice on a day does: the periods to end the day before (each as
    (old, ended)) and the new open-ended period. Raises ValueError, in the user's words, when the
    move cannot be recorded as asked (it would start inside a later period, or end a period
    before it began)."""
    ended: list[tuple[Period, Period]] = []
    for period in periods:
        if period.date_from is not None and period.date_from >= on:
            raise ValueError(
                f"There is already a home practice period {describe(period)}: a move on "
                f"{on.day} {on:%B %Y} would overlap it. Change or remove that period first")
        if period.date_to is None or period.date_to >= on:
            if period.organisation_id == organisation_id and period.date_to is None:
                raise ValueError("That is already their home practice on that date")
            ended.append((period, Period(period.organisation_id, period.date_from, on - ONE_DAY,
                                         period.id)))
    return ended, Period(organisation_id, on, None)
