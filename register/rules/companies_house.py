"""Companies House's published files, read as plain data: the "basic company data" CSV and the
"persons with significant control" (PSC) snapshot, one JSON object a line.

Nothing here reads files or the database: the import feeds it a header, rows and lines, and it
answers with records or a problem in words.

Basic company data (BasicCompanyDataAsOneFile, or its parts): a header row whose names are the
published ones, some with a leading space (" CompanyNumber", " RegAddress.AddressLine2"); names are
compared trimmed. Dates are written dd/mm/yyyy. A company is dissolved when its CompanyStatus says
so or it has a DissolutionDate.

PSC snapshot: each line is {"company_number": ..., "data": {"kind": ..., ...}}; the last line is a
summary {"data": {"kind": "totals#persons-of-significant-control-snapshot", ...}}. Only individual
people ("individual-person-with-significant-control") are kept: they are who a person in the
register can be. Corporate owners, statements, exemptions and super-secure entries are counted
and skipped.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .csvrows import parse_date
from .identifiers import IdentifierError, companies_house_number

# The published header row of the basic company data file, exactly as Companies House writes it
# (the spaces after some commas are theirs).
PUBLISHED_HEADER_LINE = (
    "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,RegAddress.AddressLine1,"
    " RegAddress.AddressLine2,RegAddress.PostTown,RegAddress.County,RegAddress.Country,"
    "RegAddress.PostCode,CompanyCategory,CompanyStatus,CountryOfOrigin,DissolutionDate,"
    "IncorporationDate,Accounts.AccountRefDay,Accounts.AccountRefMonth,Accounts.NextDueDate,"
    "Accounts.LastMadeUpDate,Accounts.AccountCategory,Returns.NextDueDate,"
    "Returns.LastMadeUpDate,Mortgages.NumMortCharges,Mortgages.NumMortOutstanding,"
    "Mortgages.NumMortPartSatisfied,Mortgages.NumMortSatisfied,SICCode.SicText_1,"
    "SICCode.SicText_2,SICCode.SicText_3,SICCode.SicText_4,LimitedPartnerships.NumGenPartners,"
    "LimitedPartnerships.NumLimPartners,URI,PreviousName_1.CONDATE, PreviousName_1.CompanyName,"
    " PreviousName_2.CONDATE, PreviousName_2.CompanyName,PreviousName_3.CONDATE,"
    " PreviousName_3.CompanyName,PreviousName_4.CONDATE, PreviousName_4.CompanyName,"
    "PreviousName_5.CONDATE, PreviousName_5.CompanyName,PreviousName_6.CONDATE,"
    " PreviousName_6.CompanyName,PreviousName_7.CONDATE, PreviousName_7.CompanyName,"
    "PreviousName_8.CONDATE, PreviousName_8.CompanyName,PreviousName_9.CONDATE,"
    " PreviousName_9.CompanyName,PreviousName_10.CONDATE, PreviousName_10.CompanyName,"
    "ConfStmtNextDueDate, ConfStmtLastMadeUpDate"
)
PUBLISHED_HEADER = tuple(PUBLISHED_HEADER_LINE.split(","))

ADDRESS_COLUMNS = ("RegAddress.AddressLine1", "RegAddress.AddressLine2", "RegAddress.PostTown",
                   "RegAddress.County", "RegAddress.Country")
SIC_COLUMNS = tuple(f"SICCode.SicText_{i}" for i in range(1, 5))
# The columns the import reads; every other published column may be there and is not read.
NEEDED_COLUMNS = ("CompanyName", "CompanyNumber", *ADDRESS_COLUMNS, "RegAddress.PostCode",
                  "CompanyCategory", "CompanyStatus", "DissolutionDate", "IncorporationDate",
                  *SIC_COLUMNS)

# Categories of company that are charities: new organisations of these are voluntary sector.
VOLUNTARY_CATEGORIES = ("charitable incorporated organisation",
                        "scottish charitable incorporated organisation")
NO_SIC = "none supplied"

PSC_INDIVIDUAL = "individual-person-with-significant-control"
PSC_TOTALS = "totals#persons-of-significant-control-snapshot"


class RecordProblem(ValueError):
    """A row or line that cannot be read; the message says why, in words."""


def header_positions(header: list[str]) -> dict[str, int]:
    """Where each needed column is in a header row; RecordProblem names any that are missing."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        positions.setdefault(cell.strip().lstrip("\ufeff").strip(), index)
    missing = [name for name in NEEDED_COLUMNS if name not in positions]
    if missing:
        raise RecordProblem(
            "This is not Companies House basic company data: the header row has no column "
            + ", ".join(missing) + " (the file must keep the published header row)")
    return {name: positions[name] for name in NEEDED_COLUMNS}


