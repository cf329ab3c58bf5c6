"""Names: the same name (organisations and people), normalisation and close matching."""
from __future__ import annotations

import pathlib

import pytest

from register.rules import identifiers
from register.rules.names import name_key, names_match, normalise_org_name, person_name_key


@pytest.mark.parametrize(("name", "expected"), [
    ("Riverside Surgery", "riverside"),
    ("The Riverside Medical Centre", "riverside"),
    ("RIVERSIDE  surgery", "riverside"),
    ("Go-To-Doc Ltd", "go to doc"),
    ("GoToDoc Limited", "gotodoc"),
    ("Physio Plus Ltd.", "physio plus"),
    ("Smith & Jones LLP", "smith and jones"),
    ("Acme Health PLC", "acme health"),
    ("Community Care CIC", "community care"),
    ("St John's Group Practice", "st johns"),
    ("St John\u2019s Medical Practice", "st johns"),
    ("Oak Tree Health Centre", "oak tree"),
    ("Beech Practice", "beech"),
    ("Caf\u00e9 Medical Centre", "cafe"),
    # A name that is nothing but premises words keeps its words rather than becoming empty.
    ("The Surgery", "the surgery"),
    ("", ""),
    (None, ""),
    # "The" is dropped only at the start; "Ltd" only at the end.
    ("Ltd Partners The Surgery", "ltd partners the"),
])
def test_normalise_org_name(name, expected):
    assert normalise_org_name(name) == expected


@pytest.mark.parametrize(("a", "b"), [
    ("Go-To-Doc Ltd", "GoToDoc Limited"),
    ("Physio Plus Ltd", "PhysioPlus Limited"),
    ("Physio Plus Ltd", "physio plus"),
    ("Smith & Jones", "Smith and Jones"),
    ("The Beeches", "Beeches"),
    # Decided: a practice known as a surgery and as a medical centre is a possible match; a person
    # confirms or dismisses it, and a missed conflict is worse than a question.
    ("Riverside Surgery", "The Riverside Medical Centre"),
    ("Parkside Surgery", "Parkside Practice"),
    ("St John's Surgery", "St Johns Medical Practice"),
    ("Greenwood Federation", "Greenwod Federation"),  # a typing slip in a long name
    ("Northgate Primary Care Network", "Northgate Primary Care Netwrk"),
    ("ABBEY MEDICAL GROUP", "abbey medical group"),
])
def test_names_that_match(a, b):
    assert names_match(a, b)
    assert names_match(b, a)


@pytest.mark.parametrize(("a", "b"), [
    ("North Road Surgery", "South Road Surgery"),
    ("North West Federation", "South West Federation"),
    ("Northfield Medical Group", "Southfield Medical Group"),
    ("Bridgewater Primary Care Network 1", "Bridgewater Primary Care Network 2"),
    ("Church Road Surgery", "Church Lane Surgery"),
    ("Riverside Surgery", "Riverview Surgery"),
    ("Smith Practice", "Smyth Practice"),  # too short to judge by similarity
    ("Physio Plus", "Physiotherapy Plus"),
    ("Riverside Health Ltd", "Riverside Healthcare Ltd"),
    ("Physio Plus Ltd", "Physio Plus (UK) Ltd"),
    ("The Surgery", "Riverside Surgery"),
    ("", "Riverside Surgery"),
    (None, None),
    ("", ""),
])
def test_names_that_do_not_match(a, b):
    assert not names_match(a, b)
    assert not names_match(b, a)


@pytest.mark.parametrize(("a", "b", "expected"), [
    # A role typed before the name does not hide it.
    ("Director, GoToDoc Limited", "Go To Doc Ltd", True),
    ("Partner, Riverside Surgery", "The Riverside Medical Centre", True),
    ("Director, Physio Plus (UK) Ltd", "Physio Plus Ltd", False),
    ("Director, North Road Surgery", "South Road Surgery", False),
])
def test_a_role_before_the_name(a, b, expected):
    assert names_match(a, b) is expected
    assert names_match(b, a) is expected


