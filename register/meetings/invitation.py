"""A meeting's invitation as an iCalendar file: one event in UK time with the place or link and
the agenda titles only (never a paper), and, in one person's invitation, a line for each item
they must leave. Data in, bytes out."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..timeutil import UK

PRODUCT = "-//Conflicts of interest register//Meetings//EN"
DEFAULT_LENGTH = dt.timedelta(hours=2)


def _moment(day: dt.date, time_text: str | None, fallback: dt.time) -> dt.datetime:
    hour, minute = (int(part) for part in time_text.split(":")) if time_text else (
        fallback.hour, fallback.minute)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=UK)


def invitation_ics(*, uid: str, title: str, meeting_date: dt.date, starts_at: str | None,
                   ends_at: str | None, place: str, link: str, agenda: Sequence[str],
                   leaving_lines: Sequence[str] = (), stamp: dt.datetime, url: str = "",
                   sequence: int = 0) -> bytes:
    """The invitation: `agenda` is the item lines as they may be shown ("1. Minutes of the last
    meeting"), `leaving_lines` the lines for the person it is for (empty for the general one).
    A meeting without a start time is set at 09:00; without an end, two hours later."""
    from icalendar import Calendar, Event  # imported when an invitation is made, not at start

    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("sequence", sequence)
    event.add("summary", title)
    start = _moment(meeting_date, starts_at, dt.time(9, 0))
    end = _moment(meeting_date, ends_at, dt.time(0, 0)) if ends_at else start + DEFAULT_LENGTH
    event.add("dtstart", start)
    event.add("dtend", end)
    if place or link:
        event.add("location", place or link)
    if link:
        event.add("url", link)
    elif url:
        event.add("url", url)
    lines = ["Agenda:", *agenda] if agenda else ["The agenda has no items yet."]
    if leaving_lines:
        lines += ["", *leaving_lines]
    if link and place:
        lines += ["", f"Video call: {link}"]
    event.add("description", "\n".join(lines))
    calendar.add_component(event)
    # The Europe/London zone itself, so every calendar reads the times as UK time.
    calendar.add_missing_timezones()
    return calendar.to_ical()
