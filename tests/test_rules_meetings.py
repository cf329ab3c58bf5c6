"""The rules of a meeting's record: times, a meeting's start and end, its link, departures for an
item, the invitation's line for a person who must leave, and reordering."""
from __future__ import annotations

import pytest

from register.rules import meetings as rules


@pytest.mark.parametrize("typed, expected", [
    ("", (None, None)), ("9:05", ("09:05", None)), ("10.40", ("10:40", None)),
    (" 14:30 ", ("14:30", None)),
    ("2pm", ("14:00", None)), ("9:30 am", ("09:30", None)),
    ("24:00", (None, "must be a time of day, like 09:30, 14:05 or 2:05pm")),
    ("ten", (None, "must be a time of day, like 09:30, 14:05 or 2:05pm")),
])
def test_parse_time(typed, expected):
    assert rules.parse_time(typed) == expected


@pytest.mark.parametrize("starts, ends, message", [
    ("10:00", "12:00", None), ("10:00", None, None), (None, None, None),
    (None, "12:00", "Enter the start time as well as the end time"),
    ("10:00", "10:00", "The end time must be after the start time (10:00)"),
])
def test_meeting_times(starts, ends, message):
    assert rules.meeting_times_problem(starts, ends) == message


@pytest.mark.parametrize("link, ok", [
    ("", True), ("https://meet.example.nhs.uk/pcc", True), ("http://meet.example.nhs.uk", False),
    ("https://", False), ("https://meet example", False), ("javascript:alert(1)", False),
])
def test_link(link, ok):
    assert (rules.link_problem(link) is None) is ok


DEPARTURES = [
    (("", ""), {}, (None, None)),
    (("10:40", ""), {}, (None, None)),
    (("10:40", "11:05"), {}, (None, None)),
    (("09:30", ""), {}, ("Dr A cannot have left for the item at 09:30: the meeting started at "
                         "10:00, so the item had not started", None)),
    (("12:30", ""), {}, ("Dr A cannot have left at 12:30: the meeting ended at 12:00", None)),
    (("10:40", "10:20"), {}, (None, "The time Dr A came back (10:20) must be after the time "
                                    "they left (10:40)")),
    (("", "10:20"), {}, ("Enter the time Dr A left the room, like 14:30", None)),
    (("10:40", ""), {"left_at": "10:35"}, ("The outcome of the item records Dr A leaving at "
                                           "10:35: record the same time here, or correct the "
                                           "outcome", None)),
    (("", ""), {"left_at": "10:35"}, ("The outcome of the item records Dr A leaving at 10:35: "
                                      "record the same time here, or correct the outcome", None)),
    (("10:40", ""), {"present": 1, "vote": "for"},
     ("The outcome of the item records Dr A present for the vote, but here they left at 10:40 "
      "and did not come back: enter when they came back, or correct the outcome", None)),
    (("10:40", "10:50"), {"present": 1, "vote": "for"}, (None, None)),
]


@pytest.mark.parametrize("typed, outcome, expected", DEPARTURES)
def test_item_departures(typed, outcome, expected):
    assert rules.item_departure_problems("Dr A", *typed, starts_at="10:00", ends_at="12:00",
                                         outcome=outcome or None) == expected


def test_who_must_leave_and_the_line_that_says_so():
    assert [r for r in ("note_only", "no_vote", "leave_item", "exclude_all",
                        "remove_from_process") if rules.must_leave(r)] == [
        "leave_item", "exclude_all", "remove_from_process"]
    assert rules.leaving_line("Dr A", 3, "Wound care", "leave_item") == (
        "Dr A: you must leave the meeting for item 3, Wound care (the ruling on your conflict "
        "of interest).")


def test_swapped_positions():
    assert rules.swapped_positions([1, 2, 3], 1, "up") == (1, 0)
    assert rules.swapped_positions([1, 2, 3], 2, "down") is None
    assert rules.swapped_positions([1, 2, 3], 0, "up") is None
    with pytest.raises(ValueError):
        rules.swapped_positions([1], 0, "sideways")


@pytest.mark.parametrize(("status", "conflicted", "extra", "expected"), [
    ("awaiting_review", [("Dr A", None), ("Dr B", "leave_item")], {}, ("No ruling yet on Dr A",)),
    ("awaiting_review", [("Dr A", "leave_item")], {},
     ("Ruled on, but not yet signed off by the governance lead",)),
    ("awaiting_review", [("Dr A", "leave_item")], {"signed_off": True}, ()),
    ("draft", [], {}, ("Not yet submitted for the governance review",)),
    ("awaiting_review", [], {"open_possible": ["Dr C may be a partner"]},
     ("A possible conflict to confirm or dismiss: Dr C may be a partner",)),
    ("awaiting_review", [("Dr A", "leave_item")], {"signed_off": True,
                                                   "inquorate_unplanned": True},
     ("Inquorate after the rulings, and no one has recorded how the decision will be taken",)),
    ("decided", [("Dr A", None)], {}, ()),
])
def test_governance_reasons_say_why_the_lead_is_needed_before_the_meeting(status, conflicted,
                                                                         extra, expected):
    from register.rules.meetings import governance_reasons
    assert governance_reasons(status, conflicted, **extra) == expected
