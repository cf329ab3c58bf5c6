"""Who left the room for the item, and when: the checks and the words, data in, words out.

The secretary records, with the outcome, that a person left the room for the item at a time of
day on the meeting date (UK time), whether they left before the discussion or only
before the vote, and optionally when they came back in, which must be after they left. Someone
who left before the vote cannot also have voted, nor be ticked as present for the vote.

A person ruled out of the room ("must leave the meeting for the item", or excluded altogether)
who is recorded as having left before the discussion carried the ruling out; one who left only
before the vote was in the room for the discussion, which the ruling did not allow, and the
record says so. Being present for the vote is already a breach (`rulings.attendance_breach`).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .rulings import may_be_present

STAGES = {
    "discussion": "Before the discussion",
    "vote": "Before the vote (after the discussion)",
}
# The stage in the middle of a sentence: "left at 10:40, before the discussion".
STAGE_WORDS = {"discussion": "before the discussion", "vote": "before the vote"}

# A time as people type it: 24-hour ('14:30', '9:05', '14.30', '1430') or 12-hour ('2pm',
# '2:30pm', '9.15 a.m.'), and 'noon', 'midday' or 'midnight'.
_TIME_24 = re.compile(r"^(\d{1,2})[:.](\d{2})$|^(\d{2})(\d{2})$")
_TIME_12 = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s*m\.?$")
_TIME_WORDS = {"noon": dt.time(12, 0), "midday": dt.time(12, 0), "midnight": dt.time(0, 0),
               "12 noon": dt.time(12, 0), "12 midday": dt.time(12, 0),
               "12 midnight": dt.time(0, 0)}


def parse_time_of_day(text: str | None) -> dt.time | None:
    """A time of day typed 24-hour ('14:30', '9:05', '14.30', '1430') or 12-hour ('2pm',
    '2:30 pm', '9.15a.m.', 'noon'); None if it is not one."""
    value = " ".join((text or "").split()).casefold()
    if value in _TIME_WORDS:
        return _TIME_WORDS[value]
    found = _TIME_24.match(value)
    if found:
        hour, minute = (int(found.group(1)), int(found.group(2))) if found.group(1) else \
            (int(found.group(3)), int(found.group(4)))
        if hour > 23 or minute > 59:
            return None
        return dt.time(hour, minute)
    found = _TIME_12.match(value)
    if not found:
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    if not 1 <= hour <= 12 or minute > 59:
        return None
    hour = hour % 12 + (12 if found.group(3) == "p" else 0)
    return dt.time(hour, minute)


def time_text(value: dt.time | None) -> str | None:
    """A time of day as stored and shown: '09:05' (None stays None)."""
    return value.strftime("%H:%M") if value is not None else None


@dataclass(frozen=True)
class Departure:
    """One person's leaving the room for the item, as recorded."""

    left_at: dt.time
    stage: str
    returned_at: dt.time | None = None

    @property
    def words(self) -> str:
        """'Left at 10:40, before the discussion; came back at 11:05'."""
        text = f"Left at {time_text(self.left_at)}, {STAGE_WORDS.get(self.stage, self.stage)}"
        if self.returned_at is not None:
            text += f"; came back at {time_text(self.returned_at)}"
        return text


@dataclass(frozen=True)
class DepartureProblems:
    """What is wrong with a departure as typed, field by field (None where nothing is)."""

    left_at: str | None = None
    stage: str | None = None
    returned_at: str | None = None

    def __bool__(self) -> bool:
        return any((self.left_at, self.stage, self.returned_at))


