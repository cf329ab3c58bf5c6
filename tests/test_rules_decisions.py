"""Validation rules of a decision record: money, regime and process, weights, dates, references."""
from __future__ import annotations

import datetime as dt

import pytest

from register.rules.decisions import (
    KEY_CRITERIA,
    MONEY_FORMAT_MESSAGE,
    PROCESSES,
    REGIMES,
    assesses_key_criteria,
    criteria_not_assessed_problem,
    dates_problem,
    duplicate_people_problem,
    format_money,
    meeting_date_problem,
    next_reference,
    parse_money,
    parse_reference,
    process_label,
    regime_for,
    regime_problem,
    values_problem,
    weights_problem,
)

# --- Money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "pence"), [
    ("£1,250,000.50", 125_000_050),
    ("1250000", 125_000_000),
    ("1250000.5", 125_000_050),
    ("  £ 125000.50  ", 12_500_050),
    ("1 250 000", 125_000_000),
    ("0", 0),
    ("0.01", 1),
    ("999", 99_900),
    ("1,000", 100_000),
    ("10000000000", 1_000_000_000_000),  # exactly £10bn is allowed
    ("£10,000,000,000.00", 1_000_000_000_000),
    ("007", 700),
])
def test_parse_money_accepts(text, pence):
    assert parse_money(text) == pence


@pytest.mark.parametrize(("text", "message"), [
    ("", "Enter the value"),
    ("   ", "Enter the value"),
    (None, "Enter the value"),
    ("£", "Enter the value"),
    ("NaN", MONEY_FORMAT_MESSAGE),
    ("nan", MONEY_FORMAT_MESSAGE),
    ("inf", MONEY_FORMAT_MESSAGE),
    ("Infinity", MONEY_FORMAT_MESSAGE),
    ("1E+30", MONEY_FORMAT_MESSAGE),
    ("1e3", MONEY_FORMAT_MESSAGE),
    ("12.345", MONEY_FORMAT_MESSAGE),
    ("12.", MONEY_FORMAT_MESSAGE),
    (".50", MONEY_FORMAT_MESSAGE),
    ("1,25,000", MONEY_FORMAT_MESSAGE),
    ("12,50", MONEY_FORMAT_MESSAGE),
    ("0x10", MONEY_FORMAT_MESSAGE),
    ("£12k", MONEY_FORMAT_MESSAGE),
    ("twelve", MONEY_FORMAT_MESSAGE),
    ("\u0661\u0662\u0663", MONEY_FORMAT_MESSAGE),  # digits from another script
    ("1_000", MONEY_FORMAT_MESSAGE),
    ("-5", "The value must be £0 or more"),
    ("-£5", "The value must be £0 or more"),
    ("£-5", "The value must be £0 or more"),
    ("\u22125", "The value must be £0 or more"),
    ("10000000000.01", "The value must be £10,000,000,000 or less"),
    ("1" * 40, "The value must be £10,000,000,000 or less"),
    ("9" * 5000, "The value must be £10,000,000,000 or less"),
])
def test_parse_money_refuses(text, message):
    with pytest.raises(ValueError) as error:
        parse_money(text)
    assert str(error.value) == message


def test_parse_money_names_the_field_in_its_messages():
    with pytest.raises(ValueError, match="^Enter the estimated total value$"):
        parse_money("", noun="the estimated total value")
    with pytest.raises(ValueError, match="^The estimated annual value must be £0 or more$"):
        parse_money("-1", noun="the estimated annual value")


@pytest.mark.parametrize(("pence", "text"), [
    (125_000_050, "£1,250,000.50"),
    (0, "£0.00"),
    (5, "£0.05"),
    (None, ""),
])
def test_format_money(pence, text):
    assert format_money(pence) == text


@pytest.mark.parametrize("pence", [0, 1, 99, 100, 12_345_678, 1_000_000_000_000])
def test_money_round_trips(pence):
    assert parse_money(format_money(pence)) == pence


# --- Regime and process --------------------------------------------------------------------------

BEFORE = dt.date(2023, 12, 31)
FROM = dt.date(2024, 1, 1)


