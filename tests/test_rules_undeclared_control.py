"""A possible undeclared interest: a participant who may be a person with significant control of
a provider, and the person-name comparison behind it."""
from __future__ import annotations

import datetime as dt

import pytest

from register.rules.companies_house import nature_words, natures_words
from register.rules.conflicts import (
    Controller,
    DecisionFacts,
    Interest,
    Organisation,
    Participant,
    conflicts_for,
    possible_conflicts,
)
from register.rules.person_names import (
    births_agree,
    names_may_be_same_person,
    parse_person_name,
    person_name_from_elements,
)

MEETING = dt.date(2026, 3, 10)
PROVIDER = Organisation(10, "Go-To-Doc Ltd", kind="independent")
OTHER = Organisation(11, "Hill Physio Ltd", kind="independent")
ORGS = {10: PROVIDER, 11: OTHER}


def controller(**over) -> Controller:
    values = dict(id=7, organisation_id=10, name="Mrs Helen Mary Carter", forename="Helen",
                  middle_name="Mary", surname="Carter", birth_month=4, birth_year=1975,
                  natures_of_control=("ownership-of-shares-25-to-50-percent",),
                  notified_on=dt.date(2021, 3, 3))
    values.update(over)
    return Controller(**values)


def flags(person: Participant, *, controllers=(controller(),), interests=(), providers=(10,)):
    decision = DecisionFacts(1, MEETING, proposed_provider_ids=providers)
    return conflicts_for(decision, [person], ORGS, [], list(interests), list(controllers))


def helen(**over) -> Participant:
    return Participant(**{"person_id": 1, "name": "Helen Carter", **over})


def test_raised_with_its_source_as_a_possible_conflict():
    found = flags(helen())
    assert [f.rule for f in found] == ["POSSIBLE_UNDECLARED_INTEREST"]
    flag = found[0]
    assert flag.severity == "possible" and flag.person_id == 1 and flag.organisation_id == 10
    assert flag.evidence["interest_id"] == -7 and flag.evidence["psc_id"] == 7
    assert flag.evidence["provider_id"] == 10
    assert flag.sentence == (
        "Helen Carter may be Mrs Helen Mary Carter (Companies House: person with significant "
        "control of Go-To-Doc Ltd, notified 3 March 2021, 25-50% of shares). Go-To-Doc Ltd is "
        "proposed to provide the service and Helen Carter has declared no interest in it: a "
        "possible undeclared interest for a governance lead to confirm or dismiss.")
    assert possible_conflicts(found) == {1: found}


def test_not_raised_when_an_interest_in_the_provider_is_declared():
    declared = Interest(1, 1, organisation_id=10, date_from=dt.date(2021, 3, 3),
                        declared_on=dt.date(2021, 3, 10), nature="Shareholder")
    assert [f.rule for f in flags(helen(), interests=[declared])] == ["DIRECT_INTEREST"]
    typed = Interest(2, 1, organisation_name="GoToDoc Limited", date_from=dt.date(2021, 3, 3),
                     declared_on=dt.date(2021, 3, 10), nature="Shareholder")
    assert "POSSIBLE_UNDECLARED_INTEREST" not in [f.rule for f in
                                                  flags(helen(), interests=[typed])]


def test_an_interest_that_ended_before_the_meeting_does_not_count_as_declared():
    ended = Interest(1, 1, organisation_id=10, date_from=dt.date(2020, 1, 1),
                     date_to=dt.date(2025, 1, 1), declared_on=dt.date(2020, 1, 5))
    assert [f.rule for f in flags(helen(), interests=[ended])] == [
        "POSSIBLE_UNDECLARED_INTEREST", "ENDED_INTEREST"]


@pytest.mark.parametrize("month, year, raised", [
    (4, 1975, True),      # the same month and year
    (5, 1975, False),     # the birth month differs
    (4, 1976, False),     # the birth year differs
    (None, None, True),   # not recorded in the register: the name alone
    (None, 1975, True),   # only the year recorded, and it agrees
    (None, 1980, False),  # only the year recorded, and it differs
])
def test_month_and_year_of_birth_rule_it_out_only_when_they_differ(month, year, raised):
    found = flags(helen(birth_month=month, birth_year=year))
    assert bool(found) is raised