def test_best_candidates_are_best_first_with_words():
    from register.rules.names import best_candidates, similarity_words

    choices = {1: "Go To Doc Ltd", 2: "Riverside Surgery", 3: "GoToDoc Services Ltd"}
    found = best_candidates("GoToDoc Limited", choices)
    assert [key for key, _score in found][:2] == [1, 3]
    assert similarity_words(found[0][1]) == "same name"
    assert similarity_words(found[1][1]) != "same name"
    assert best_candidates("", choices) == []
    assert best_candidates("Zzyzx Quarry", choices) == []


def test_names_matching_gives_the_same_answer_as_every_pair():
    from register.rules.names import names_matching

    typed = ["GoToDoc Limited", "Director, Go To Doc", "South Road Surgery", "", None,
             "Riverside Medical Centre", "Physio Plus (UK) Ltd", "Greenwod Federation",
             "Northgate Primary Care Netwrk", "The Surgery"]
    targets = ["Go-To-Doc Ltd", "North Road Surgery", "The Riverside Surgery",
               "Greenwood Federation", "Physio Plus Ltd", "Northgate Primary Care Network"]
    expected = {i for i, name in enumerate(typed) if any(names_match(name, t) for t in targets)}
    assert names_matching(typed, targets) == expected
    assert expected == {0, 1, 5, 7, 8}
    assert names_matching([], targets) == set()
    assert names_matching(typed, []) == set()


@pytest.mark.parametrize(("a", "b", "same"), [
    # Case, accents, punctuation, '&', a leading "The" and the legal form at the end aside.
    ("Harbour Care Ltd", "HARBOUR CARE LIMITED", True),
    ("The Smith & Jones Partnership", "smith and jones partnership", True),
    ("Easterby Wellbeing Community Interest Company", "Easterby Wellbeing CIC", True),
    ("Caf\u00e9 Health", "Cafe Health", True),
    # Premises words stay: these are two different practices' names.
    ("North Road Surgery", "North Road Practice", False),
    ("Go-To-Doc Ltd", "GoToDoc Limited", False),
])
def test_name_key_says_when_two_organisation_names_are_the_same(a, b, same):
    assert (name_key(a) == name_key(b)) is same


def test_the_loose_comparison_is_the_same_name_less_premises_words():
    # normalise_org_name builds on name_key, so every pair with the same key compares alike.
    for a, b in (("Harbour Care Ltd", "Harbour Care Limited"),
                 ("Easterby Wellbeing Community Interest Company", "Easterby Wellbeing CIC"),
                 ("The Riverside Surgery", "Riverside Surgery Ltd")):
        assert name_key(a) == name_key(b)
        assert normalise_org_name(a) == normalise_org_name(b)
        assert names_match(a, b)


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Dr Niamh O'Connor", "dr niamh o\u2019connor ", True),
    ("Dr Niamh O'Connor", "Niamh O'Connor", True),
    ("Si\u00e2n  Llewelyn", "SIAN LLEWELYN", True),
    ("Mei-Ling Chen", "Mei Ling Chen", True),
    ("Dr Niamh O'Connor", "Dr Niamh O'Brien", False),
    # A person's name has no legal form or leading "The" to drop, unlike an organisation's.
    ("Anne Limited", "Anne", False),
    ("Dr", "", False),
])
def test_person_name_key_says_when_two_people_have_the_same_name(a, b, same):
    assert (person_name_key(a) == person_name_key(b)) is same


def test_the_same_name_has_one_definition():
    # One owner: identifiers no longer has its own name key, and no SQL compares names by hand.
    assert not hasattr(identifiers, "name_key")
    root = pathlib.Path(__file__).resolve().parent.parent / "register"
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8").lower()
        assert "lower(trim(name))" not in text, path
        if path.name != "names.py":
            assert "def name_key" not in text and "def person_name_key" not in text, path
