"""Regulation 13 grounds for modifying a contract, derived current values, and renewal dates."""
from __future__ import annotations

import datetime as dt

import pytest

from register.rules import modifications as mods
from register.rules.modifications import Modification

D = dt.date
POUND = 100
E_30 = ("Ground (e) allows a lifetime value change under 25% of the original value (£100,000.00); "
        "this changes it by 30%")
D_50 = ("Ground (d) allows a value increase under 50% of the original value (£100,000.00); "
        "this raises it by 50% to £150,000.00")


@pytest.mark.parametrize(("ground", "before", "after", "term", "message"), [
    ("", 100_000, 100_000, False, None),
    ("", 100_000, 120_000, False, "Choose the permitted ground for a modification that changes the value"),
    ("", 100_000, 100_000, True, "Choose the permitted ground for a modification that changes the end date"),
    ("z", 100_000, 120_000, False, "Choose one of the permitted grounds (a) to (e)"),
    ("a", 100_000, 300_000, False, None),
    ("e", 100_000, 120_000, False, None),
    ("e", 100_000, 130_000, False, E_30),
    ("e", 100_000, 70_000, False, E_30),
    ("d", 100_000, 149_000, False, None),
    ("d", 100_000, 150_000, False, D_50),
])
def test_ground_problem(ground, before, after, term, message):
    assert mods.ground_problem(ground, 100_000 * POUND, before * POUND, after * POUND, term) == message


def test_ground_e_lifetime_limit_in_money_and_cumulative():
    # 10% of £6m is £600,000: under 25% but not under £500,000.
    message = mods.ground_problem("e", 6_000_000 * POUND, 6_000_000 * POUND, 6_600_000 * POUND)
    assert message and "under £500,000" in message
    # A second small step that takes the lifetime change to 26% is refused.
    assert mods.ground_problem("e", 100_000 * POUND, 120_000 * POUND, 126_000 * POUND)


def test_ground_d_limits_each_increase_against_the_original():
    assert mods.ground_problem("d", 100_000 * POUND, 140_000 * POUND, 180_000 * POUND) is None
    assert mods.ground_problem("d", 100_000 * POUND, 140_000 * POUND, 195_000 * POUND)


def test_dates_problem():
    meeting = D(2026, 3, 10)
    assert mods.dates_problem(None, meeting, None, None) == "Enter the date of the modification"
    assert mods.dates_problem(D(2026, 3, 9), meeting, None, None) == (
        "The date of the modification must be on or after the decision's meeting, 10 March 2026")
    assert mods.dates_problem(D(2026, 3, 10), meeting, None, None) is None
    assert mods.dates_problem(D(2026, 4, 1), meeting, D(2026, 4, 1), D(2026, 3, 31)) == (
        "The new end date must be on or after the contract start, 1 April 2026")


def test_value_before_must_match_current():
    assert mods.value_before_problem(100, 100) is None
    assert mods.value_before_problem(100, None) is None
    assert mods.value_before_problem(90, 100) == (
        "The value before must be the contract's current value, £1.00")


def test_notice_required_and_due():
    assert not mods.notice_required(100_000 * POUND, 120_000 * POUND)
    assert mods.notice_required(100_000 * POUND, 125_000 * POUND)
    assert mods.notice_required(10_000_000 * POUND, 10_500_000 * POUND)
    assert not mods.notice_required(None, 5)
    assert mods.notice_due_by(D(2026, 1, 15)) == D(2026, 2, 14)


def test_published_problem():
    assert mods.published_problem(D(2026, 1, 1), None, "") is None
    assert mods.published_problem(D(2026, 1, 1), D(2026, 1, 2), "") == (
        "Enter where the notice of the modification was published")
    assert mods.published_problem(D(2026, 1, 1), None, "Find a Tender") == (
        "Enter the date the notice of the modification was published")
    assert mods.published_problem(D(2026, 1, 5), D(2026, 1, 2), "Find a Tender") == (
        "The notice cannot be published before the modification was made")


def test_current_value_and_end_follow_modifications_in_date_order():
    later = Modification(D(2026, 6, 1), "More clinics", 110, 130, D(2028, 3, 31), "a")
    earlier = Modification(D(2026, 2, 1), "Extra site", 100, 110, None, "e")
    assert mods.current_value(100, [later, earlier]) == 130
    assert mods.current_end(D(2027, 3, 31), [later, earlier]) == D(2028, 3, 31)
    assert mods.current_value(100, []) == 100
    assert mods.current_end(D(2027, 3, 31), [earlier]) == D(2027, 3, 31)


@pytest.mark.parametrize(("text", "ok"), [
    ("12", True), ("1", True), ("60", True), ("0", False), ("61", False), ("6.5", False),
    ("", False), ("twelve", False), ("-3", False),
])
def test_renewal_months(text, ok):
    problem = mods.renewal_months_problem(text)
    assert (problem is None) is ok
    if not ok:
        assert problem == "Enter the number of months as a whole number from 1 to 60"


def test_renewal_dates():
    assert mods.add_months(D(2026, 8, 31), -6) == D(2026, 2, 28)
    assert mods.add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert mods.start_next_decision_by(D(2027, 3, 31)) == D(2026, 9, 30)
    today = D(2026, 5, 1)
    assert mods.ends_within(D(2027, 5, 1), today, 12)
    assert not mods.ends_within(D(2027, 5, 2), today, 12)
    assert not mods.ends_within(D(2026, 4, 30), today, 12)
    assert not mods.ends_within(None, today, 12)


