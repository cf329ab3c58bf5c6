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


# --- Confirming who you are again, at the identity provider, before signing off ----------------

# How recently the identity provider must have asked the person to sign in, for its answer to
# count as confirming who they are now (clocks may differ by a minute either way).
REAUTHENTICATED_WITHIN_SECONDS = 5 * 60
CLOCK_SKEW_SECONDS = 60
# How long a confirmation lets the person sign off, once: long enough to read the statement.
CONFIRMATION_LASTS_SECONDS = 10 * 60

NO_AUTH_TIME = ("Your sign-in service did not say when you signed in, so the register cannot "
                "tell that you have just confirmed who you are. Ask your administrator to have it "
                "send the time of sign-in (the auth_time claim).")
NOT_FRESH = ("Your sign-in service let you through without asking you to sign in again, so it "
             "does not confirm who you are now. Try again; if this happens again, ask your "
             "administrator.")


def reauthentication_problem(auth_time: int | None, now: float, *,
                             within_seconds: int = REAUTHENTICATED_WITHIN_SECONDS) -> str | None:
    """Why an identity provider's answer does not confirm who the person is now (it gave no time
    of sign-in, or signed them in too long ago or in the future), or None when it does."""
    if auth_time is None:
        return NO_AUTH_TIME
    age = now - auth_time
    if age > within_seconds or age < -CLOCK_SKEW_SECONDS:
        return NOT_FRESH
    return None


def confirmation_in_force(confirmed_at: float | None, now: float, *,
                          lasts_seconds: int = CONFIRMATION_LASTS_SECONDS) -> bool:
    """Whether a confirmation made at `confirmed_at` still lets the person sign off at `now`."""
    return confirmed_at is not None and 0 <= now - confirmed_at <= lasts_seconds