def departure_problems(name: str, left_text: str | None, stage: str | None,
                       returned_text: str | None) -> DepartureProblems:
    """Why a departure as typed cannot be recorded, per field; empty when it can (or when
    nothing was typed: they did not leave)."""
    left_text, returned_text = (left_text or "").strip(), (returned_text or "").strip()
    stage = stage or ""
    if not (left_text or stage or returned_text):
        return DepartureProblems()
    left = parse_time_of_day(left_text)
    returned = parse_time_of_day(returned_text)
    left_problem = stage_problem = returned_problem = None
    if not left_text:
        left_problem = f"Enter the time {name} left the room, like 14:30"
    elif left is None:
        left_problem = (f"Enter the time {name} left the room as a time of day, like 14:30 "
                        f"or 2:30pm")
    if stage not in STAGES:
        stage_problem = (f"Select whether {name} left before the discussion or before the vote")
    if returned_text and returned is None:
        returned_problem = (f"Enter the time {name} came back into the room as a time of day, "
                            f"like 15:10 or 3:10pm")
    elif left is not None and returned is not None and returned <= left:
        returned_problem = (f"The time {name} came back ({time_text(returned)}) must be after "
                            f"the time they left ({time_text(left)})")
    return DepartureProblems(left_problem, stage_problem, returned_problem)


def departure_from(left_text: str | None, stage: str | None,
                   returned_text: str | None) -> Departure | None:
    """The departure typed, or None when nothing was (check `departure_problems` first)."""
    left = parse_time_of_day(left_text)
    if left is None or stage not in STAGES:
        return None
    return Departure(left, stage, parse_time_of_day(returned_text))


def voted_after_leaving_problem(name: str, departure: Departure | None) -> str | None:
    """Why a vote cannot be recorded for someone who left before it, or None."""
    if departure is None:
        return None
    return (f"{name} left the room at {time_text(departure.left_at)}, "
            f"{STAGE_WORDS[departure.stage]}, so cannot have voted: choose "
            f"\u2018Did not vote\u2019, or clear the time they left")


def present_after_leaving_problem(name: str, departure: Departure | None) -> str | None:
    """Why someone who left before the vote cannot be ticked as present for it, or None."""
    if departure is None:
        return None
    return (f"{name} left the room at {time_text(departure.left_at)}, "
            f"{STAGE_WORDS[departure.stage]}, so was not present for the vote: untick present, "
            f"or clear the time they left")


def ruling_carried_out(ruling: str | None, present: bool,
                       departure: Departure | None) -> str | None:
    """For a person ruled out of the room, whether the ruling was carried out, in words; None
    for anyone the ruling lets stay in the room."""
    if may_be_present(ruling):
        return None
    if present:
        return "Not carried out: present for the vote although ruled out of the room (a breach)"
    if departure is None:
        return "Carried out: not in the room for the item"
    if departure.stage == "discussion":
        return (f"Carried out: left the room at {time_text(departure.left_at)}, before the "
                f"discussion")
    return (f"Partly carried out: left the room at {time_text(departure.left_at)}, only before "
            f"the vote, so was in the room for the discussion")


# ---- proxy votes the chair refused ------------------------------------------------------------

@dataclass(frozen=True)
class RefusedProxyProblems:
    """What is wrong with one refused proxy as typed, field by field."""

    for_person: str | None = None
    offered_to: str | None = None
    reason: str | None = None

    def __bool__(self) -> bool:
        return any((self.for_person, self.offered_to, self.reason))


def refused_proxy_problems(for_id: int | None, offered_to_id: int | None, reason: str,
                           rule_reason: str | None, *, number: int) -> RefusedProxyProblems:
    """Why refused proxy number `number` cannot be recorded, per field (empty when it can, or
    when the row was left blank). `rule_reason` is the rules' reason, used for a blank reason."""
    if for_id is None and offered_to_id is None and not reason.strip():
        return RefusedProxyProblems()
    for_problem = offered_problem = reason_problem = None
    if for_id is None:
        for_problem = f"Select whose vote was offered in refused proxy {number}"
    if offered_to_id is None:
        offered_problem = f"Select who offered to hold the vote in refused proxy {number}"
    elif for_id is not None and offered_to_id == for_id:
        offered_problem = (f"Refused proxy {number}: a member cannot offer their vote to "
                           f"themselves")
    if not reason.strip() and not rule_reason:
        reason_problem = f"Enter why the chair refused proxy {number}"
    return RefusedProxyProblems(for_problem, offered_problem, reason_problem)
