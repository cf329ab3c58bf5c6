"""Reading uploaded CSV files and the cell values in them: text in, values or plain-words problems out."""
from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import operator
import re
from collections.abc import Sequence
from typing import NamedTuple

from .text import forbidden_character

# Longest text accepted in a cell, by kind of value.
NAME_LIMIT = 200
EMAIL_LIMIT = 254
CODE_LIMIT = 20
SHORT_LIMIT = 100
ADDRESS_LIMIT = 500
TEXT_LIMIT = 2000

YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}

# Files that are often chosen by mistake, recognised by their first bytes.
BINARY_SIGNATURES = {
    b"PK\x03\x04": "an Excel workbook or another zipped file",
    b"\xd0\xcf\x11\xe0": "an old Excel or Word file",
    b"%PDF": "a PDF",
    b"\x89PNG": "a picture",
    b"\xff\xd8\xff": "a picture",
    b"GIF8": "a picture",
}

SAVE_AS_CSV = "Save it from your spreadsheet as 'CSV UTF-8 (comma delimited)' and try again."


class FileProblem(ValueError):
    """The file as a whole cannot be read as CSV; the message says why in plain words."""


class Row(NamedTuple):
    """One record of the file: its line number as a spreadsheet shows it, and its cells."""

    # A named tuple rather than a frozen dataclass: a file of thousands of records makes one
    # for each, and a tuple is made in a third of the time.
    line: int
    cells: list[str]


def decode(data: bytes) -> str:
    """The text of an uploaded file, refusing anything that is not UTF-8 text (a BOM is fine)."""
    if not data or not data.strip():
        raise FileProblem("The file is empty")
    for signature, what in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise FileProblem(f"The file is not a CSV file: it looks like {what}. {SAVE_AS_CSV}")
    if b"\x00" in data:
        raise FileProblem(f"The file is not a CSV file: it contains binary data. {SAVE_AS_CSV}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblem(
            f"The file is not UTF-8 text (unreadable byte at position {error.start + 1}). "
            f"{SAVE_AS_CSV}") from None
    if not text.strip():
        raise FileProblem("The file is empty")
    return text


def read_rows(text: str) -> list[Row]:
    """Every record of CSV text, numbered as a spreadsheet numbers its rows (from 1)."""
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    try:
        for number, cells in enumerate(reader, start=1):
            rows.append(Row(number, cells))
    except csv.Error as error:
        raise FileProblem(
            f"Line {len(rows) + 1}: the file cannot be read as CSV ({error}). "
            "Check for a stray quotation mark.") from None
    return rows


def is_blank(cells: list[str]) -> bool:
    """Whether a record has no text in any cell (a spreadsheet's empty row)."""
    return not any(cell.strip() for cell in cells)


def column_name(heading: str) -> str:
    """A header cell as a column name: trimmed, lower case, spaces and hyphens as underscores."""
    return re.sub(r"[\s\-]+", "_", heading.strip().lower())


def header_problems(header: list[str], required: tuple[str, ...],
                    optional: tuple[str, ...]) -> list[str]:
    """What is wrong with a header row: missing, unknown or repeated columns."""
    problems = []
    seen: set[str] = set()
    repeated = []
    for name in header:
        if name in seen and name not in repeated:
            repeated.append(name)
        seen.add(name)
    missing = [name for name in required if name not in seen]
    known = set(required) | set(optional)
    unknown = [name or "(blank)" for name in header if name not in known]
    if missing:
        problems.append("The header row is missing the column" + ("s " if len(missing) > 1 else " ")
                        + ", ".join(missing))
    if unknown:
        problems.append("The header row has unknown column" + ("s " if len(unknown) > 1 else " ")
                        + ", ".join(unknown) + ". The columns are: "
                        + ", ".join((*required, *optional)))
    if repeated:
        problems.append("The header row repeats the column" + ("s " if len(repeated) > 1 else " ")
                        + ", ".join(repeated))
    return problems


def width_problem(cells: list[str], columns: int) -> str | None:
    """Why a record does not fit the header: fewer or more cells than it has columns, or None.

    A short row is refused rather than padded with blanks, so a file cut off part-way (or a
    value that slipped into the wrong column) is never imported as empty values.
    """
    if len(cells) == columns:
        return None
    return (f"has {len(cells)} value{'s' if len(cells) != 1 else ''} but the header row has "
            f"{columns} columns: every row needs one cell per column (empty cells are fine)")


def text_problem(label: str, value: str, limit: int) -> str | None:
    """Why a cell's text cannot be stored (hidden characters, too long), or None."""
    bad = forbidden_character(value)
    if bad:
        return f"{label} must not contain hidden control characters ({bad})"
    if len(value) > limit:
        return f"{label} must be {limit} characters or fewer (it has {len(value)})"
    return None


def text_problems(labels: Sequence[str], values: Sequence[str],
                  limits: Sequence[int]) -> list[str]:
    """Why any cells of one row cannot be stored, in column order: `text_problem` of each cell.

    A row is searched for hidden characters once, as a whole; only a row that has one, or a cell
    over its limit, is looked at cell by cell.
    """
    if forbidden_character("".join(values)):
        suspects: Sequence[int] = range(len(values))
    elif any(map(operator.gt, map(len, values), limits)):
        suspects = [index for index, (value, limit) in enumerate(zip(values, limits, strict=True))
                    if len(value) > limit]
    else:
        return []
    return [message for index in suspects
            if (message := text_problem(labels[index], values[index], limits[index]))]


def parse_yes_no(value: str) -> bool | None:
    """'yes'/'no' (also y/n, true/false, 1/0, any case) as a bool; None when unreadable."""
    word = value.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    return None


_CHOICE_SEPARATORS = re.compile(r"[\s\-]+")


@functools.lru_cache(maxsize=1024)
def choice_key(value: str) -> str:
    """A typed choice as its stored key: 'Non-financial professional' -> 'non_financial_professional'."""
    # Remembered: a file of thousands of rows types the same few choices on every row.
    return _CHOICE_SEPARATORS.sub("_", value.strip().lower())


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(value: str) -> dt.date:
    """A date written YYYY-MM-DD or DD/MM/YYYY; ValueError with a plain reason otherwise."""
    text = value.strip()
    if len(text) == 10 and text[4] == "-" == text[7] and text.isascii():
        # The usual case, YYYY-MM-DD in ASCII digits, read directly; anything it refuses is
        # read below, which says why.
        try:
            day_value = dt.date.fromisoformat(text)
        except ValueError:
            pass
        else:
            if 1900 <= day_value.year <= 2100:
                return day_value
    iso, uk = _ISO.match(text), _UK.match(text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif uk:
        day, month, year = (int(part) for part in uk.groups())
    else:
        raise ValueError("must be written as YYYY-MM-DD or DD/MM/YYYY")
    try:
        day_value = dt.date(year, month, day)
    except ValueError:
        raise ValueError("is not a real date") from None
    if not 1900 <= day_value.year <= 2100:
        raise ValueError("must be a year between 1900 and 2100")
    return day_value
