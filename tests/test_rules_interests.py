"""The pure rules about interests: lateness, currency, publication and annual returns."""
from __future__ import annotations

import datetime as dt

import pytest

from register.rules.interests import (
    days_late,
    is_current,
    is_late,
    on_register_on,
    return_is_due,
    still_published,
)

D = dt.date


@pytest.mark.parametrize(("declared_on", "late", "days"), [
    (D(2025, 1, 29), False, 0),   # exactly 28 days after: in time
    (D(2025, 1, 30), True, 1),    # 29 days after: late by one day
    (D(2025, 1, 1), False, 0),    # the same day
    (D(2025, 3, 1), True, 31),
])
def test_declaration_is_late_after_28_days(declared_on, late, days):
    assert is_late(D(2025, 1, 1), declared_on) is late
    assert days_late(D(2025, 1, 1), declared_on) == days


def test_late_rule_accepts_iso_strings():
    assert is_late("2025-01-01", "2025-01-30")
    assert not is_late("2025-01-01", "2025-01-29")


@pytest.mark.parametrize(("on", "current"), [
    (D(2025, 1, 1), True),     # first day
    (D(2025, 6, 30), True),    # last day
    (D(2024, 12, 31), False),  # the day before it began
    (D(2025, 7, 1), False),    # the day after it ended
])
def test_interest_is_current_on_its_first_and_last_day(on, current):
    assert is_current(D(2025, 1, 1), D(2025, 6, 30), on) is current


def test_open_ended_interest_is_current_from_its_start():
    assert is_current("2025-01-01", None, "2030-01-01")
    assert not is_current("2025-01-01", None, "2024-12-31")


@pytest.mark.parametrize(("on", "published"), [
    (D(2025, 9, 15), True),    # exactly 6 months after it ended
    (D(2025, 9, 16), False),   # the day after
    (D(2025, 3, 15), True),    # the day it ended
])
def test_interest_stays_published_until_six_months_after_it_ended(on, published):
    assert still_published(D(2025, 3, 15), on) is published


def test_six_months_after_a_month_end_is_the_shorter_month_end():
    assert still_published(D(2025, 8, 31), D(2026, 2, 28))
    assert not still_published(D(2025, 8, 31), D(2026, 3, 1))


def test_current_interest_is_always_published():
    assert still_published(None, D(2040, 1, 1))


@pytest.mark.parametrize(("last", "on", "due"), [
    (D(2024, 3, 15), D(2025, 3, 15), False),  # exactly 12 months: not yet due
    (D(2024, 3, 15), D(2025, 3, 16), True),   # a day later: due
    (D(2025, 1, 1), D(2025, 6, 1), False),
    (None, D(2025, 6, 1), True),              # never made one
    (D(2024, 2, 29), D(2025, 2, 28), False),  # leap day: due from the day after 28 February
    (D(2024, 2, 29), D(2025, 3, 1), True),
])
def test_return_is_due_twelve_months_after_the_last(last, on, due):
    assert return_is_due(last, on) is due


# --- On the register as it stood on a day ---------------------------------------------------------

ENTRY = {"declared_on": "2025-06-01", "date_from": "2025-05-01", "date_to": None, "withdrawn": 0}


@pytest.mark.parametrize(("change", "on", "shown"), [
    ({}, D(2025, 6, 1), True),  # declared that day
    ({}, D(2025, 5, 31), False),  # begun, but not yet declared
    ({"declared_on": "2025-04-01"}, D(2025, 4, 15), False),  # declared ahead, not begun
    ({"withdrawn": 1}, D(2025, 7, 1), False),  # withdrawn as the entry read then
    ({"date_to": "2025-07-31"}, D(2026, 1, 31), True),  # ended six months before: still shown
    ({"date_to": "2025-07-31"}, D(2026, 2, 1), False),
    ({"declared_on": None}, D(2026, 1, 1), False),
])
def test_on_register_on_a_day(change, on, shown):
    assert on_register_on({**ENTRY, **change}, on) is shown


@pytest.mark.parametrize(("day", "stored"), [
    (D(2026, 1, 15), "2026-01-16T00:00:00+00:00"),  # GMT
    (D(2026, 7, 15), "2026-07-15T23:00:00+00:00"),  # BST: midnight in England is 23:00 UTC
])
def test_a_day_ends_at_midnight_in_england(day, stored):
    from register.interests.history import end_of_day

    assert end_of_day(day) == stored
