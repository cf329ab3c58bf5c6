"""Rulings on conflicted people: what each allows, the proposals, DOMAIN.md's worked examples, the
sole-expertise exception, proxy votes, name-match dismissals and who takes the item."""
from __future__ import annotations

import datetime as dt

import pytest

from register.rules.conflicts import (
    DecisionFacts,
    Flag,
    Interest,
    Organisation,
    Participant,
    conflicted_people,
    conflicts_for,
)
from register.rules.rulings import (
    MATCH_OUTCOMES,
    RULINGS,
    attendance_breach,
    dismissal_problem,
    exception_problem,
    match_problem,
    may_be_present,
    may_see_papers,
    may_vote,
    presiding_member,
    propose_ruling,
    proxy_vote_problem,
    ruling_problem,
    scheme_practices,
    strongest,
    vote_problem,
)

D = dt.date


# --- What each ruling allows -----------------------------------------------------------------------


@pytest.mark.parametrize(("ruling", "vote", "present", "papers"), [
    (None, True, True, True),  # not conflicted
    ("note_only", True, True, True),
    ("no_vote", False, True, True),
    ("leave_item", False, False, True),
    ("exclude_all", False, False, False),
    ("remove_from_process", False, False, False),
])
def test_what_each_ruling_allows(ruling, vote, present, papers):
    assert (may_vote(ruling), may_be_present(ruling), may_see_papers(ruling)) == (
        vote, present, papers)


def test_the_five_rulings_in_order_of_strength_with_labels():
    assert list(RULINGS) == ["note_only", "no_vote", "leave_item", "exclude_all",
                             "remove_from_process"]
    assert RULINGS["leave_item"] == "Must leave the meeting for the item"
    assert strongest(["no_vote", "remove_from_process", "leave_item"]) == "remove_from_process"
    assert strongest(["note_only", "no_vote"]) == "no_vote"
    assert strongest([]) is None


def test_an_unknown_ruling_is_an_error_not_a_permission():
    with pytest.raises(ValueError, match="'vote_twice' is not a ruling"):
        may_vote("vote_twice")


@pytest.mark.parametrize(("ruling", "message"), [
    ("no_vote", None),
    ("", "Select a ruling for Dr Patel"),
    (None, "Select a ruling for Dr Patel"),
    ("banish", "Select one of the rulings for Dr Patel"),
])
def test_ruling_problem(ruling, message):
    assert ruling_problem(ruling, "Dr Patel") == message


# --- Proposals -------------------------------------------------------------------------------------


def flag(rule, interest_id=None, severity="conflict"):
    evidence = {"interest_id": interest_id} if interest_id is not None else {}
    return Flag(rule, 1, 9, evidence, "", severity)


def interest(id, type="financial", indirect=False):
    return Interest(id, 1, 9, "", type, indirect)


INTERESTS = {
    1: interest(1),
    2: interest(2, indirect=True),
    3: interest(3, "non_financial_professional"),
    4: interest(4, "non_financial_personal"),
    5: interest(5, "non_financial_professional", indirect=True),
}