def test_every_process_has_a_label_and_the_regimes_do_not_share_codes():
    assert set(REGIMES) == {"pcr2013", "psr"}
    assert set(PROCESSES["psr"]) == {"direct_award_a", "direct_award_b", "direct_award_c",
                                     "most_suitable_provider", "competitive_process", "urgent_award"}
    assert set(PROCESSES["pcr2013"]) == {"competitive_tender", "any_qualified_provider",
                                         "single_tender", "extension"}
    assert not set(PROCESSES["psr"]) & set(PROCESSES["pcr2013"])
    assert process_label("psr", "direct_award_c") == "Direct award process C"
    assert process_label("psr", "made_up") == "made_up"


@pytest.mark.parametrize(("regime", "process", "day"), [
    ("psr", "direct_award_a", FROM),
    ("psr", "urgent_award", dt.date(2026, 5, 1)),
    ("pcr2013", "competitive_tender", BEFORE),
    ("pcr2013", "any_qualified_provider", dt.date(2016, 2, 29)),
    ("psr", "most_suitable_provider", None),  # the meeting date is checked by its own field
])
def test_valid_regime_and_process(regime, process, day):
    assert regime_problem(regime, process, day) is None


@pytest.mark.parametrize(("regime", "process", "day", "words"), [
    (None, "direct_award_a", FROM, ["Select the procurement regime"]),
    ("ojeu", "direct_award_a", FROM, ["Select the procurement regime"]),
    ("psr", "", FROM, ["Select the process used"]),
    ("psr", "made_up", FROM, ["Select the process used"]),
    ("pcr2013", "direct_award_a", BEFORE,
     ["Direct award process A", "Provider Selection Regime", "not the 2013 procurement regulations"]),
    ("psr", "single_tender", FROM,
     ["Single tender", "2013 procurement regulations", "not the Provider Selection Regime"]),
    ("psr", "competitive_process", BEFORE,
     ["only to decisions from 1 January 2024", "31 December 2023", "2013 procurement regulations"]),
    ("pcr2013", "extension", FROM,
     ["only to decisions before 1 January 2024", "1 January 2024", "Provider Selection Regime"]),
])
def test_invalid_regime_and_process(regime, process, day, words):
    message = regime_problem(regime, process, day)
    assert message is not None
    for word in words:
        assert word in message


def test_regime_for_the_meeting_date():
    assert regime_for(BEFORE) == "pcr2013"
    assert regime_for(FROM) == "psr"


# --- Key-criteria weights ------------------------------------------------------------------------

EVEN = dict.fromkeys(KEY_CRITERIA, 20)


@pytest.mark.parametrize("weights", [
    EVEN,
    {**EVEN, "quality_innovation": 40, "social_value": 0},
    {"quality_innovation": 100, "value": 0,
     "integration_collaboration_sustainability": 0, "access_inequalities_choice": 0,
     "social_value": 0},
    {k: str(v) for k, v in EVEN.items()},  # as typed into a form
])
def test_valid_weights(weights):
    assert weights_problem(weights) is None


@pytest.mark.parametrize(("weights", "message"), [
    ({**EVEN, "value": 15}, "The key criteria weights must add up to 100 (they add up to 95)"),
    ({**EVEN, "value": 25}, "The key criteria weights must add up to 100 (they add up to 105)"),
    ({k: v for k, v in EVEN.items() if k != "social_value"}, "Enter a weight for social value"),
    ({**EVEN, "value": ""}, "Enter a weight for value"),
    ({**EVEN, "value": None}, "Enter a weight for value"),
    ({**EVEN, "value": 20.5}, "The weight for value must be a whole number from 0 to 100"),
    ({**EVEN, "value": "20.5"}, "The weight for value must be a whole number from 0 to 100"),
    ({**EVEN, "value": -20, "social_value": 60},
     "The weight for value must be a whole number from 0 to 100"),
    ({**EVEN, "value": 120}, "The weight for value must be a whole number from 0 to 100"),
    ({**EVEN, "value": True}, "The weight for value must be a whole number from 0 to 100"),
    ({**EVEN, "value": "NaN"}, "The weight for value must be a whole number from 0 to 100"),
    ({**EVEN, "price": 0}, "'price' is not one of the key criteria"),
])
def test_invalid_weights(weights, message):
    assert weights_problem(weights) == message


# --- Dates, participants, references -------------------------------------------------------------


@pytest.mark.parametrize(("start", "end", "ok"), [
    (dt.date(2025, 4, 1), dt.date(2028, 3, 31), True),
    (dt.date(2025, 4, 1), dt.date(2025, 4, 1), True),
    (dt.date(2025, 4, 1), None, True),
    (None, dt.date(2025, 4, 1), True),
    (None, None, True),
    (dt.date(2025, 4, 1), dt.date(2025, 3, 31), False),
])
def test_dates_problem(start, end, ok):
    message = dates_problem(start, end)
    if ok:
        assert message is None
    else:
        assert message == "The contract end date must be the same as or after the start date"


