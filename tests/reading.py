"""Reading a response the way its reader does: one definition for every test."""
from __future__ import annotations

import html
import re
from typing import Any


def words(response: Any) -> str:
    """The page's words as a reader sees them: tags removed, entities decoded, spaces collapsed."""
    stripped = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(stripped))


def markup(response: Any) -> str:
    """The page's HTML as sent (for checks on attributes, links and escaping)."""
    return response.get_data(as_text=True)
