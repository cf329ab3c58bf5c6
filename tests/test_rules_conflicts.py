"""Conflict detection: each rule with small tables of cases, the edges, and DOMAIN.md's worked examples."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from register.rules.conflicts import (
    RULES,
    DecisionFacts,
    Flag,
    Interest,
    Organisation,
    OrgLink,
    Participant,
    conflicted_people,
    conflicts_for,
    decision_is_flagged,
    possible_conflicts,
)

D = dt.date
MEETING = D(2025, 4, 10)

# Organisations used throughout: two member practices, a non-member practice, a federation of
# member practices, a network inside that federation, and two companies.
RIVERSIDE, HILLSIDE, OUTSIDE, FEDERATION, NETWORK, PHYSIO, GOTODOC, TRUST = 1, 2, 3, 10, 11, 20, 21, 30
ORGS = {
    RIVERSIDE: Organisation(RIVERSIDE, "Riverside Surgery", "practice", "A81001", True),
    HILLSIDE: Organisation(HILLSIDE, "Hillside Medical Centre", "practice", "A81002", True),
    OUTSIDE: Organisation(OUTSIDE, "Far Away Surgery", "practice", "B99001", False),
    FEDERATION: Organisation(FEDERATION, "North Federation", "federation", None, False),
    NETWORK: Organisation(NETWORK, "Riverside PCN", "network", "U12345", False),
    PHYSIO: Organisation(PHYSIO, "Physio Plus Ltd", "independent", None, False),
    GOTODOC: Organisation(GOTODOC, "Go-To-Doc Ltd", "independent", None, False),
    TRUST: Organisation(TRUST, "County Hospitals NHS Trust", "trust", "RX1", False),
}

PATEL = Participant(1, "Dr Asha Patel", "voting", RIVERSIDE)
JONES = Participant(2, "Sam Jones", "voting", None)
OKAFOR = Participant(3, "Dr Ben Okafor", "voting", HILLSIDE)
LAY = Participant(4, "Ruth Lay", "voting", None)


def decision(providers=(), awarded=None, offered_to_all=False, policy="discuss_not_vote",
             meeting=MEETING):
    return DecisionFacts(1, meeting, tuple(providers), awarded, offered_to_all, policy)


def interest(id=7, person=1, org=None, name="", type="financial", indirect=False, relationship="",
             nature="Partner", start=D(2024, 1, 1), end=None, declared=D(2024, 1, 10),
             withdrawn=False):
    return Interest(id, person, org, name, type, indirect, relationship, nature, start, end,
                    declared, withdrawn)


def flags_for(dec, participants=(PATEL,), links=(), interests=(), orgs=ORGS):
    return conflicts_for(dec, list(participants), orgs, list(links), list(interests))


def rules(flags, person_id="any"):
    return [f.rule for f in flags if person_id == "any" or f.person_id == person_id]


def only(flags, rule):
    found = [f for f in flags if f.rule == rule]
    assert len(found) == 1, [f.rule for f in flags]
    return found[0]


def test_every_rule_is_documented_in_the_module_docstring():
    import register.rules.conflicts as module
    for rule in RULES:
        assert rule in module.__doc__


# --- Decision-level rules ------------------------------------------------------------------------


@pytest.mark.parametrize(("providers", "awarded", "expected"), [
    ([RIVERSIDE], None, ["Riverside Surgery (A81001) is a member practice",
                         "is proposed to provide the service"]),
    ([TRUST], RIVERSIDE, ["Riverside Surgery (A81001) is a member practice",
                          "was awarded the contract"]),
    ([RIVERSIDE], RIVERSIDE, ["was awarded the contract"]),
])
def test_provider_is_member_practice(providers, awarded, expected):
    flags = flags_for(decision(providers, awarded), participants=[])
    flag = only(flags, "PROVIDER_IS_MEMBER_PRACTICE")
    assert (flag.person_id, flag.organisation_id, flag.severity) == (None, RIVERSIDE, "conflict")
    assert flag.evidence == {"provider_id": RIVERSIDE}
    for words in expected:
        assert words in flag.sentence
    assert "stands to gain" in flag.sentence
    assert decision_is_flagged(flags)


@pytest.mark.parametrize("provider", [OUTSIDE, TRUST, PHYSIO])
def test_a_provider_that_is_not_a_member_practice_does_not_flag_the_decision(provider):
    assert flags_for(decision([provider]), participants=[]) == []
    assert not decision_is_flagged([])


@pytest.mark.parametrize(("link", "flagged"), [
    (OrgLink(RIVERSIDE, FEDERATION), True),
    (OrgLink(RIVERSIDE, FEDERATION, D(2020, 1, 1), None), True),
    (OrgLink(RIVERSIDE, FEDERATION, None, MEETING), True),  # left on the meeting day: still a member
    (OrgLink(RIVERSIDE, FEDERATION, MEETING, None), True),  # joined on the day
    (OrgLink(RIVERSIDE, FEDERATION, None, MEETING - dt.timedelta(days=1)), False),  # left the day before
    (OrgLink(RIVERSIDE, FEDERATION, MEETING + dt.timedelta(days=1), None), False),  # joined after
    (OrgLink(OUTSIDE, FEDERATION), False),  # a practice that is not a member practice
    (OrgLink(RIVERSIDE, TRUST), False),  # linked to an organisation that is not a provider
])
def test_provider_owned_by_member_practices_uses_links_on_the_meeting_date(link, flagged):
    flags = flags_for(decision([FEDERATION]), participants=[], links=[link])
    assert ("PROVIDER_OWNED_BY_MEMBERS" in rules(flags)) is flagged
    if flagged:
        flag = only(flags, "PROVIDER_OWNED_BY_MEMBERS")
        assert flag.organisation_id == RIVERSIDE
        assert flag.evidence == {"provider_id": FEDERATION, "link": [RIVERSIDE, FEDERATION]}
        assert flag.sentence == (
            "Riverside Surgery (A81001), a member practice, belongs to North Federation, which is "
            "proposed to provide the service, so the practice stands to gain.")


def test_every_member_practice_of_a_provider_gets_its_own_flag():
    links = [OrgLink(HILLSIDE, FEDERATION), OrgLink(RIVERSIDE, FEDERATION), OrgLink(OUTSIDE, FEDERATION)]
    flags = flags_for(decision([FEDERATION]), participants=[], links=links)
    assert [f.organisation_id for f in flags] == [HILLSIDE, RIVERSIDE]


def test_a_company_owned_by_member_practices_is_flagged():
    flags = flags_for(decision(awarded=GOTODOC), participants=[],
                      links=[OrgLink(HILLSIDE, GOTODOC)])
    flag = only(flags, "PROVIDER_OWNED_BY_MEMBERS")
    assert "Hillside Medical Centre (A81002), a member practice, belongs to Go-To-Doc Ltd" in flag.sentence
    assert "was awarded the contract" in flag.sentence


def test_membership_is_followed_through_a_network_inside_a_federation():
    links = [OrgLink(RIVERSIDE, NETWORK), OrgLink(NETWORK, FEDERATION)]
    flags = flags_for(decision([FEDERATION]), participants=[], links=links)
    flag = only(flags, "PROVIDER_OWNED_BY_MEMBERS")
    assert flag.evidence == {"provider_id": FEDERATION, "link": [RIVERSIDE, NETWORK],
                             "path": [RIVERSIDE, NETWORK, FEDERATION]}
    assert ("belongs to Riverside PCN (U12345), which belongs to North Federation, which is "
            "proposed") in flag.sentence


def test_circular_links_do_not_loop():
    links = [OrgLink(NETWORK, FEDERATION), OrgLink(FEDERATION, NETWORK), OrgLink(RIVERSIDE, NETWORK)]
    flags = flags_for(decision([FEDERATION]), participants=[], links=links)
    assert rules(flags) == ["PROVIDER_OWNED_BY_MEMBERS"]


# --- Direct and indirect interests ---------------------------------------------------------------


def test_direct_interest_sentence():
    flags = flags_for(decision([RIVERSIDE]), participants=[JONES],
                      interests=[interest(person=2, org=RIVERSIDE, declared=D(2025, 3, 3),
                                          start=D(2025, 3, 1))])
    flag = only(flags, "DIRECT_INTEREST")
    assert (flag.person_id, flag.organisation_id, flag.severity) == (2, RIVERSIDE, "conflict")
    assert flag.evidence == {"interest_id": 7, "provider_id": RIVERSIDE}
    assert flag.sentence == (
        "Sam Jones holds an interest in Riverside Surgery (A81001), which is proposed to provide the "
        "service: a direct financial interest (\u201cPartner\u201d) declared on 3 March 2025.")


@pytest.mark.parametrize(("relationship", "holder"), [
    ("Spouse", "Sam Jones's spouse holds an interest in Physio Plus Ltd"),
    ("daughter", "Sam Jones's daughter holds an interest in Physio Plus Ltd"),
    ("GP partner", "Sam Jones's GP partner holds an interest"),
    ("", "A close associate of Sam Jones holds an interest in Physio Plus Ltd"),
])
def test_indirect_interest_names_the_relationship(relationship, holder):
    flags = flags_for(decision([PHYSIO]), participants=[JONES],
                      interests=[interest(person=2, org=PHYSIO, indirect=True,
                                          relationship=relationship, nature="Owns the company")])
    flag = only(flags, "INDIRECT_INTEREST")
    assert flag.sentence.startswith(holder)
    assert "an indirect financial interest (\u201cOwns the company\u201d)" in flag.sentence
    assert "DIRECT_INTEREST" not in rules(flags)


@pytest.mark.parametrize(("type", "words"), [
    ("financial", "a direct financial interest"),
    ("non_financial_professional", "a direct non-financial professional interest"),
    ("non_financial_personal", "a direct non-financial personal interest"),
])
def test_every_type_of_interest_conflicts(type, words):
    flags = flags_for(decision([TRUST]), participants=[LAY],
                      interests=[interest(person=4, org=TRUST, type=type, nature="Trustee")])
    assert words in only(flags, "DIRECT_INTEREST").sentence


def test_an_interest_in_the_awarded_provider_conflicts_even_if_it_was_not_proposed():
    flags = flags_for(decision([TRUST], awarded=PHYSIO), participants=[JONES],
                      interests=[interest(person=2, org=PHYSIO)])
    assert "was awarded the contract" in only(flags, "DIRECT_INTEREST").sentence


@pytest.mark.parametrize("indirect", [False, True])
def test_interest_in_a_member_practice_of_a_proposed_federation(indirect):
    flags = flags_for(decision([FEDERATION]), participants=[JONES],
                      links=[OrgLink(RIVERSIDE, FEDERATION)],
                      interests=[interest(person=2, org=RIVERSIDE, indirect=indirect,
                                          relationship="husband")])
    flag = only(flags, "INTEREST_IN_MEMBER_OF_PROVIDER")
    assert flag.organisation_id == RIVERSIDE
    assert flag.evidence == {"interest_id": 7, "provider_id": FEDERATION, "link": [RIVERSIDE, FEDERATION]}
    assert "Riverside Surgery (A81001), a member of North Federation, which is proposed" in flag.sentence
    if indirect:
        assert flag.sentence.startswith("Sam Jones's husband holds an interest")
        assert "an indirect financial interest" in flag.sentence
    else:
        assert flag.sentence.startswith("Sam Jones holds an interest")
        assert "a direct financial interest" in flag.sentence


def test_interest_in_a_practice_whose_federation_link_ended_before_the_meeting_is_no_conflict():
    flags = flags_for(decision([FEDERATION]), participants=[JONES],
                      links=[OrgLink(RIVERSIDE, FEDERATION, None, D(2025, 1, 31))],
                      interests=[interest(person=2, org=RIVERSIDE)])
    assert flags == []


def test_an_interest_in_an_unrelated_organisation_is_not_a_conflict():
    flags = flags_for(decision([PHYSIO]), participants=[JONES],
                      interests=[interest(person=2, org=TRUST)])
    assert flags == []


def test_someone_elses_interest_does_not_conflict_a_participant():
    flags = flags_for(decision([PHYSIO]), participants=[JONES],
                      interests=[interest(person=99, org=PHYSIO)])
    assert flags == []


# --- As things stood on the meeting date ---------------------------------------------------------


@pytest.mark.parametrize(("start", "end", "expected"), [
    (D(2024, 1, 1), None, ["DIRECT_INTEREST"]),
    (D(2024, 1, 1), MEETING, ["DIRECT_INTEREST"]),  # ending on the meeting date still conflicts
    (D(2024, 1, 1), MEETING + dt.timedelta(days=1), ["DIRECT_INTEREST"]),
    (D(2024, 1, 1), MEETING - dt.timedelta(days=1), ["ENDED_INTEREST"]),  # the day before: context
    (MEETING, None, ["DIRECT_INTEREST", "LATE_DECLARATION"]),  # began on the day (declared later)
    (MEETING + dt.timedelta(days=1), None, []),  # began after the meeting: ignored entirely
])
def test_interest_dates_around_the_meeting(start, end, expected):
    declared = max(start + dt.timedelta(days=5), D(2024, 1, 10))
    flags = flags_for(decision([PHYSIO]), participants=[JONES],
                      interests=[interest(person=2, org=PHYSIO, start=start, end=end, declared=declared)])
    assert rules(flags) == expected


def test_an_ended_interest_is_shown_for_context_and_is_not_a_conflict():
    flags = flags_for(decision([PHYSIO]), participants=[JONES],
                      interests=[interest(person=2, org=PHYSIO, end=D(2025, 4, 9), nature="Director")])
    flag = only(flags, "ENDED_INTEREST")
    assert flag.severity == "context"
    assert flag.evidence == {"interest_id": 7, "provider_id": PHYSIO, "date_to": "2025-04-09"}
    assert flag.sentence == (
        "Sam Jones held an interest in Physio Plus Ltd, which is proposed to provide the service, "
        "until 9 April 2025, before the meeting on 10 April 2025: a past direct financial interest "
        "(\u201cDirector\u201d), shown for context and not a conflict.")
    assert not decision_is_flagged(flags)
    assert conflicted_people(flags) == {}


def test_a_withdrawn_interest_is_ignored():
    flags = flags_for(decision([PHYSIO]), participants=[JONES],
                      interests=[interest(person=2, org=PHYSIO, withdrawn=True)])
    assert flags == []


# --- Late declarations ---------------------------------------------------------------------------


@pytest.mark.parametrize(("declared", "late", "words"), [
    (D(2025, 1, 1), False, []),
    (D(2025, 1, 29), False, []),  # day 28: in time
    (D(2025, 1, 30), True, ["29 days after it arose on 1 January 2025", "limit is 28 days"]),
    (D(2025, 4, 10), True, ["99 days after it arose"]),  # late, but not after the meeting
    (D(2025, 4, 11), True, ["after the meeting on 10 April 2025", "100 days after it arose"]),
])
def test_late_declaration(declared, late, words):
    flags = flags_for(decision([PHYSIO]), participants=[JONES],
                      interests=[interest(person=2, org=PHYSIO, start=D(2025, 1, 1), declared=declared)])
    assert "DIRECT_INTEREST" in rules(flags)
    assert ("LATE_DECLARATION" in rules(flags)) is late
    if late:
        flag = only(flags, "LATE_DECLARATION")
        assert flag.severity == "breach"
        assert flag.sentence.startswith("Sam Jones declared their interest in Physio Plus Ltd on ")
        assert "a late declaration" in flag.sentence
        for word in words:
            assert word in flag.sentence


def test_declared_after_the_meeting_but_within_28_days_is_still_late():
    flags = flags_for(decision([PHYSIO]), participants=[JONES],
                      interests=[interest(person=2, org=PHYSIO, start=D(2025, 4, 1),
                                          declared=D(2025, 4, 20), indirect=True,
                                          relationship="wife")])
    assert rules(flags) == ["INDIRECT_INTEREST", "LATE_DECLARATION"]
    flag = only(flags, "LATE_DECLARATION")
    assert flag.evidence["after_meeting"] is True
    assert flag.evidence["days_late"] == 0
    assert flag.sentence == (
        "Sam Jones declared their wife's interest in Physio Plus Ltd on 20 April 2025, after the "
        "meeting on 10 April 2025: a late declaration, which is a breach.")


def test_a_late_but_ended_interest_is_context_only():
    flags = flags_for(decision([PHYSIO]), participants=[JONES],
                      interests=[interest(person=2, org=PHYSIO, start=D(2020, 1, 1), end=D(2024, 1, 1),
                                          declared=D(2023, 1, 1))])
    assert rules(flags) == ["ENDED_INTEREST"]


# --- Home practice -------------------------------------------------------------------------------


def test_home_practice_proposed_and_declared():
    flags = flags_for(decision([RIVERSIDE]), participants=[PATEL],
                      interests=[interest(person=1, org=RIVERSIDE)])
    assert rules(flags) == ["PROVIDER_IS_MEMBER_PRACTICE", "HOME_PRACTICE_PROVIDER", "DIRECT_INTEREST"]
    flag = only(flags, "HOME_PRACTICE_PROVIDER")
    assert flag.sentence == (
        "Dr Asha Patel's home practice is Riverside Surgery (A81001), which is proposed to provide "
        "the service: they are conflicted whether or not they have declared it.")


@pytest.mark.parametrize(("declarations", "undeclared"), [
    ([], True),
    ([interest(person=1, org=RIVERSIDE)], False),
    ([interest(person=1, org=None, name="The Riverside Surgery")], False),  # typed, not picked
    ([interest(person=1, org=RIVERSIDE, declared=D(2025, 5, 1))], False),  # late, flagged as such
    ([interest(person=1, org=RIVERSIDE, end=D(2025, 1, 1))], True),  # ended before the meeting
    ([interest(person=1, org=RIVERSIDE, withdrawn=True)], True),
    ([interest(person=1, org=RIVERSIDE, start=D(2025, 5, 1), declared=D(2025, 5, 1))], True),
    ([interest(person=1, org=HILLSIDE)], True),  # a different practice
    ([interest(person=9, org=RIVERSIDE)], True),  # someone else's declaration
])
def test_undeclared_practice_link(declarations, undeclared):
    flags = flags_for(decision([RIVERSIDE]), participants=[PATEL], interests=declarations)
    assert "HOME_PRACTICE_PROVIDER" in rules(flags)  # conflicted either way
    assert ("UNDECLARED_PRACTICE_LINK" in rules(flags)) is undeclared
    assert 1 in conflicted_people(flags)
    if undeclared:
        flag = only(flags, "UNDECLARED_PRACTICE_LINK")
        assert flag.severity == "breach"
        assert flag.organisation_id == RIVERSIDE
        assert flag.sentence == (
            "Dr Asha Patel has not declared an interest in their home practice, Riverside Surgery "
            "(A81001), which stands to gain from this decision: a missing declaration.")


def test_home_practice_is_a_member_of_the_proposed_federation():
    flags = flags_for(decision([FEDERATION]), participants=[PATEL],
                      links=[OrgLink(RIVERSIDE, FEDERATION)])
    assert rules(flags) == ["PROVIDER_OWNED_BY_MEMBERS", "HOME_PRACTICE_PROVIDER",
                            "UNDECLARED_PRACTICE_LINK"]
    flag = only(flags, "HOME_PRACTICE_PROVIDER")
    assert flag.evidence == {"home_practice_id": RIVERSIDE, "provider_id": FEDERATION,
                             "link": [RIVERSIDE, FEDERATION]}
    assert "Riverside Surgery (A81001), a member of North Federation, which is proposed" in flag.sentence


def test_home_practice_not_involved():
    assert flags_for(decision([PHYSIO]), participants=[PATEL]) == []


# --- Common interest -----------------------------------------------------------------------------


@pytest.mark.parametrize(("policy", "words"), [
    ("discuss_not_vote", "may take part in the discussion but not vote"),
    ("leave", "must leave the meeting for the item"),
])
def test_common_interest_follows_the_committee_policy(policy, words):
    flags = flags_for(decision(offered_to_all=True, policy=policy),
                      participants=[PATEL, JONES, OKAFOR],
                      interests=[interest(id=1, person=1, org=RIVERSIDE),
                                 interest(id=2, person=3, org=HILLSIDE)])
    assert [(f.rule, f.person_id) for f in flags] == [
        ("COMMON_INTEREST", None), ("COMMON_INTEREST", 1), ("COMMON_INTEREST", 3)]
    for flag in flags:
        assert words in flag.sentence
    assert flags[1].sentence.startswith(
        "Dr Asha Patel's home practice, Riverside Surgery (A81001), is a member practice and the "
        "scheme is offered to every member practice: a common interest")
    assert set(conflicted_people(flags)) == {1, 3}


def test_common_interest_only_for_member_practices():
    outsider = Participant(5, "Dr Far Away", "voting", OUTSIDE)
    flags = flags_for(decision(offered_to_all=True), participants=[outsider, LAY])
    assert [(f.rule, f.person_id) for f in flags] == [("COMMON_INTEREST", None)]
    assert conflicted_people(flags) == {}


def test_common_interest_with_an_undeclared_practice():
    flags = flags_for(decision(offered_to_all=True), participants=[OKAFOR])
    assert rules(flags, 3) == ["COMMON_INTEREST", "UNDECLARED_PRACTICE_LINK"]


# --- Possible matches by name --------------------------------------------------------------------


def test_free_text_interest_closely_matching_a_provider_is_a_possible_conflict():
    flags = flags_for(decision([GOTODOC]), participants=[JONES],
                      interests=[interest(person=2, org=None, name="GoToDoc Limited")])
    flag = only(flags, "POSSIBLE_NAME_MATCH")
    assert (flag.severity, flag.organisation_id) == ("possible", GOTODOC)
    assert flag.evidence == {"interest_id": 7, "matched_organisation_id": GOTODOC,
                             "provider_id": GOTODOC}
    assert flag.sentence == (
        "Sam Jones holds an interest in \u201cGoToDoc Limited\u201d, which may be Go-To-Doc Ltd, "
        "proposed to provide the service: a possible conflict for a governance lead to confirm or "
        "dismiss.")
    assert decision_is_flagged(flags)
    assert conflicted_people(flags) == {}
    assert possible_conflicts(flags) == {2: [flag]}


@pytest.mark.parametrize(("typed", "matches"), [
    ("Go-To-Doc Ltd", True),
    ("go to doc", True),
    ("The GoToDoc Ltd", True),
    ("Go Doc Ltd", False),
    ("", False),
])
def test_possible_name_match_variants(typed, matches):
    flags = flags_for(decision([GOTODOC]), participants=[JONES],
                      interests=[interest(person=2, org=None, name=typed)])
    assert ("POSSIBLE_NAME_MATCH" in rules(flags)) is matches


def test_name_match_with_a_member_practice_of_a_proposed_federation():
    flags = flags_for(decision([FEDERATION]), participants=[JONES], links=[OrgLink(RIVERSIDE, FEDERATION)],
                      interests=[interest(person=2, org=None, name="Riverside Medical Practice",
                                          indirect=True, relationship="brother")])
    flag = only(flags, "POSSIBLE_NAME_MATCH")
    assert flag.organisation_id == RIVERSIDE
    assert flag.sentence.startswith(
        "Sam Jones's brother holds an interest in \u201cRiverside Medical Practice\u201d, which may be "
        "Riverside Surgery (A81001), a member of North Federation, proposed to provide the service")


def test_north_road_is_not_south_road():
    orgs = {**ORGS, 40: Organisation(40, "North Road Surgery", "practice", "C11111", False)}
    flags = flags_for(decision([40]), participants=[JONES], orgs=orgs,
                      interests=[interest(person=2, org=None, name="South Road Surgery")])
    assert flags == []


def test_an_interest_linked_to_an_organisation_is_never_matched_by_name():
    # Issue 11: only free text is matched by name; a linked interest is identified by its
    # organisation (a duplicate registration is settled by identifiers, not guessed at here).
    orgs = {**ORGS, 41: Organisation(41, "GoToDoc Limited", "independent", None, False)}
    flags = flags_for(decision([GOTODOC]), participants=[JONES], orgs=orgs,
                      interests=[interest(person=2, org=41, name="GoToDoc Limited")])
    assert flags == []
    unlinked = flags_for(decision([GOTODOC]), participants=[JONES], orgs=orgs,
                         interests=[interest(person=2, org=None, name="GoToDoc Limited")])
    assert rules(unlinked) == ["POSSIBLE_NAME_MATCH"]


def test_organisations_with_different_ods_codes_are_never_a_name_match():
    orgs = {**ORGS, 42: Organisation(42, "Riverside Medical Centre", "practice", "Y77777", False)}
    flags = flags_for(decision([RIVERSIDE]), participants=[JONES], orgs=orgs,
                      interests=[interest(person=2, org=42)])
    assert rules(flags) == ["PROVIDER_IS_MEMBER_PRACTICE"]


def test_an_ended_free_text_interest_matching_a_provider_is_context():
    flags = flags_for(decision([GOTODOC]), participants=[JONES],
                      interests=[interest(person=2, org=None, name="GoToDoc Limited", end=D(2024, 6, 30))])
    flag = only(flags, "ENDED_INTEREST")
    assert "which may be Go-To-Doc Ltd" in flag.sentence
    assert "until 30 June 2024" in flag.sentence


# --- DOMAIN.md worked examples -------------------------------------------------------------------


def test_worked_example_1_a_scheme_for_all_practices():
    committee = [
        Participant(10, "Lay Chair", "voting"), Participant(11, "Lay Two", "voting"),
        Participant(12, "Lay Three", "voting"), Participant(13, "Exec One", "voting"),
        Participant(14, "Exec Two", "voting"),
        Participant(15, "Dr Gee Pee", "voting", RIVERSIDE),
        Participant(16, "Dr Hilda Pee", "voting", HILLSIDE),
    ]
    declared = [interest(id=1, person=15, org=RIVERSIDE), interest(id=2, person=16, org=HILLSIDE)]
    flags = flags_for(decision(offered_to_all=True, policy="discuss_not_vote"),
                      participants=committee, interests=declared)
    conflicted = conflicted_people(flags)
    assert set(conflicted) == {15, 16}
    assert all([f.rule for f in fl] == ["COMMON_INTEREST"] for fl in conflicted.values())
    assert "may take part in the discussion but not vote" in conflicted[15][0].sentence
    not_conflicted_voting = [p for p in committee if p.person_id not in conflicted]
    assert len(not_conflicted_voting) == 5


def test_worked_example_2_a_spouses_company():
    flags = flags_for(decision([PHYSIO, TRUST]), participants=[LAY, OKAFOR],
                      interests=[interest(person=4, org=PHYSIO, indirect=True, relationship="spouse",
                                          nature="Owns the company")])
    assert decision_is_flagged(flags)
    assert list(conflicted_people(flags)) == [4]
    flag = only(flags, "INDIRECT_INTEREST")
    assert flag.sentence.startswith("Ruth Lay's spouse holds an interest in Physio Plus Ltd, which is "
                                    "proposed to provide the service: an indirect financial interest")


def test_worked_example_3_an_interest_that_ended():
    meeting = D(2025, 11, 20)
    resigned = D(2025, 3, 20)  # eight months before
    flags = flags_for(decision([FEDERATION], meeting=meeting), participants=[JONES],
                      links=[OrgLink(HILLSIDE, FEDERATION)],
                      interests=[interest(person=2, org=FEDERATION, nature="Director",
                                          start=D(2019, 1, 1), end=resigned, declared=D(2019, 1, 5))])
    assert conflicted_people(flags) == {}
    context = only(flags, "ENDED_INTEREST")
    assert "until 20 March 2025, before the meeting on 20 November 2025" in context.sentence
    assert "not a conflict" in context.sentence
    # The federation's member practice still stands to gain: that is the decision's flag.
    assert rules(flags) == ["PROVIDER_OWNED_BY_MEMBERS", "ENDED_INTEREST"]


def test_worked_example_4_undeclared_practice_link():
    flags = flags_for(decision(awarded=RIVERSIDE), participants=[PATEL, LAY])
    assert rules(flags) == ["PROVIDER_IS_MEMBER_PRACTICE", "HOME_PRACTICE_PROVIDER",
                            "UNDECLARED_PRACTICE_LINK"]
    assert [f.rule for f in conflicted_people(flags)[1]] == ["HOME_PRACTICE_PROVIDER",
                                                            "UNDECLARED_PRACTICE_LINK"]
    assert "was awarded the contract" in only(flags, "HOME_PRACTICE_PROVIDER").sentence
    assert "missing declaration" in only(flags, "UNDECLARED_PRACTICE_LINK").sentence


# --- Order, duplicates, helpers ------------------------------------------------------------------


def _busy_case():
    participants = [JONES, PATEL, OKAFOR, LAY]
    links = [OrgLink(RIVERSIDE, FEDERATION), OrgLink(HILLSIDE, FEDERATION)]
    interests = [
        interest(id=1, person=2, org=PHYSIO, indirect=True, relationship="spouse"),
        interest(id=2, person=1, org=RIVERSIDE, declared=D(2025, 5, 1)),
        interest(id=3, person=3, org=None, name="GoToDoc Limited"),
        interest(id=4, person=4, org=FEDERATION, end=D(2024, 1, 1)),
        interest(id=5, person=3, org=TRUST),
    ]
    return decision([FEDERATION, PHYSIO, GOTODOC], offered_to_all=True), participants, links, interests


def test_flags_are_in_a_stable_order_whatever_the_input_order():
    dec, participants, links, interests = _busy_case()
    expected = flags_for(dec, participants, links, interests)
    rng = random.Random(4)
    for _ in range(20):
        for items in (participants, links, interests):
            rng.shuffle(items)
        assert flags_for(dec, participants, links, interests) == expected
    # Decision-level first, then people by name, then by rule.
    assert [(f.person_id, f.rule) for f in expected] == [
        (None, "PROVIDER_OWNED_BY_MEMBERS"), (None, "PROVIDER_OWNED_BY_MEMBERS"),
        (None, "COMMON_INTEREST"),
        (1, "COMMON_INTEREST"), (1, "HOME_PRACTICE_PROVIDER"), (1, "INTEREST_IN_MEMBER_OF_PROVIDER"),
        (1, "LATE_DECLARATION"),
        (3, "COMMON_INTEREST"), (3, "HOME_PRACTICE_PROVIDER"), (3, "POSSIBLE_NAME_MATCH"),
        (3, "UNDECLARED_PRACTICE_LINK"),
        (4, "ENDED_INTEREST"),
        (2, "INDIRECT_INTEREST"),
    ]


def test_a_person_listed_twice_is_flagged_once():
    flags = flags_for(decision([PHYSIO]), participants=[JONES, JONES],
                      interests=[interest(person=2, org=PHYSIO)])
    assert rules(flags) == ["DIRECT_INTEREST"]


def test_a_provider_missing_from_the_organisations_still_flags_interests():
    flags = flags_for(decision([999]), participants=[JONES], interests=[interest(person=2, org=999)])
    assert rules(flags) == ["DIRECT_INTEREST"]
    assert "organisation 999" in flags[0].sentence


def test_helpers_separate_conflicts_possibles_and_context():
    dec, participants, links, interests = _busy_case()
    flags = flags_for(dec, participants, links, interests)
    assert decision_is_flagged(flags)
    people = conflicted_people(flags)
    assert list(people) == [1, 3, 2]
    assert all(f.severity in ("conflict", "breach") for fl in people.values() for f in fl)
    assert 4 not in people  # only a past interest
    assert [f.rule for f in possible_conflicts(flags)[3]] == ["POSSIBLE_NAME_MATCH"]
    context_only = [Flag("ENDED_INTEREST", 4, FEDERATION, {}, "", "context")]
    assert not decision_is_flagged(context_only)
    assert conflicted_people(context_only) == {} and possible_conflicts(context_only) == {}


def test_every_flag_has_a_known_rule_severity_and_a_sentence():
    dec, participants, links, interests = _busy_case()
    for flag in flags_for(dec, participants, links, interests):
        assert flag.rule in RULES
        assert flag.severity in ("conflict", "breach", "possible", "context")
        assert flag.sentence.endswith(".") and flag.sentence[0].isupper()
        assert "None" not in flag.sentence


def test_dates_as_iso_text_are_accepted():
    dec = DecisionFacts(1, "2025-04-10", (PHYSIO,), None, False, "leave")
    flags = conflicts_for(dec, [JONES], ORGS, [],
                          [interest(person=2, org=PHYSIO, start="2025-04-11", declared="2025-04-12")])
    assert flags == []