@pytest.mark.parametrize(("total", "annual", "ok"), [
    (1_000_000, 1_000_000, True),
    (1_000_000, 999_999, True),
    (None, 5_000_000, True),
    (1_000_000, None, True),
    (0, 0, True),
    (1_000_000, 1_000_001, False),
])
def test_values_problem_refuses_an_annual_value_above_the_total(total, annual, ok):
    message = values_problem(total, annual)
    if ok:
        assert message is None
    else:
        assert message == ("The estimated annual value (£10,000.01) must not be more than the "
                           "estimated total value (£10,000.00)")


def test_the_same_person_listed_twice():
    assert duplicate_people_problem([1, 2, 3]) is None
    assert duplicate_people_problem([]) is None
    assert duplicate_people_problem([1, 2, 1], {1: "Dr Asha Patel"}) == (
        "Dr Asha Patel is listed more than once: list each person once")
    assert duplicate_people_problem([4, 4]).startswith("The same person is listed more than once")


@pytest.mark.parametrize(("year", "last", "reference"), [
    (2026, 0, "MOB-2026-0001"),
    (2026, 6, "MOB-2026-0007"),
    (2025, 998, "MOB-2025-0999"),
    (2025, 9999, "MOB-2025-10000"),
])
def test_next_reference(year, last, reference):
    assert next_reference(year, last) == reference
    assert parse_reference(reference) == (year, last + 1)


@pytest.mark.parametrize(("year", "last"), [(26, 1), (2026, -1)])
def test_next_reference_refuses_nonsense(year, last):
    with pytest.raises(ValueError):
        next_reference(year, last)


@pytest.mark.parametrize("text", ["", "MOB-26-0001", "MOB-2026-1", "XYZ-2026-0001", "MOB-2026-0001x"])
def test_parse_reference_refuses(text):
    assert parse_reference(text) is None


def test_parse_reference_is_forgiving_of_case_and_spaces():
    assert parse_reference(" mob-2026-0007 ") == (2026, 7)


@pytest.mark.parametrize(("day", "problem"), [
    (dt.date(2013, 4, 1), None),
    (dt.date(2013, 3, 31), "The meeting date must be on or after 1 April 2013, when the 2013 "
                           "procurement regulations began"),
    (dt.date(2028, 11, 22), None),
    (dt.date(2028, 11, 23), "The meeting date must be no later than 22 November 2028, 2 years "
                            "from today"),
    (None, None),
])
def test_meeting_dates_from_april_2013_to_two_years_ahead(day, problem):
    assert meeting_date_problem(day, dt.date(2026, 11, 22)) == problem


def test_two_years_ahead_of_29_february_is_28_february():
    assert meeting_date_problem(dt.date(2030, 2, 28), dt.date(2028, 2, 29)) is None
    assert meeting_date_problem(dt.date(2030, 3, 1), dt.date(2028, 2, 29)) is not None


# --- Which routes weigh the key criteria ---------------------------------------------------------


@pytest.mark.parametrize(("regime", "process", "assessed"), [
    ("psr", "direct_award_a", False),
    ("psr", "direct_award_b", False),
    ("psr", "urgent_award", False),
    ("psr", "direct_award_c", True),
    ("psr", "most_suitable_provider", True),
    ("psr", "competitive_process", True),
    ("pcr2013", "competitive_tender", False),
    ("psr", None, False),
    (None, None, False),
])
def test_only_the_routes_that_assess_the_key_criteria_ask_for_them(regime, process, assessed):
    assert assesses_key_criteria(regime, process) is assessed


@pytest.mark.parametrize(("process", "given", "message"), [
    ("direct_award_b", True, "Direct award process B assesses no key criteria: leave the weights "
                             "empty (only direct award process C, the most suitable provider "
                             "process and the competitive process record them)"),
    ("urgent_award", True, "Urgent award assesses no key criteria: leave the weights empty (only "
                           "direct award process C, the most suitable provider process and the "
                           "competitive process record them)"),
    ("direct_award_b", False, None),
    ("direct_award_c", True, None),
])
def test_weights_for_a_route_that_assesses_none_are_refused(process, given, message):
    assert criteria_not_assessed_problem("psr", process, given) == message