@dataclass(frozen=True)
class Company:
    """One company as the basic company data gives it."""

    number: str
    name: str
    registered_address: str
    postcode: str
    category: str
    status: str
    dissolved_on: dt.date | None
    incorporated_on: dt.date | None
    sic_codes: tuple[str, ...]

    @property
    def dissolved(self) -> bool:
        """Whether the company is dissolved (by its status or a dissolution date)."""
        return is_dissolved(self.status, self.dissolved_on)

    def new_kind(self) -> str:
        """The kind of a new organisation for this company: a charity is voluntary sector."""
        return "voluntary" if self.category.strip().lower() in VOLUNTARY_CATEGORIES \
            else "independent"


def is_dissolved(status: str | None, dissolved_on: dt.date | str | None) -> bool:
    """Whether a company's status or dissolution date says it is dissolved."""
    return bool(dissolved_on) or "dissolved" in (status or "").lower()


def number_in(cell: str) -> str:
    """The Companies House number in a cell, written one way; RecordProblem if it has no number's
    shape."""
    try:
        number = companies_house_number(cell)
    except IdentifierError as error:
        raise RecordProblem(str(error)) from None
    if number is None:
        raise RecordProblem("the CompanyNumber is empty")
    return number


def _date(cell: str, column: str) -> dt.date | None:
    text = cell.strip()
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError as error:
        # Companies registered before 1900 are still on the register.
        match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(1[89]\d\d)", text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                pass
        raise RecordProblem(f"{column} '{text}' {error}") from None


def company_from(row: list[str], positions: dict[str, int], number: str) -> Company:
    """The company a row describes (its number already read); RecordProblem if a cell is bad."""
    def cell(name: str) -> str:
        return row[positions[name]].strip()

    name = cell("CompanyName")
    if not name:
        raise RecordProblem("the CompanyName is empty")
    address = ", ".join(part for part in (cell(c) for c in ADDRESS_COLUMNS) if part)
    sic = tuple(text for text in (cell(c) for c in SIC_COLUMNS)
                if text and text.lower() != NO_SIC)
    return Company(
        number=number, name=name, registered_address=address,
        postcode=cell("RegAddress.PostCode").upper(), category=cell("CompanyCategory"),
        status=cell("CompanyStatus"),
        dissolved_on=_date(cell("DissolutionDate"), "DissolutionDate"),
        incorporated_on=_date(cell("IncorporationDate"), "IncorporationDate"),
        sic_codes=sic)


# ---- persons with significant control -----------------------------------------------------------

@dataclass(frozen=True)
class ControlPerson:
    """An individual person with significant control of a company, from the PSC snapshot."""

    company_number: str
    key: str
    name: str
    title: str
    forename: str
    middle_name: str
    surname: str
    birth_month: int | None
    birth_year: int | None
    natures_of_control: tuple[str, ...]
    notified_on: dt.date | None
    ceased_on: dt.date | None


