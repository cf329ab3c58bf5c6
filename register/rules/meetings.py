"""The rules of a meeting's record: times as 'HH:MM', a meeting's start and end, its video link,
and when a person left the room for an item and came back. Data in, messages out."""
from __future__ import annotations

import re

_TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")

# The rulings under which a person must be out of the room for an item (an invitation says so).
LEAVING_RULINGS = ("leave_item", "exclude_all", "remove_from_process")

DIRECTIONS = ("up", "down")


def parse_time(text: str | None) -> tuple[str | None, str | None]:
    """A time typed as 'HH:MM' (24-hour; '9:30' and '09.30' too) as 'HH:MM', and the problem
    with it, if any. Empty text is no time and no problem."""
    value = (text or "").strip()
    if not value:
        return None, None
    match = _TIME.match(value)
    if not match:
        return None, "must be a time in 24-hour hours and minutes, like 09:30 or 14:05"
    return f"{int(match.group(1)):02d}:{match.group(2)}", None


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


def departure_problem(name: str, left_at: str | None, returned_at: str | None, *,
                      starts_at: str | None = None, ends_at: str | None = None) -> str | None:
    """Why a person's departure for an item cannot be right, or None: they cannot come back
    without leaving, come back before they left, leave before the meeting began or after it
    ended."""
    if returned_at and not left_at:
        return f"Enter when {name} left before when they came back"
    if left_at and returned_at and returned_at <= left_at:
        return f"{name} cannot have come back at {returned_at} before leaving at {left_at}"
    if left_at and starts_at and left_at < starts_at:
        return (f"{name} cannot have left for the item at {left_at}: the meeting started at "
                f"{starts_at}, so the item had not started")
    if left_at and ends_at and left_at > ends_at:
        return f"{name} cannot have left at {left_at}: the meeting ended at {ends_at}"
    return None


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