@pytest.mark.parametrize(("flags", "policy", "role", "ruling", "reason"), [
    ([flag("COMMON_INTEREST")], "discuss_not_vote", "voting", "no_vote",
     "A common interest: the committee's policy is that they may take part in the discussion but "
     "not vote"),
    ([flag("COMMON_INTEREST")], "leave", "voting", "leave_item",
     "A common interest: the committee's policy is that they leave the meeting for the item"),
    ([flag("DIRECT_INTEREST", 1)], "discuss_not_vote", "voting", "leave_item",
     "A direct financial interest in a provider: they leave the meeting for the item"),
    ([flag("HOME_PRACTICE_PROVIDER")], "discuss_not_vote", "voting", "leave_item",
     "Their home practice stands to gain, a direct financial interest: they leave the meeting for "
     "the item"),
    ([flag("INDIRECT_INTEREST", 2)], "discuss_not_vote", "voting", "leave_item",
     "An indirect financial interest in a provider: they leave the meeting for the item"),
    ([flag("INTEREST_IN_MEMBER_OF_PROVIDER", 1)], "discuss_not_vote", "voting", "leave_item",
     "A direct financial interest in a member of a provider: they leave the meeting for the item"),
    ([flag("DIRECT_INTEREST", 3)], "discuss_not_vote", "voting", "no_vote",
     "A non-financial professional interest (direct) in a provider: they may take part in the "
     "discussion but not vote"),
    ([flag("DIRECT_INTEREST", 4)], "discuss_not_vote", "voting", "no_vote",
     "A non-financial personal interest (direct) in a provider: they may take part in the "
     "discussion but not vote"),
    ([flag("INTEREST_IN_MEMBER_OF_PROVIDER", 5)], "leave", "attendee", "no_vote",
     "A non-financial professional interest (held by a close associate) in a member of a "
     "provider: they may take part in the discussion but not vote"),
    # The kind of interest unknown: treated as financial, and the reason says so.
    ([flag("DIRECT_INTEREST", 99)], "discuss_not_vote", "voting", "leave_item",
     "An interest (direct) in a provider whose kind is not recorded, so treated as financial: "
     "they leave the meeting for the item"),
    # The strongest applies across flags, whatever their order.
    ([flag("COMMON_INTEREST"), flag("DIRECT_INTEREST", 1)], "discuss_not_vote", "voting",
     "leave_item", "A direct financial interest in a provider: they leave the meeting for the item"),
    ([flag("DIRECT_INTEREST", 3), flag("COMMON_INTEREST")], "leave", "voting", "leave_item",
     "A common interest: the committee's policy is that they leave the meeting for the item"),
    # Breaches sit beside the conflict and do not change it.
    ([flag("COMMON_INTEREST"), flag("UNDECLARED_PRACTICE_LINK", severity="breach"),
      flag("LATE_DECLARATION", 1, "breach")], "discuss_not_vote", "voting", "no_vote",
     "A common interest: the committee's policy is that they may take part in the discussion but "
     "not vote"),
    # An evaluator with any conflict is removed from the process.
    ([flag("DIRECT_INTEREST", 4)], "discuss_not_vote", "evaluator", "remove_from_process",
     "An evaluator with a conflict: they are removed from the procurement process"),
    ([flag("COMMON_INTEREST")], "discuss_not_vote", "evaluator", "remove_from_process",
     "An evaluator with a conflict: they are removed from the procurement process"),
    # A possible match proposes nothing until confirmed; a confirmed one counts as the interest.
    ([flag("POSSIBLE_NAME_MATCH", 1, "possible")], "discuss_not_vote", "voting", "note_only",
     "No conflict to manage: the interest is noted"),
    ([flag("POSSIBLE_NAME_MATCH", 4, "possible")], "discuss_not_vote", "evaluator", "note_only",
     "No conflict to manage: the interest is noted"),
    ([flag("POSSIBLE_NAME_MATCH", 1, "conflict")], "discuss_not_vote", "voting", "leave_item",
     "A direct financial interest in a provider: they leave the meeting for the item"),
    ([flag("ENDED_INTEREST", 1, "context")], "discuss_not_vote", "voting", "note_only",
     "No conflict to manage: the interest is noted"),
    ([], "discuss_not_vote", "voting", "note_only", "No conflict to manage: the interest is noted"),
])
def test_proposed_rulings(flags, policy, role, ruling, reason):
    assert propose_ruling(flags, policy, role, interests=INTERESTS) == (ruling, reason)


def test_without_the_interests_an_interest_counts_as_financial():
    assert propose_ruling([flag("DIRECT_INTEREST", 3)], "discuss_not_vote", "voting")[0] == \
        "leave_item"
    assert propose_ruling([flag("INDIRECT_INTEREST", 3)], "discuss_not_vote", "voting")[1].startswith(
        "An interest (held by a close associate) in a provider whose kind is not recorded")


# --- DOMAIN.md worked examples, from conflict detection to proposal ---------------------------------

RIVERSIDE, HILLSIDE, PHYSIO, TRUST = 1, 2, 20, 30
ORGS = {
    RIVERSIDE: Organisation(RIVERSIDE, "Riverside Surgery", "practice", "A81001", True),
    HILLSIDE: Organisation(HILLSIDE, "Hillside Medical Centre", "practice", "A81002", True),
    PHYSIO: Organisation(PHYSIO, "Physio Plus Ltd", "independent", None, False),
    TRUST: Organisation(TRUST, "County Hospitals NHS Trust", "trust", "RX1", False),
}
MEETING = D(2025, 4, 10)


def proposals(decision, participants, interests):
    flags = conflicts_for(decision, participants, ORGS, [], interests)
    roles = {p.person_id: p.role_in_decision for p in participants}
    by_id = {i.id: i for i in interests}
    return {person_id: propose_ruling(person_flags, decision.common_interest_policy,
                                      roles[person_id], interests=by_id)
            for person_id, person_flags in conflicted_people(flags).items()}


