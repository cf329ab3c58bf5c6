"""Rules for identifiers and typed text."""
from __future__ import annotations

import re

ODS_PRACTICE = re.compile(r"^[A-Z][0-9]{5}$")
# Any ODS code: practices (A81001), networks (U12345), trusts (RX1), sites and others.
ODS_ANY = re.compile(r"^[A-Z0-9]{3,10}$")
COMPANIES_HOUSE = re.compile(r"^(?:[0-9]{8}|[A-Z]{2}[0-9]{6})$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Control characters other than tab and newlines, and the bidirectional overrides and isolates
# that can make text display differently from what it says.
FORBIDDEN_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]"
)


def normalise_code(value: str | None) -> str:
    """Trim and upper-case an identifier as typed."""
    return (value or "").strip().upper()


def is_practice_code(value: str | None) -> bool:
    """Whether a value, once trimmed and upper-cased, is a GP practice ODS code (A81001)."""
    return bool(ODS_PRACTICE.match(normalise_code(value)))


def is_ods_code(value: str | None) -> bool:
    """Whether a value, once normalised, has the shape of any ODS code."""
    return bool(ODS_ANY.match(normalise_code(value)))


def is_companies_house_number(value: str | None) -> bool:
    """Whether a value is a Companies House number (8 digits, or 2 letters and 6 digits)."""
    return bool(COMPANIES_HOUSE.match(normalise_code(value)))


# ASCII text is checked a byte at a time by a table (0 for a forbidden byte), which is many
# times quicker than the pattern over a whole file; other text goes through the pattern.
_ASCII_ALLOWED = bytes(0 if FORBIDDEN_CHARACTERS.match(chr(byte)) else 1 for byte in range(256))


def forbidden_character(value: str | None) -> str | None:
    """The first control or direction-override character in the text, described, or None."""
    text = value or ""
    if text.isascii() and 0 not in text.encode("ascii").translate(_ASCII_ALLOWED):
        return None
    match = FORBIDDEN_CHARACTERS.search(text)
    if not match:
        return None
    return f"U+{ord(match.group()):04X}"


def is_email(value: str | None) -> bool:
    """A light check that a value looks like an email address."""
    return bool(EMAIL.match((value or "").strip()))


# Characters that make a spreadsheet read a cell as a formula (or hide one): the one guard every
# CSV and XLSX the register writes goes through, and the one the imports undo.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str | None) -> str:
    """Text a spreadsheet shows and never runs: a leading apostrophe before a formula character."""
    text = text or ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unneutralise(text: str) -> str:
    """A cell read back with the apostrophe that `neutralise` put before a formula taken off."""
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
