"""When a signed-in session has ended: idle too long, or too long since signing in."""
from __future__ import annotations

import datetime as dt

IDLE = "idle"
TOO_OLD = "too_old"


def expiry(created: dt.datetime, last_seen: dt.datetime, now: dt.datetime, *,
           idle_minutes: float, max_hours: float) -> str | None:
    """Why a session may no longer open pages at `now` (IDLE or TOO_OLD), or None while it may."""
    if now - created >= dt.timedelta(hours=max_hours):
        return TOO_OLD
    if now - max(last_seen, created) >= dt.timedelta(minutes=idle_minutes):
        return IDLE
    return None


def ended_words(reason: str | None, *, idle_minutes: float, max_hours: float) -> str:
    """What a user is told when a session has expired, in plain words."""
    if reason == TOO_OLD:
        return (f"You were signed out because you signed in more than {_number(max_hours)} "
                f"hour{'s' if max_hours != 1 else ''} ago. Sign in again.")
    return (f"You were signed out after {_number(idle_minutes)} minute"
            f"{'s' if idle_minutes != 1 else ''} without activity. Sign in again.")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