def test_worked_example_1_both_gps_may_discuss_but_not_vote():
    committee = [Participant(10, "Lay Chair"), Participant(11, "Lay Two"),
                 Participant(12, "Lay Three"), Participant(13, "Exec One"),
                 Participant(14, "Exec Two"),
                 Participant(15, "Dr Gee Pee", "voting", RIVERSIDE),
                 Participant(16, "Dr Hilda Pee", "voting", HILLSIDE)]
    declared = [Interest(1, 15, RIVERSIDE, "", "financial", nature="Partner", date_from=D(2020, 1, 1),
                         declared_on=D(2020, 1, 5)),
                Interest(2, 16, HILLSIDE, "", "financial", nature="Partner", date_from=D(2020, 1, 1),
                         declared_on=D(2020, 1, 5))]
    decision = DecisionFacts(1, MEETING, (), None, True, "discuss_not_vote")
    proposed = proposals(decision, committee, declared)
    assert {p: r for p, (r, _) in proposed.items()} == {15: "no_vote", 16: "no_vote"}
    assert "common interest" in proposed[15][1]


@pytest.mark.parametrize(("policy", "ruling"), [("discuss_not_vote", "no_vote"),
                                                ("leave", "leave_item")])
def test_a_scheme_naming_every_practice_as_provider_proposes_the_common_interest_policy(
        policy, ruling):
    """Direct Award B lists the member practices as providers: each GP's own practice, and their
    declared partnership in it, is the common interest, so the committee's policy is proposed;
    a further stake (a directorship of a federation also providing) still outranks it."""
    federation = 40
    orgs = {**ORGS, federation: Organisation(federation, "North Federation", "federation", None,
                                             False)}
    committee = [Participant(10, "Lay Chair"),
                 Participant(15, "Dr Gee Pee", "voting", RIVERSIDE),
                 Participant(16, "Dr Hilda Pee", "voting", HILLSIDE),
                 Participant(17, "Dr Fed Director", "voting", HILLSIDE)]
    declared = [Interest(1, 15, RIVERSIDE, "", "financial", nature="Partner",
                         date_from=D(2020, 1, 1), declared_on=D(2020, 1, 5)),
                Interest(2, 17, federation, "", "financial", nature="Director",
                         date_from=D(2020, 1, 1), declared_on=D(2020, 1, 5))]
    decision = DecisionFacts(1, MEETING, (RIVERSIDE, HILLSIDE, federation), None, True, policy)
    flags = conflicts_for(decision, committee, orgs, [], declared)
    by_person = conflicted_people(flags)
    assert {f.rule for f in by_person[15]} >= {"COMMON_INTEREST", "HOME_PRACTICE_PROVIDER",
                                                "DIRECT_INTEREST"}
    by_id = {i.id: i for i in declared}
    proposed = {p: propose_ruling(f, policy, "voting", interests=by_id)
                for p, f in by_person.items()}
    assert proposed[15] == proposed[16]
    assert proposed[15][0] == ruling
    assert proposed[15][1].startswith("A common interest: the committee's policy is that they ")
    assert proposed[17][0] == "leave_item"
    if policy == "discuss_not_vote":
        assert proposed[17][1] == ("A direct financial interest in a provider: they leave the "
                                   "meeting for the item")


@pytest.mark.parametrize(("policy", "ruling"), [("discuss_not_vote", "no_vote"),
                                                ("leave", "leave_item")])
