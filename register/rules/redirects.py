"""Where a sign-in may send the browser next: only a path on this site, never another site."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

# Longer than any page address of the register; a longer "next" is not one of ours.
MAX_LENGTH = 2000


def local_path(target: str | None) -> str | None:
    """The target if it is a plain path on this site, otherwise None.

    Refused: anything not starting with a single "/", a scheme or a host, backslashes (browsers
    read "/\\evil.example" as "//evil.example"), and control, format or whitespace characters
    (browsers drop a tab or newline, so "/\\t/evil.example" becomes "//evil.example", and a CR or LF
    would split the Location header).
    """
    if not target or not isinstance(target, str) or len(target) > MAX_LENGTH:
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    for character in target:
        if character.isspace() or unicodedata.category(character) in ("Cc", "Cf", "Cs", "Co",
                                                                      "Cn", "Zl", "Zp"):
            return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
