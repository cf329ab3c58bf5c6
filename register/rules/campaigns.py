"""Declaration campaigns: who has answered, and when reminders go.

A person answers a campaign by confirming their declarations are complete or making a nil return
on or after the day it opened: a new declaration alone is not the confirmation the campaign asks
for. Reminders go on the day it opens, then every `every_days` days while the person has not
answered, and on the deadline.

Each `*_problem` function returns None when the input is acceptable, or the message to show the
user, in their words, when it is not.
"""
from __future__ import annotations

import datetime as dt

from .interests import add_months

KINDS = {"annual": "Annual", "six_monthly": "Six-monthly"}
# How long after opening a confirmation still answers a campaign (late, once it has closed);
# after that it belongs to the next round.
PERIOD_MONTHS = {"annual": 12, "six_monthly": 6}
LONGEST_DAYS = 120  # a campaign that runs longer than four months is a typing slip


def deadline_problem(deadline: dt.date | None, today: dt.date) -> str | None:
    """Why a campaign's deadline cannot be used, or None."""
    if deadline is None:
        return "Enter the deadline"
    if deadline <= today:
        return "The deadline must be after today"
    if (deadline - today).days > LONGEST_DAYS:
        return f"The deadline must be within {LONGEST_DAYS} days of today"
    return None


def interval_problem(text: str | None) -> str | None:
    """Why the reminder interval (a whole number of days, 1 to 60) cannot be used, or None."""
    value = (text or "").strip()
    if not value.isdecimal() or not 1 <= int(value) <= 60:
        return "Enter how often reminders go as a whole number of days from 1 to 60"
    return None


def answered(last_return_on: dt.date | None, opened_on: dt.date) -> bool:
    """Whether a person's latest confirmation or nil return answers a campaign opened then."""
    return last_return_on is not None and last_return_on >= opened_on


def reminder_due(today: dt.date, opened_on: dt.date, deadline: dt.date,
                 every_days: int) -> str | None:
    """Which reminder goes today ("opened", "reminder" or "deadline"), or None: on the opening
    day, every `every_days` days after it, and on the deadline."""
    if today < opened_on or today > deadline:
        return None
    if today == opened_on:
        return "opened"
    if today == deadline:
        return "deadline"
    if (today - opened_on).days % every_days == 0:
        return "reminder"
    return None


def answers_until(opened_on: dt.date, kind: str) -> dt.date:
    """The first day on which a confirmation no longer answers a campaign opened then: one
    period (a year, or six months) after it opened."""
    return add_months(opened_on, PERIOD_MONTHS.get(kind, 12))


def closed_on(closed_early_on: dt.date | None, deadline: dt.date,
              today: dt.date) -> dt.date | None:
    """The day a campaign closed, or None while it is open: the day a governance lead closed it
    early (or the scheduled run recorded its close), else its deadline once that day has passed.
    The one answer to "is this campaign closed?", so that a page read the day after the deadline
    shows it closed before any scheduled run has written anything."""
    if closed_early_on is not None:
        return closed_early_on
    if today > deadline:
        return deadline
    return None


def answer(answered_on: dt.date | None, closed: dt.date | None) -> str:
    """How a person stands in a campaign, from their first confirmation or nil return on or after
    it opened: "answered", "late" (after the close: no longer a non-declarer, but recorded as
    late), "waiting" (not yet, still open) or "did_not_declare" (not at all, and closed)."""
    if answered_on is not None:
        return "late" if closed is not None and answered_on > closed else "answered"
    return "did_not_declare" if closed is not None else "waiting"


def extension_problem(new_deadline: dt.date | None, deadline: dt.date,
                      closed: dt.date | None, today: dt.date) -> str | None:
    """Why a campaign's deadline cannot be moved to `new_deadline`, or None: only an open
    campaign's deadline moves, only later, and not into the past."""
    if closed is not None:
        return "This campaign has closed, so its deadline can no longer be extended"
    if new_deadline is None:
        return "Enter the new deadline"
    if new_deadline <= deadline:
        return f"The new deadline must be after the current one, {deadline.day} {deadline:%B %Y}"
    return deadline_problem(new_deadline, today)
