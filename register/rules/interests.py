"""Rules about declared interests: lateness, currency, publication."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .dates import iso_date

DECLARE_WITHIN_DAYS = 28
PUBLISH_AFTER_END_MONTHS = 6
RETURN_EVERY_MONTHS = 12

INTEREST_TYPES = {
    "financial": "Financial",
    "non_financial_professional": "Non-financial professional",
    "non_financial_personal": "Non-financial personal",
}


_date = iso_date


def declaration_deadline(date_from: str | dt.date) -> dt.date:
    """The last day an interest may be declared without being late."""
    return _date(date_from) + dt.timedelta(days=DECLARE_WITHIN_DAYS)


def is_late(date_from: str | dt.date, declared_on: str | dt.date) -> bool:
    """Declared more than 28 days after the interest arose."""
    return _date(declared_on) > declaration_deadline(date_from)


def days_late(date_from: str | dt.date, declared_on: str | dt.date) -> int:
    """How many days after the deadline the declaration came (0 if on time)."""
    return max(0, (_date(declared_on) - declaration_deadline(date_from)).days)


def is_current(date_from: str | dt.date, date_to: str | dt.date | None,
               on: str | dt.date) -> bool:
    """Whether the interest was held on the given day (its first and last days included)."""
    day = _date(on)
    start, end = _date(date_from), _date(date_to)
    return start <= day and (end is None or end >= day)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month, months later (clamped to the month's end)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def still_published(date_to: str | dt.date | None, on: str | dt.date) -> bool:
    """An interest stays on the published register until 6 months after it ended."""
    end = _date(date_to)
    return end is None or add_months(end, PUBLISH_AFTER_END_MONTHS) >= _date(on)


def on_register_on(interest: Mapping[str, Any], on: str | dt.date) -> bool:
    """Whether an interest, as its entry read at the end of a day, was on the register that day.

    "As the register stood" on a day means: declared on or before it (the entry's "declared on"
    date, so an interest declared later is not shown even if it had begun by then), begun by
    then, not withdrawn by then, and not ended more than six months before. The entry is read as
    it was at the end of that day, so later edits, end dates and withdrawals do not apply.
    """
    day = _date(on)
    declared = _date(interest.get("declared_on"))
    start = _date(interest.get("date_from"))
    return (not interest.get("withdrawn") and declared is not None and declared <= day
            and start is not None and start <= day and still_published(interest.get("date_to"), day))


def return_is_due(last_return: str | dt.date | None, on: str | dt.date) -> bool:
    """Whether a decision-maker has made no declaration or nil return in the last 12 months."""
    last = _date(last_return)
    return last is None or add_months(last, RETURN_EVERY_MONTHS) < _date(on)


# --- Approval before publication -------------------------------------------------------------

PENDING, RETURNED = "pending", "returned"
APPROVAL_WORDS = {None: "Approved", PENDING: "Waiting for a governance lead's approval",
                  RETURNED: "Returned for changes"}
FUTURE_START_DAYS = 365


def waits_for_approval(for_someone_else: bool, records_for_others: bool) -> bool:
    """Whether a new or changed declaration waits for a governance lead before it is published:
    it does unless a secretary or governance lead recorded it on someone else's behalf."""
    return not (for_someone_else and records_for_others)


def approval_problem(approver_person_id: int | None, declarer_person_id: int,
                     state: str | None) -> str | None:
    """Why this approver may not approve or return this declaration now, or None."""
    if state not in (PENDING, RETURNED):
        return "This declaration is not waiting for approval"
    if approver_person_id is not None and approver_person_id == declarer_person_id:
        return "You cannot approve your own declaration: another governance lead must"
    return None


def far_future_start(date_from: dt.date | None, today: dt.date) -> bool:
    """Whether an interest's start date is more than a year ahead, so the form asks again."""
    return date_from is not None and date_from > today + dt.timedelta(days=FUTURE_START_DAYS)