def test_a_partner_with_no_home_practice_on_record_gets_the_common_interest_policy(policy,
                                                                                   ruling):
    """A GP whose home practice was never set but who declared a partnership in one of the
    member practices a scheme offered to every practice names as providers has the same common
    interest as a GP whose home practice it is; a spouse's partnership, a stake in another
    provider, or a scheme not offered to all still propose what they did."""
    federation = 40
    orgs = {**ORGS, federation: Organisation(federation, "North Federation", "federation", None,
                                             False)}
    committee = [Participant(15, "Dr Home Set", "voting", RIVERSIDE),
                 Participant(18, "Dr No Home", "voting"),
                 Participant(19, "Lay Spouse", "voting"),
                 Participant(20, "Dr Also Director", "voting")]
    declared = [Interest(1, 15, RIVERSIDE, "", "financial", nature="Partner",
                         date_from=D(2020, 1, 1), declared_on=D(2020, 1, 5)),
                Interest(2, 18, RIVERSIDE, "", "financial", nature="Partner",
                         date_from=D(2020, 1, 1), declared_on=D(2020, 1, 5)),
                Interest(3, 19, HILLSIDE, "", "financial", True, "spouse", "Spouse is partner",
                         D(2020, 1, 1), None, D(2020, 1, 5)),
                Interest(4, 20, HILLSIDE, "", "financial", nature="Partner",
                         date_from=D(2020, 1, 1), declared_on=D(2020, 1, 5)),
                Interest(5, 20, federation, "", "financial", nature="Director",
                         date_from=D(2020, 1, 1), declared_on=D(2020, 1, 5))]
    by_id = {i.id: i for i in declared}
    for offered_to_all in (True, False):
        decision = DecisionFacts(1, MEETING, (RIVERSIDE, HILLSIDE, federation), None,
                                 offered_to_all, policy)
        flags = conflicts_for(decision, committee, orgs, [], declared)
        scheme = scheme_practices(offered_to_all, (f.organisation_id for f in flags
                                                   if f.rule == "PROVIDER_IS_MEMBER_PRACTICE"))
        proposed = {p: propose_ruling(f, policy, "voting", interests=by_id,
                                      scheme_practice_ids=scheme)
                    for p, f in conflicted_people(flags).items()}
        if offered_to_all:
            assert scheme == {RIVERSIDE, HILLSIDE}
            assert proposed[18] == proposed[15]
            assert proposed[18][0] == ruling
            assert proposed[18][1].startswith("A common interest: the committee's policy is ")
        else:
            assert scheme == set()
            assert proposed[18] == ("leave_item", "A direct financial interest in a provider: "
                                                  "they leave the meeting for the item")
        # A close associate's partnership is not their own practice; a directorship of another
        # provider is a further stake: both still leave the meeting.
        assert proposed[19][0] == "leave_item"
        assert proposed[20][0] == "leave_item"


def test_a_home_practice_that_is_not_the_common_interest_still_outranks_it():
    """Their practice named as provider through a network it belongs to is a further stake."""
    common = Flag("COMMON_INTEREST", 1, RIVERSIDE, {"home_practice_id": RIVERSIDE})
    through_network = Flag("HOME_PRACTICE_PROVIDER", 1, RIVERSIDE,
                           {"home_practice_id": RIVERSIDE, "provider_id": 50,
                            "link": [RIVERSIDE, 50]})
    assert propose_ruling([common, through_network], "discuss_not_vote", "voting")[0] == \
        "leave_item"


def test_worked_example_2_the_lay_member_leaves_for_the_item():
    lay = Participant(4, "Ruth Lay")
    spouse = Interest(7, 4, PHYSIO, "", "financial", True, "spouse", "Owns the company",
                      D(2024, 1, 1), None, D(2024, 1, 10))
    decision = DecisionFacts(1, MEETING, (PHYSIO, TRUST))
    proposed = proposals(decision, [lay, Participant(3, "Dr Ben Okafor", "voting", HILLSIDE)],
                         [spouse])
    assert proposed == {4: ("leave_item", "An indirect financial interest in a provider: they "
                                          "leave the meeting for the item")}
    assert not may_be_present("leave_item") and may_see_papers("leave_item")


def test_an_evaluator_who_works_for_a_bidder_is_removed_from_the_process():
    evaluator = Participant(5, "Eve Evaluator", "evaluator")
    job = Interest(8, 5, PHYSIO, "", "financial", nature="Employee", date_from=D(2023, 1, 1),
                   declared_on=D(2023, 1, 2))
    proposed = proposals(DecisionFacts(1, MEETING, (PHYSIO,)), [evaluator], [job])
    assert proposed[5][0] == "remove_from_process"


# --- The sole-expertise exception, name matches ----------------------------------------------------


@pytest.mark.parametrize(("reason", "mitigation", "message"), [
    ("Only cardiologist in the area", "Scored by two others; she did not see the bids", None),
    ("", "Scored by two others",
     "Enter why this person is the only one with the expertise needed"),
    ("   \n ", "Scored by two others",
     "Enter why this person is the only one with the expertise needed"),
    (None, None, "Enter why this person is the only one with the expertise needed"),
    ("Only cardiologist in the area", "",
     "Enter the steps taken so that no provider gains an unfair advantage"),
    ("Only cardiologist in the area", "  ",
     "Enter the steps taken so that no provider gains an unfair advantage"),
])
def test_exception_needs_a_reason_and_the_mitigation(reason, mitigation, message):
    assert exception_problem(reason, mitigation) == message


