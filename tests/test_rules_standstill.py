"""The PSR standstill: which routes have one, its end across bank holidays, and the checks."""
from __future__ import annotations

import datetime as dt

import pytest

from register.rules import standstill

D = dt.date


@pytest.mark.parametrize("regime, process, expected", [
    ("psr", "direct_award_c", True),
    ("psr", "most_suitable_provider", True),
    ("psr", "competitive_process", True),
    ("psr", "direct_award_a", False),
    ("psr", "direct_award_b", False),
    ("psr", "urgent_award", False),
    ("pcr2013", "competitive_tender", False),
    ("psr", None, False),
])
def test_which_routes_have_a_standstill(regime, process, expected):
    assert standstill.has_standstill(regime, process) is expected


@pytest.mark.parametrize("notice, end", [
    # Thursday 17 December 2026: Christmas Day (Friday) and Boxing Day's substitute (Monday 28)
    # are not working days.
    (D(2026, 12, 17), D(2026, 12, 31)),
    # Thursday 25 March 2027: Good Friday 26 March and Easter Monday 29 March.
    (D(2027, 3, 25), D(2027, 4, 8)),
    # An ordinary fortnight: Monday to the Thursday after next.
    (D(2026, 6, 1), D(2026, 6, 11)),
])
def test_standstill_end_is_8_working_days_later(notice, end):
    assert standstill.standstill_end(notice) == end


def test_clock_counts_working_days_left_across_christmas():
    clock = standstill.clock(D(2026, 12, 17), D(2026, 12, 24))
    assert clock.ends_on == D(2026, 12, 31)
    assert clock.sentence == "Standstill ends Thursday 31 December 2026, 3 working days from today"
    assert standstill.clock(D(2026, 12, 17), D(2026, 12, 31)).sentence == \
        "Standstill ends Thursday 31 December 2026, today"
    assert standstill.clock(D(2026, 12, 17), D(2027, 1, 4)).sentence == \
        "Standstill ended Thursday 31 December 2026"


def test_ending_soon_only_while_running_and_within_5_working_days():
    notice = D(2026, 12, 17)
    assert not standstill.ending_soon(notice, D(2026, 12, 17))  # 8 working days left
    assert standstill.ending_soon(notice, D(2026, 12, 22))  # 5 left
    assert not standstill.ending_soon(notice, D(2027, 1, 4))  # ended


def test_a_hand_shortened_standstill_is_refused():
    assert standstill.typed_end_problem(D(2026, 12, 31), D(2026, 12, 17)) is None
    assert standstill.typed_end_problem(None, D(2026, 12, 17)) is None
    assert standstill.typed_end_problem(D(2026, 12, 24), D(2026, 12, 17)) == (
        "The standstill ends Thursday 31 December 2026, 8 working days after the intention "
        "notice: it cannot be set by hand to Thursday 24 December 2026")


@pytest.mark.parametrize("notice, expected", [
    (None, "Enter the date the intention to award notice was published"),
    (D(2026, 11, 30), "The intention to award notice cannot be published before the decision "
                      "was taken at the meeting on Tuesday 1 December 2026"),
    (D(2026, 12, 11), "The date the intention to award notice was published must be today or "
                      "in the past"),
    (D(2026, 12, 1), None),
])
def test_notice_dates(notice, expected):
    assert standstill.notice_date_problem("intention", notice, meeting_date=D(2026, 12, 1),
                                          today=D(2026, 12, 10)) == expected


@pytest.mark.parametrize("status, regime, process, awarded, kind, expected", [
    ("decided", "psr", "competitive_process", True, "intention", None),
    ("signed_off", "psr", "competitive_process", True, "intention",
     "Record the outcome of the decision before its intention to award notice"),
    ("decided", "psr", "competitive_process", False, "intention",
     "The decision awarded no contract, so there is no intention to award notice to record"),
    ("decided", "psr", "urgent_award", True, "intention",
     "This route has no standstill and needs no intention to award notice: record the award "
     "confirmation notice"),
    ("decided", "psr", "urgent_award", True, "award", None),
    ("decided", "pcr2013", "competitive_tender", True, "award",
     "An award confirmation notice is recorded only for decisions under the Provider Selection "
     "Regime"),
])
def test_notice_status(status, regime, process, awarded, kind, expected):
    assert standstill.notice_status_problem(kind, status, regime, process, awarded) == expected


def test_representations_must_arrive_within_the_standstill():
    notice = D(2026, 12, 17)
    today = D(2027, 1, 10)
    assert standstill.representation_problem(D(2026, 12, 31), notice_on=notice,
                                             today=today) is None
    assert standstill.representation_problem(D(2027, 1, 4), notice_on=notice, today=today) == (
        "The standstill ended Thursday 31 December 2026: a representation received on Monday 4 "
        "January 2027 is too late to record")
    assert standstill.representation_problem(D(2026, 12, 16), notice_on=notice, today=today) \
        .startswith("A representation cannot be received before")
    assert standstill.representation_problem(D(2026, 12, 18), notice_on=None, today=today) == \
        "Record the intention to award notice before any representation"


def test_response_dates():
    assert standstill.response_problem(D(2026, 12, 20), received_on=D(2026, 12, 21),
                                       today=D(2027, 1, 1)).startswith(
        "The response cannot be dated before")
    assert standstill.response_problem(D(2026, 12, 22), received_on=D(2026, 12, 21),
                                       today=D(2027, 1, 1)) is None


def test_award_confirmation_waits_for_the_standstill_and_the_responses():
    route = {"regime": "psr", "process": "competitive_process"}
    notice = D(2026, 12, 17)
    assert standstill.award_confirmation_problem(
        D(2026, 12, 31), intention_on=notice, open_representations=0, **route) == (
        "The award cannot be confirmed until the standstill has ended: it ends Thursday 31 "
        "December 2026")
    assert standstill.award_confirmation_problem(
        D(2027, 1, 4), intention_on=notice, open_representations=1, **route) == (
        "1 representation is still waiting for a response: answer it before confirming the award")
    assert standstill.award_confirmation_problem(
        D(2027, 1, 4), intention_on=notice, open_representations=0, **route) is None
    assert standstill.award_confirmation_problem(
        D(2027, 1, 4), intention_on=None, open_representations=0, **route) == \
        "Record the intention to award notice first: this route has a standstill"
    # Urgent awards have no standstill: the award may be confirmed at once.
    assert standstill.award_confirmation_problem(
        D(2026, 12, 17), regime="psr", process="urgent_award", intention_on=None,
        open_representations=0) is None
