"""Time in one place: stored in UTC, shown in UK time."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def utcnow() -> dt.datetime:
    """The current time in UTC, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def utcnow_iso() -> str:
    """The current UTC time as stored in the database."""
    return utcnow().isoformat()


def today_uk() -> dt.date:
    """Today's date in England."""
    return dt.datetime.now(UK).date()


def uk_time(value: str | dt.datetime | None) -> str:
    """A stored UTC timestamp as UK local time, e.g. '3 March 2026, 14:05 GMT'."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(UK)
    return f"{local.day} {local:%B %Y, %H:%M} {local.tzname()}"


def long_date(value: str | dt.date | None) -> str:
    """An ISO date as '3 March 2026'."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"