@pytest.mark.parametrize(("ruling", "allowed"), [
    ("note_only", True), ("no_vote", True), ("leave_item", False), ("exclude_all", False),
    ("remove_from_process", False),
])
def test_exception_goes_only_with_a_ruling_that_keeps_them_in_the_room(ruling, allowed):
    problem = exception_problem("Only cardiologist", "Did not see the bids", ruling, "Dr Rees")
    if allowed:
        assert problem is None
    else:
        assert problem.startswith("The sole-expertise exception lets Dr Rees take part, so it "
                                  "cannot go with")


@pytest.mark.parametrize(("reason", "message"), [
    ("Different company: registered in Leeds, number 01234567", None),
    ("", "Enter why this is not the same organisation"),
    ("  ", "Enter why this is not the same organisation"),
    (None, "Enter why this is not the same organisation"),
])
def test_dismissing_a_name_match_needs_a_reason(reason, message):
    assert dismissal_problem(reason) == message


@pytest.mark.parametrize(("outcome", "reason", "message"), [
    ("confirm", "", None),
    ("dismiss", "Different company", None),
    ("dismiss", "", "Enter why this is not the same organisation"),
    (None, "", "Select whether this is the same organisation"),
    ("maybe", "", "Select whether this is the same organisation"),
])
def test_settling_a_name_match(outcome, reason, message):
    assert set(MATCH_OUTCOMES) == {"confirm", "dismiss"}
    assert match_problem(outcome, reason) == message


# --- Votes, proxies, attendance ---------------------------------------------------------------------

RULED = {1: "no_vote", 2: "leave_item", 3: "note_only"}
NAMES = {1: "Dr Patel", 2: "Ruth Lay", 3: "Sam Jones", 4: "Ada Exec", 5: "Ben Lay"}


@pytest.mark.parametrize(("voter", "proxy_for", "message"), [
    (4, None, None),
    (4, 5, None),  # neither conflicted: a proxy is the committee's own business
    (4, 1, "Dr Patel is conflicted on this decision, and a conflicted member may not hand their "
           "vote to anyone"),
    (4, 2, "Ruth Lay is conflicted on this decision, and a conflicted member may not hand their "
           "vote to anyone"),
    # Even a conflict only noted: the conflicted member votes in person or not at all.
    (4, 3, "Sam Jones is conflicted on this decision, and a conflicted member may not hand their "
           "vote to anyone"),
    (1, 5, "Dr Patel was ruled out of the vote, so cannot cast a vote for anyone"),
    (4, 4, "A member cannot cast a proxy vote for themselves"),
])
def test_proxy_votes(voter, proxy_for, message):
    assert proxy_vote_problem(voter, proxy_for, RULED, NAMES) == message


def test_proxy_message_without_names():
    assert proxy_vote_problem(4, 1, RULED).startswith("This member is conflicted")


@pytest.mark.parametrize(("voter", "message"), [
    (3, None),
    (4, None),
    (1, "Dr Patel was ruled out of the vote (may take part in the discussion but not the vote), "
        "so their vote cannot be recorded"),
    (2, "Ruth Lay was ruled out of the vote (must leave the meeting for the item), so their vote "
        "cannot be recorded"),
])
def test_votes_from_people_ruled_out_are_refused(voter, message):
    assert vote_problem(voter, RULED, NAMES) == message


@pytest.mark.parametrize(("person", "message"), [
    (1, None),  # may stay for the discussion
    (4, None),
    (2, "Ruth Lay was recorded as present for the vote but was ruled out of the room (must leave "
        "the meeting for the item): a breach"),
])
def test_presence_of_someone_ruled_out_of_the_room_is_a_breach(person, message):
    assert attendance_breach(person, RULED, NAMES) == message


# --- Who takes the item ----------------------------------------------------------------------------


@pytest.mark.parametrize(("chair", "vice", "rulings", "expected"), [
    (10, 11, {}, (10, "The chair takes the item")),
    (10, 11, {10: "note_only"}, (10, "The chair takes the item")),
    (10, 11, {10: "no_vote"}, (11, "The chair is conflicted, so the vice-chair takes the item")),
    (10, 11, {10: "leave_item", 12: "leave_item"},
     (11, "The chair is conflicted, so the vice-chair takes the item")),
    (10, 11, {10: "leave_item", 11: "no_vote"},
     (None, "The chair is conflicted and the vice-chair is conflicted too: the committee must "
            "choose a member who is not conflicted to take the item")),
    (10, None, {10: "exclude_all"},
     (None, "The chair is conflicted and there is no vice-chair: the committee must choose a "
            "member who is not conflicted to take the item")),
    (None, 11, {}, (11, "The committee has no chair, so the vice-chair takes the item")),
])
def test_presiding_member(chair, vice, rulings, expected):
    assert presiding_member(chair, vice, rulings) == expected
