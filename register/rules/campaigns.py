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

KINDS = {"annual": "Annual", "six_monthly": "Six-monthly"}
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
