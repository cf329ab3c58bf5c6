"""Quorum: reading a committee's rule, counting a meeting after the rulings (with arithmetic a board
can follow), and each escalation when the meeting would be inquorate."""
from __future__ import annotations

import datetime as dt

import pytest

from register.rules.quorum import (
    ESCALATIONS,
    QuorumRule,
    QuorumRuleError,
    count_quorum,
    escalation_problem,
    parse_quorum_rule,
)

D = dt.date

# --- Reading the rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "minimum", "per_category", "words"), [
    ("5", 5, {}, "at least 5 voting members"),
    ("1", 1, {}, "at least 1 voting member"),
    ("5 including 1 lay, 1 executive", 5, {"lay": 1, "executive": 1},
     "at least 5 voting members, including 1 lay and 1 executive"),
    ("5; lay 1; executive 1", 5, {"lay": 1, "executive": 1},
     "at least 5 voting members, including 1 lay and 1 executive"),
    ("4 voting members including 1 lay member", 4, {"lay": 1},
     "at least 4 voting members, including 1 lay"),
    ("3 including 2 GPs and 1 lay", 3, {"gp": 2, "lay": 1},
     "at least 3 voting members, including 2 GPs and 1 lay"),
    ("  7 including 2 clinical; 1 lay; 1 exec", 7, {"gp": 2, "lay": 1, "executive": 1},
     "at least 7 voting members, including 2 GPs, 1 lay and 1 executive"),
    ("4 including 1 Lay Members", 4, {"lay": 1}, "at least 4 voting members, including 1 lay"),
    ("5 including 1 lay, 1 lay", 5, {"lay": 2}, "at least 5 voting members, including 2 lay"),
])
def test_parse_quorum_rule(text, minimum, per_category, words):
    rule = parse_quorum_rule(text)
    assert rule == QuorumRule(minimum, per_category)
    assert rule.describe() == words


@pytest.mark.parametrize(("text", "message"), [
    ("", "Enter the quorum, for example '5 including 1 lay, 1 executive'"),
    ("   ", "Enter the quorum, for example '5 including 1 lay, 1 executive'"),
    ("five", "The quorum must start with a whole number of voting members, not 'five'"),
    ("-1", "The quorum must start with a whole number of voting members, not '-1'"),
    ("0", "The quorum must be at least 1 voting member"),
    ("4 including 1 nurse", "'nurse' is not a member category: use GP, lay, executive or other"),
    ("4 including lay", "Cannot read 'lay' in the quorum: write it like '1 lay'"),
    ("3 including 2 lay, 2 gp", "The members required by category add up to more than the quorum"),
])
def test_bad_quorum_rules_say_why(text, message):
    with pytest.raises(QuorumRuleError) as error:
        parse_quorum_rule(text)
    assert str(error.value) == message


# --- Counting --------------------------------------------------------------------------------------

# Worked example 1's primary care committee: lay chair, 2 lay, 2 executives, 2 GP partners.
PCC = [(10, "lay"), (11, "lay"), (12, "lay"), (13, "executive"), (14, "executive"),
       (15, "gp"), (16, "gp")]
PCC_RULE = parse_quorum_rule("4 including 1 lay")


def test_worked_example_1_is_quorate_with_5_remaining():
    result = count_quorum(PCC_RULE, PCC, {15: "no_vote", 16: "no_vote"},
                          reasons={15: "common interest", 16: "common interest"})
    assert result.quorate
    assert result.remaining == 5
    assert result.remaining_ids == (10, 11, 12, 13, 14)
    assert result.remaining_by_category == {"gp": 0, "lay": 3, "executive": 2, "other": 0}
    assert result.arithmetic == [
        "7 voting members present",
        "2 GPs may not vote (common interest)",
        "5 voting members remain; the rule needs at least 4",
        "3 lay members remain; the rule needs at least 1",
    ]
    assert result.shortfall == []
    assert result.summary == "Quorate"


def test_a_conflict_only_noted_still_counts():
    result = count_quorum(PCC_RULE, PCC, {15: "note_only", 16: "no_vote"})
    assert result.remaining == 6
    assert result.arithmetic[1] == "1 GP may not vote"