def test_only_while_they_control_a_provider_on_the_meeting_date():
    assert not flags(helen(), controllers=[controller(ceased_on=dt.date(2025, 12, 31))])
    assert not flags(helen(), controllers=[controller(notified_on=dt.date(2026, 3, 11))])
    assert flags(helen(), controllers=[controller(ceased_on=MEETING)])
    assert not flags(helen(), controllers=[controller(organisation_id=11)])
    assert flags(helen(), controllers=[controller(organisation_id=11)], providers=(10, 11))


def test_different_people_are_not_flagged():
    assert not flags(Participant(1, "Helen Carver"))
    assert not flags(Participant(1, "Ellen Carter"))
    assert not flags(Participant(1, "Helen Ruth Carter"))  # middle names disagree


@pytest.mark.parametrize("register_name, elements, same", [
    ("Dr Helen Carter", ("Helen", "Mary", "CARTER"), True),
    ("Helen M. Carter FRCGP", ("Helen", "Mary", "Carter"), True),
    ("Mrs Helen Mary Carter", ("Helen", "", "Carter"), True),
    ("Helen Ruth Carter", ("Helen", "Mary", "Carter"), False),
    ("H Carter", ("Helen", "", "Carter"), False),  # an initial alone is too many people
    ("Helen Carter", ("Helena", "", "Carter"), False),
    ("Jane Smith-Jones", ("Jane", "", "SMITH-JONES"), True),
    ("Jane Smith Jones", ("Jane", "", "Smith-Jones"), True),
    ("Jane Jones", ("Jane", "", "Smith-Jones"), False),
    ("Siobhán O'Brien", ("SIOBHAN", "", "OBRIEN"), True),
    ("Professor Sir Ian Grant OBE", ("Ian", "", "Grant"), True),
])
def test_person_names(register_name, elements, same):
    assert names_may_be_same_person(parse_person_name(register_name),
                                    person_name_from_elements(*elements)) is same


def test_a_name_without_elements_is_read_whole():
    assert person_name_from_elements("", "", "", "Mr Oliver James Grant") == \
        parse_person_name("Oliver James Grant")


def test_births_agree():
    assert births_agree(4, 1975, 4, 1975) and births_agree(None, None, 4, 1975)
    assert not births_agree(4, 1975, 5, 1975) and not births_agree(4, 1975, 4, 1974)


@pytest.mark.parametrize("nature, words", [
    ("ownership-of-shares-25-to-50-percent", "25-50% of shares"),
    ("voting-rights-75-to-100-percent-as-trust", "75-100% of voting rights as a trustee"),
    ("ownership-of-shares-more-than-25-percent-registered-overseas-entity",
     "more than 25% of shares"),
    ("right-to-appoint-and-remove-directors", "right to appoint and remove directors"),
    ("significant-influence-or-control-as-firm",
     "significant influence or control as a member of a firm"),
])
def test_nature_words(nature, words):
    assert nature_words(nature) == words


def test_natures_words_join_without_repeats():
    assert natures_words(["ownership-of-shares-25-to-50-percent", "voting-rights-25-to-50-percent",
                          "ownership-of-shares-25-to-50-percent"]) == \
        "25-50% of shares, 25-50% of voting rights"


def test_once_confirmed_the_proposed_ruling_is_to_leave_the_meeting():
    from dataclasses import replace

    from register.rules.rulings import propose_ruling

    flag = flags(helen())[0]
    assert propose_ruling([flag], "discuss_not_vote", "voting")[0] == "note_only"
    ruling, reason = propose_ruling([replace(flag, severity="conflict")], "discuss_not_vote",
                                    "voting")
    assert ruling == "leave_item" and "person with significant control" in reason
