"""The rules of a meeting's record: times as 'HH:MM', a meeting's start and end, its video link,
and when a person left the room for an item and came back. Data in, messages out."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .departures import departure_problems, parse_time_of_day, time_text

# The rulings under which a person must be out of the room for an item (an invitation says so).
LEAVING_RULINGS = ("leave_item", "exclude_all", "remove_from_process")

DIRECTIONS = ("up", "down")

# A decision in one of these states has not been sent for the governance review yet.
NOT_SUBMITTED = ("draft", "returned")
# A decision past its meeting: nothing is left for the governance lead to do before it.
SETTLED = ("decided", "published", "withdrawn")


def parse_time(text: str | None) -> tuple[str | None, str | None]:
    """A time typed as the outcome form takes it (24-hour, like '14:30', '9:30', '09.30' or
    '1430', or 12-hour, like '2pm' or '2:30pm') as 'HH:MM', and the problem with it, if any.
    Empty text is no time and no problem."""
    value = (text or "").strip()
    if not value:
        return None, None
    parsed = parse_time_of_day(value)
    if parsed is None:
        return None, "must be a time of day, like 09:30, 14:05 or 2:05pm"
    return time_text(parsed), None


def meeting_times_problem(starts_at: str | None, ends_at: str | None) -> str | None:
    """Why a meeting's end cannot be right for its start, or None."""
    if ends_at and not starts_at:
        return "Enter the start time as well as the end time"
    if starts_at and ends_at and ends_at <= starts_at:
        return f"The end time must be after the start time ({starts_at})"
    return None


def link_problem(link: str) -> str | None:
    """Why a video call link cannot be used, or None: only https links, without spaces."""
    if not link:
        return None
    if not link.lower().startswith("https://") or len(link) <= len("https://") \
            or any(ch.isspace() for ch in link):
        return "Enter the video call link as a web address starting with https://"
    if len(link) > 500:
        return "The video call link must be 500 characters or fewer"
    return None


def item_departure_problems(name: str, left_text: str | None, returned_text: str | None, *,
                            starts_at: str | None = None, ends_at: str | None = None,
                            outcome: dict[str, Any] | None = None
                            ) -> tuple[str | None, str | None]:
    """Why a person's departure for an item as typed cannot be recorded, as (problem with the
    time they left, problem with the time they came back); (None, None) when it can or nothing
    was typed. The times are those of the outcome form (`departures`); a person cannot leave for
    an item before the meeting began, and must agree with the outcome recorded for the item
    (`outcome`: their attendance row, if any): someone who left and did not come back was not
    present for the vote."""
    left_text, returned_text = (left_text or "").strip(), (returned_text or "").strip()
    problems = departure_problems(name, left_text, "discussion" if left_text else "",
                                  returned_text)
    left_problem, returned_problem = problems.left_at, problems.returned_at
    left = parse_time_of_day(left_text)
    left_at = time_text(left)
    if left_problem is None and left_at:
        if starts_at and left_at < starts_at:
            left_problem = (f"{name} cannot have left for the item at {left_at}: the meeting "
                            f"started at {starts_at}, so the item had not started")
        elif ends_at and left_at > ends_at:
            left_problem = f"{name} cannot have left at {left_at}: the meeting ended at {ends_at}"
    if left_problem is None and outcome is not None:
        recorded = outcome.get("left_at")
        if recorded and recorded != left_at:
            left_problem = (f"The outcome of the item records {name} leaving at {recorded}: "
                            f"record the same time here, or correct the outcome")
        elif left_without_returning(left_at, returned_text) \
                and counted_at_vote(outcome.get("present"), outcome.get("vote")):
            left_problem = (f"The outcome of the item records {name} present for the vote, but "
                            f"here they left at {left_at} and did not come back: enter when "
                            f"they came back, or correct the outcome")
    return left_problem, returned_problem


def left_without_returning(left_at: str | None, returned_at: str | None) -> bool:
    """Whether a person who left the room for an item did not come back for it."""
    return bool(left_at) and not returned_at


def counted_at_vote(present: Any, vote: str | None) -> bool:
    """Whether an outcome records a person in the room for the vote (present, or voting)."""
    return bool(present or vote)


def outcome_attendance_problems(left_the_item: Sequence[tuple[int, str, str | None, str | None]],
                                attendance: Sequence[dict[str, Any]]) -> dict[int, str]:
    """Why an outcome's attendance cannot be recorded against the declarations item, by person
    id: someone the declarations item records leaving the room for the item and not coming back
    (`left_the_item`: person id, name, left at, came back at) was not present for the vote, the
    same rule `item_departure_problems` applies the other way round."""
    rows = {row["person_id"]: row for row in attendance}
    problems: dict[int, str] = {}
    for person_id, name, left_at, returned_at in left_the_item:
        row = rows.get(person_id)
        if row is None or not left_without_returning(left_at, returned_at):
            continue
        if counted_at_vote(row.get("present"), row.get("vote")):
            problems[person_id] = (
                f"The declarations item records {name} leaving the meeting for this item at "
                f"{left_at} and not coming back, so they cannot be recorded present for the "
                f"vote: untick present, or correct the declarations item")
    return problems


def must_leave(ruling: str | None) -> bool:
    """Whether a ruling keeps the person out of the room for the item."""
    return ruling in LEAVING_RULINGS


def leaving_line(name: str, position: int, title: str, ruling: str) -> str:
    """The invitation's line for a person who must leave an item."""
    if ruling == "exclude_all":
        why = "you are excluded from its papers and its discussion"
    elif ruling == "remove_from_process":
        why = "you are removed from its procurement process"
    else:
        why = "the ruling on your conflict of interest"
    return f"{name}: you must leave the meeting for item {position}, {title} ({why})."


def swapped_positions(positions: list[int], index: int, direction: str) -> tuple[int, int] | None:
    """The two places (indexes into the agenda) that swap when the item at `index` moves up or
    down, or None when it is already first (up) or last (down)."""
    if direction not in DIRECTIONS:
        raise ValueError(direction)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(positions):
        return None
    return index, other


def governance_reasons(status: str, conflicted: Sequence[tuple[str, str | None]], *,
                       open_possible: Sequence[str] = (), signed_off: bool = False,
                       inquorate_unplanned: bool = False) -> tuple[str, ...]:
    """Why a decision item needs the governance lead before its meeting, one sentence each (an
    empty tuple: it does not). `conflicted` is each conflicted person's (name, ruling or None);
    `open_possible` the sentences of possible conflicts not yet confirmed or dismissed;
    `inquorate_unplanned` whether it is inquorate after the rulings with nothing recorded about
    how the decision will be taken. The meeting page's checklist and the chair's briefing both
    ask this one rule."""
    if status in SETTLED:
        return ()
    reasons = [f"No ruling yet on {name}" for name, ruling in conflicted if ruling is None]
    reasons += [f"A possible conflict to confirm or dismiss: {sentence}"
                for sentence in open_possible]
    if status in NOT_SUBMITTED:
        reasons.append("Not yet submitted for the governance review")
    elif conflicted and not reasons and not signed_off:
        reasons.append("Ruled on, but not yet signed off by the governance lead")
    if inquorate_unplanned:
        reasons.append("Inquorate after the rulings, and no one has recorded how the decision "
                       "will be taken")
    return tuple(dict.fromkeys(reasons))