def test_a_committee_made_inquorate_by_exclusions():
    rule = parse_quorum_rule("5 including 1 executive")
    rulings = {15: "leave_item", 16: "leave_item", 13: "exclude_all", 10: "no_vote"}
    result = count_quorum(rule, PCC, rulings)
    assert not result.quorate
    assert result.remaining == 3
    assert result.arithmetic == [
        "7 voting members present",
        "2 GPs leave the meeting for the item",
        "1 lay member may not vote",
        "1 executive is excluded from the item",
        "3 voting members remain; the rule needs at least 5",
        "1 executive remains; the rule needs at least 1",
    ]
    assert result.shortfall == ["2 more voting members are needed (3 remain; the rule needs at "
                                "least 5)"]
    assert result.summary == ("Inquorate: 2 more voting members are needed (3 remain; the rule "
                              "needs at least 5)")


def test_category_minimum_failing_when_no_lay_member_is_left():
    rule = parse_quorum_rule("3 including 1 lay")
    members = [(1, "lay"), (2, "gp"), (3, "gp"), (4, "executive"), (5, "executive")]
    result = count_quorum(rule, members, {1: "remove_from_process"},
                          reasons={1: "evaluator for a bidder"})
    assert result.remaining == 4
    assert not result.quorate
    assert "1 lay member is removed from the process (evaluator for a bidder)" in result.arithmetic
    assert result.arithmetic[-1] == "0 lay members remain; the rule needs at least 1"
    assert result.shortfall == ["1 more lay member is needed (none remain; the rule needs at "
                                "least 1)"]


def test_every_shortfall_is_listed():
    rule = parse_quorum_rule("4 including 2 lay, 1 executive")
    result = count_quorum(rule, [(1, "lay"), (2, "gp"), (3, "executive")], {3: "leave_item"})
    assert result.shortfall == [
        "2 more voting members are needed (2 remain; the rule needs at least 4)",
        "1 more lay member is needed (1 remains; the rule needs at least 2)",
        "1 more executive is needed (none remain; the rule needs at least 1)",
    ]


def test_present_set_smaller_than_the_members():
    present = {10, 13, 14, 15, 16}
    result = count_quorum(PCC_RULE, PCC, {15: "no_vote", 16: "no_vote"}, present)
    assert result.arithmetic[:3] == ["2 voting members absent", "5 voting members present",
                                     "2 GPs may not vote"]
    assert result.remaining == 3
    assert result.remaining_ids == (10, 13, 14)
    assert not result.quorate
    # Two lay members away and the chair ruled out: no lay member left.
    result = count_quorum(PCC_RULE, PCC, {10: "leave_item"}, present)
    assert result.shortfall == ["1 more lay member is needed (none remain; the rule needs at "
                                "least 1)"]
    # Someone in the room who is not a voting member does not count.
    assert count_quorum(PCC_RULE, PCC, {}, present | {99}).remaining == 5


def test_rulings_for_people_who_are_not_voting_members_are_ignored():
    result = count_quorum(PCC_RULE, PCC, {99: "exclude_all"})
    assert result.remaining == 7 and result.quorate
    assert result.arithmetic[1] == "7 voting members remain; the rule needs at least 4"


def test_a_member_listed_twice_counts_once():
    assert count_quorum(PCC_RULE, [*PCC, (10, "lay")], {}).remaining == 7


def test_unknown_categories_and_rulings_are_errors():
    with pytest.raises(ValueError, match="'nurse' is not a member category"):
        count_quorum(PCC_RULE, [(1, "nurse")], {})
    with pytest.raises(ValueError, match="'banish' is not a ruling"):
        count_quorum(PCC_RULE, PCC, {10: "banish"})


# --- Escalations ------------------------------------------------------------------------------------

MEETING = D(2025, 4, 10)
INQUORATE = {10: "leave_item", 11: "leave_item", 12: "exclude_all", 15: "no_vote"}


def test_the_four_escalations():
    assert list(ESCALATIONS) == ["defer", "refer", "co_opt", "chair_action"]
    assert not count_quorum(PCC_RULE, PCC, INQUORATE).quorate


