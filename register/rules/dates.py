"""Dates as the database stores them (ISO text) read back as dates: the one place that does it."""
from __future__ import annotations

import datetime as dt


def iso_date(value: str | dt.date | None) -> dt.date | None:
    """The date an ISO `YYYY-MM-DD` text names, a date as it is, or None for no date."""
    if value is None or value == "":
        return None
    return dt.date.fromisoformat(value) if isinstance(value, str) else value
