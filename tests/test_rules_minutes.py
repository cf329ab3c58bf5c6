"""The words of a meeting about its conflicts, from plain facts: the chair's words for each
ruling, who takes the chair, what to say, and the minutes' paragraph for each ruling kind."""
from __future__ import annotations

import pytest

from register.rules import minutes
from register.rules.rulings import RULINGS

CHAIR, VICE, GP = 1, 2, 3
NAMES = {CHAIR: "Hugh Pemberton", VICE: "Eleanor Fairweather"}
WHY = "Dr Asha Patel holds an interest in Riverside Surgery (Y90001), the proposed provider."


def facts(ruling, *, person_id=GP, name="Dr Asha Patel", quorate=True, remaining=6, **over):
    person = minutes.PersonAtItem(person_id, name, WHY, True, ruling,
                                  **over.pop("person", {}))
    return minutes.ItemFacts(3, "Anticoagulation service", people=(person,), quorate=quorate,
                             voting_members=remaining, chair_id=CHAIR, vice_chair_id=VICE,
                             names=NAMES, **over)


@pytest.mark.parametrize("ruling, words", [
    ("note_only", "Note only: the interest is noted and they may take part and vote"),
    ("no_vote", "Dr B may discuss but not vote"),
    ("leave_item", "Asks Dr B to leave for this item"),
    ("exclude_all", "Asks Dr B to leave for this item: they are excluded from the papers and "
                    "the discussion"),
    ("remove_from_process", "Asks Dr B to leave for this item: they are removed from the "
                            "procurement process"),
    (None, "Needs the governance lead's ruling before the meeting"),
])
def test_the_chairs_words_for_each_ruling(ruling, words):
    assert minutes.chair_words("Dr B", ruling) == words


def test_every_ruling_has_the_chairs_words_and_a_minutes_wording():
    for ruling in RULINGS:
        assert minutes.chair_words("Dr B", ruling)
        assert minutes.minutes_paragraph(facts(ruling))


def test_a_conflicted_chair_hands_the_item_to_the_vice_chair_by_name():
    item = facts("leave_item", person_id=CHAIR, name="Hugh Pemberton")
    assert minutes.chair_is_conflicted(item)
    assert minutes.presiding_words(item) == ("The chair is conflicted, so the vice-chair takes "
                                             "the item: Eleanor Fairweather")
    assert "As I am conflicted, Eleanor Fairweather will take the chair for this item." in \
        minutes.what_to_say(item)
    assert "As the chair was conflicted, Eleanor Fairweather took the chair for the item." in \
        minutes.minutes_paragraph(item)


def test_the_script_names_the_item_the_person_and_what_they_will_do():
    said = minutes.what_to_say(facts("leave_item"))
    assert said.startswith("Before we take item 3, Dr Asha Patel has an interest in it and "
                           "will leave the meeting for this item.")
    assert "we remain quorate with 6 voting members" in said


def test_an_item_not_ruled_on_needs_the_governance_lead():
    item = facts(None, quorate=None)
    assert item.needs_ruling
    assert minutes.what_to_say(item) == "Needs the governance lead's ruling before the meeting."
    assert minutes.quorum_words(item) == ("Not known until every conflicted person has a "
                                          "ruling")


def test_the_minutes_for_a_member_who_left_say_when_and_that_they_took_no_part():
    text = minutes.minutes_paragraph(facts("leave_item", person={"left_at": "10:40"}))
    assert text == (f"{WHY} The chair ruled that Dr Asha Patel leave the meeting for the item; "
                    f"Dr Asha Patel left at 10:40 and did not take part in the discussion or "
                    f"the vote. The meeting remained quorate with 6 voting members.")


def test_no_declarations_and_an_inquorate_item_with_its_escalation():
    assert minutes.minutes_paragraph(minutes.ItemFacts(1, "Apologies")) == \
        "No interests were declared for this item."
    text = minutes.minutes_paragraph(facts(
        "no_vote", quorate=False, remaining=3,
        shortfall="1 more voting member is needed (3 remain; the rule needs at least 4)",
        escalation="Deferred to the meeting on 3 April 2026"))
    assert text.endswith("With these rulings the meeting was not quorate (1 more voting member "
                         "is needed (3 remain; the rule needs at least 4)): deferred to the "
                         "meeting on 3 April 2026.")


def test_a_declaration_in_the_room_that_conflicts_no_one():
    person = minutes.PersonAtItem(GP, "Dr B", conflicted=False, declared=True,
                                  words="My sister works at the trust")
    text = minutes.minutes_paragraph(minutes.ItemFacts(2, "Any other business",
                                                       is_decision=False, people=(person,)))
    assert text.startswith("Dr B declared an interest in the item: \u201cMy sister works at "
                           "the trust\u201d.")