@dataclass(frozen=True)
class PscLine:
    """What one snapshot line is: a person kept, another kind skipped, or the summary."""

    kind: str
    company_number: str | None = None
    person: ControlPerson | None = None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _psc_date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RecordProblem(f"{field} '{value}' is not a date written YYYY-MM-DD") from None


def _birth_part(value: Any, field: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise RecordProblem(f"date_of_birth {field} {value!r} must be a number from {low} to "
                            f"{high}")
    return value


def psc_line(record: Any) -> PscLine:
    """Read one decoded snapshot line; RecordProblem if it does not have the published shape."""
    if not isinstance(record, dict) or not isinstance(record.get("data"), dict):
        raise RecordProblem('is not a PSC snapshot line: it needs a "data" object')
    data = record["data"]
    kind = _text(data.get("kind"))
    if not kind:
        raise RecordProblem('has no "kind" in its "data"')
    if kind == PSC_TOTALS:
        return PscLine(kind)
    number = number_in(str(record.get("company_number") or ""))
    if kind != PSC_INDIVIDUAL:
        return PscLine(kind, number)
    name = _text(data.get("name"))
    elements = data.get("name_elements") if isinstance(data.get("name_elements"), dict) else {}
    if not name and not _text(elements.get("surname")):
        raise RecordProblem("a person with significant control has no name")
    birth = data.get("date_of_birth") if isinstance(data.get("date_of_birth"), dict) else {}
    natures = data.get("natures_of_control") or []
    if not isinstance(natures, list) or not all(isinstance(n, str) for n in natures):
        raise RecordProblem("natures_of_control must be a list of words")
    links = data.get("links") if isinstance(data.get("links"), dict) else {}
    notified_on = _psc_date(data.get("notified_on"), "notified_on")
    key = _text(links.get("self")) or _text(data.get("etag")) or \
        f"{name}|{notified_on.isoformat() if notified_on else ''}"
    return PscLine(kind, number, ControlPerson(
        company_number=number, key=key,
        name=name or " ".join(_text(elements.get(p)) for p in ("forename", "surname")),
        title=_text(elements.get("title")), forename=_text(elements.get("forename")),
        middle_name=_text(elements.get("middle_name")), surname=_text(elements.get("surname")),
        birth_month=_birth_part(birth.get("month"), "month", 1, 12),
        birth_year=_birth_part(birth.get("year"), "year", 1850, 2100),
        natures_of_control=tuple(natures), notified_on=notified_on,
        ceased_on=_psc_date(data.get("ceased_on"), "ceased_on")))


_BAND = re.compile(r"^(ownership-of-shares|voting-rights|right-to-share-surplus-assets)-"
                   r"(?:(\d+)-to-(\d+)-percent|more-than-(\d+)-percent)(.*)$")
_BAND_WORDS = {"ownership-of-shares": "of shares", "voting-rights": "of voting rights",
               "right-to-share-surplus-assets": "of surplus assets"}
_CAPACITY = {"-as-trust": " as a trustee", "-as-firm": " as a member of a firm"}


def nature_words(nature: str) -> str:
    """One nature of control in words: 'ownership-of-shares-25-to-50-percent' -> '25-50% of
    shares'."""
    match = _BAND.match(nature)
    if match:
        what, low, high, more, rest = match.groups()
        share = f"{low}-{high}%" if low else f"more than {more}%"
        words = f"{share} {_BAND_WORDS[what]}"
    else:
        rest = ""
        for suffix in _CAPACITY:
            if nature.endswith(suffix):
                rest, nature = suffix, nature[:-len(suffix)]
        words = nature.replace("-", " ")
        return words + _CAPACITY.get(rest, "")
    for suffix, said in _CAPACITY.items():
        if rest.startswith(suffix):
            return words + said
    return words


def natures_words(natures: tuple[str, ...] | list[str]) -> str:
    """Every nature of control in words, joined: '25-50% of shares, 25-50% of voting rights'."""
    return ", ".join(dict.fromkeys(nature_words(n) for n in natures))