@pytest.mark.parametrize(("kind", "details", "message"), [
    (None, {}, "Select how the decision will be taken now that the meeting would be inquorate"),
    ("ignore", {}, "Select how the decision will be taken now that the meeting would be inquorate"),
    # Defer: a new meeting date, after the original.
    ("defer", {"new_meeting_date": D(2025, 5, 8)}, None),
    ("defer", {}, "Enter the date of the meeting the decision is deferred to"),
    ("defer", {"new_meeting_date": "next month"},
     "Enter the date of the meeting the decision is deferred to"),
    ("defer", {"new_meeting_date": MEETING},
     "The new meeting date must be after the original meeting on 10 April 2025"),
    ("defer", {"new_meeting_date": D(2025, 3, 1)},
     "The new meeting date must be after the original meeting on 10 April 2025"),
    # Refer: another body, named.
    ("refer", {"referred_to": "NHS North Partner Board"}, None),
    ("refer", {"referred_to": "  "},
     "Enter the committee or partner organisation the decision is referred to"),
    ("refer", {}, "Enter the committee or partner organisation the decision is referred to"),
    ("refer", {"referred_to": " primary  care committee "},
     "Refer the decision to a different committee, not the one that is inquorate"),
    # Chair and accountable officer action: both named, two people, neither conflicted.
    ("chair_action", {"chair_name": "Ruth Vice", "accountable_officer_name": "Ada Officer"}, None),
    ("chair_action", {"accountable_officer_name": "Ada Officer"},
     "Select the chair taking the action"),
    ("chair_action", {"chair_name": "Ruth Vice", "accountable_officer_name": " "},
     "Select the accountable officer taking the action"),
    ("chair_action", {"chair_name": "Ruth Vice", "accountable_officer_name": "Ruth Vice",
                      "chair_id": 11, "accountable_officer_id": 11},
     "The chair and the accountable officer must be two different people"),
    ("chair_action", {"chair_name": "Lay Chair", "accountable_officer_name": "Ada Officer",
                      "chair_id": 10, "accountable_officer_id": 40},
     "Lay Chair is conflicted on this decision, so cannot take chair and accountable officer "
     "action"),
    ("chair_action", {"chair_name": "Exec One", "accountable_officer_name": "Ada Officer",
                      "chair_id": 13, "accountable_officer_id": 41},
     "The accountable officer is conflicted on this decision, so cannot take chair and "
     "accountable officer action"),
])
def test_escalation_problem(kind, details, message):
    assert escalation_problem(kind, details, meeting_date=MEETING, rulings=INQUORATE,
                              conflicted_ids={41}, names={10: "Lay Chair"},
                              committee_name="Primary Care Committee") == message


def co_opt(co_opted, present=None, names=None):
    return escalation_problem("co_opt", {"co_opted": co_opted}, rule=PCC_RULE, voting_members=PCC,
                              rulings=INQUORATE, present=present, conflicted_ids={30},
                              names=names or {20: "Dr Outside", 30: "Dr Conflicted",
                                              13: "Exec One"})


def test_co_opting_a_lay_member_restores_quorum():
    assert co_opt([(20, "lay")]) is None
    rule_with_co_opted = count_quorum(PCC_RULE, [*PCC, (20, "lay")], INQUORATE)
    assert rule_with_co_opted.quorate and rule_with_co_opted.remaining == 4


@pytest.mark.parametrize(("co_opted", "message"), [
    ([], "Name at least one member to co-opt who is not conflicted"),
    ([(30, "lay")], "Dr Conflicted is conflicted on this decision, so cannot be co-opted"),
    ([(10, "lay")], "A co-opted member is conflicted on this decision, so cannot be co-opted"),
    ([(13, "executive")], "Exec One is already a voting member at the meeting"),
    ([(20, "nurse")], "Select the member category of Dr Outside"),
    # A GP from outside the area makes up the numbers but not the lay member the rule needs.
    ([(20, "gp")], "The meeting would still be inquorate with the members co-opted: 1 more lay "
                   "member is needed (none remain; the rule needs at least 1)"),
])
def test_co_opting_refused(co_opted, message):
    assert co_opt(co_opted) == message


def test_co_opting_counts_the_co_opted_as_present():
    present = {10, 11, 12, 13, 15, 16}  # executive 14 away: 2 remain after the rulings
    assert co_opt([(20, "lay")], present) == (
        "The meeting would still be inquorate with the members co-opted: 1 more voting member "
        "is needed (3 remain; the rule needs at least 4)")
    assert co_opt([(20, "lay"), (21, "gp")], present) is None
    # A voting member who was absent may be brought in.
    assert co_opt([(20, "lay"), (14, "executive")], present) is None


def test_co_opting_needs_the_rule():
    with pytest.raises(ValueError):
        escalation_problem("co_opt", {"co_opted": [(20, "lay")]})
