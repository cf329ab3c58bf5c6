"""Queries for the interests pages."""
from __future__ import annotations

from typing import Any


def home_summary(user: Any) -> dict[str, Any]:
    """What the home page shows the signed-in user."""
    return {}
