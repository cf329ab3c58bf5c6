"""Two kinds of import in Companies House's own layouts, read as a stream:

- `companies_house`: the "basic company data" CSV (BasicCompanyDataAsOneFile, about 5 million
  companies and 2.5 GB, or any of its parts). Only the companies the register needs are kept:
  those already in the register by Companies House number, plus any listed with `--only FILE`
  (the command line). Each is created (kind independent, or voluntary sector for a charitable
  incorporated organisation) or refreshed, matched by number.
- `psc`: the "persons with significant control" snapshot, one JSON object a line. Only the
  individual persons with significant control of companies in the register are kept.

Each file is read once, line by line (a csv reader over the file, never the whole text), so its
memory stays constant however long it is. Every row is checked for its shape (the number of
fields, the number's shape, valid JSON); only the wanted rows are read further. That reading runs
outside the write transaction; the plan is made again from the few wanted rows inside it, so a
minute of reading never holds the register's write lock.

Importing this module adds these kinds' formats, checks and words to `parsers`.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from sqlite_utils import Database

from ..rules import csvrows
from ..rules.companies_house import (
    PUBLISHED_HEADER_LINE,
    Company,
    ControlPerson,
    RecordProblem,
    company_from,
    header_positions,
    natures_words,
    number_in,
    psc_line,
)
from ..rules.identifiers import IdentifierError, companies_house_number
from ..rules.names import name_key
from ..rules.text import COMPANIES_HOUSE
from . import parsers
from .parsers import PREVIEW_ROWS, Change, Format, Plan

STREAMED_KINDS = ("companies_house", "psc")
# Problems listed before the file is no longer read: enough to see what is wrong with it.
MAX_PROBLEMS = 200
COMMAND_HINT = ("A file larger than the upload limit is imported with the command "
                "`flask import {kind} FILE`.")

COMPANIES_FORMAT = Format(
    "companies_house", "Companies House basic company data",
    "Companies House's free \"basic company data\" file, as published (CSV with its header row). "
    "Only companies already in the register by Companies House number are kept and refreshed. "
    + COMMAND_HINT.format(kind="companies_house"),
    (),
    PUBLISHED_HEADER_LINE + "\n"
    '"GO-TO-DOC LTD","09990002","","","4 MARKET PLACE","","NORTHVALE","","ENGLAND","NV3 4DD",'
    '"Private Limited Company","Active","United Kingdom","","01/06/2016","30","6","31/03/2026",'
    '"30/06/2024","MICRO ENTITY","","","0","0","0","0","86900 - Other human health activities",'
    '"","","","0","0","http://business.data.gov.uk/id/company/09990002",'
    + ",".join('""' for _ in range(20)) + ',"15/06/2026","01/06/2025"\n',
)
PSC_FORMAT = Format(
    "psc", "Companies House persons with significant control",
    "Companies House's \"persons with significant control\" snapshot, as published: one JSON "
    "object a line. Only individual people with significant control of companies in the "
    "register are kept. " + COMMAND_HINT.format(kind="psc"),
    (),
    '{"company_number":"09990002","data":{"kind":"individual-person-with-significant-control",'
    '"name":"Mrs Helen Carter","name_elements":{"title":"Mrs","forename":"Helen",'
    '"surname":"Carter"},"date_of_birth":{"month":4,"year":1975},'
    '"natures_of_control":["ownership-of-shares-25-to-50-percent"],"notified_on":"2021-03-03",'
    '"links":{"self":"/company/09990002/persons-with-significant-control/individual/abc123"}}}\n'
    '{"data":{"kind":"totals#persons-of-significant-control-snapshot",'
    '"persons_of_significant_control_count":1,"statements_count":0,"exemptions_count":0,'
    '"generated_at":"2026-11-30T03:00:00Z"}}\n',
    fence="json",
)
ENTITY_WORDS = {"company_psc": ("person with significant control",
                                "persons with significant control")}


@dataclass
class Reading:
    """What one pass over a file found: the wanted records by line, problems, and counts."""

    kind: str
    records: list[tuple[int, Any]] = field(default_factory=list)
    problems: list[parsers.Problem] = field(default_factory=list)
    file_problem: bool = False
    rows_read: int = 0
    not_wanted: int = 0
    skipped_kinds: dict[str, int] = field(default_factory=dict)
    stopped: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, line: int | None, message: str) -> None:
        """Note one problem; past MAX_PROBLEMS the file is not read further."""
        self.problems.append(parsers.Problem(line, message))
        if len(self.problems) >= MAX_PROBLEMS:
            self.stopped = True


def parse_only(text: str) -> tuple[set[str], list[str]]:
    """The Companies House numbers in an --only file (one a line; blank lines and lines starting
    with # are ignored), and its problems with their line numbers."""
    numbers: set[str] = set()
    problems: list[str] = []
    for line, raw in enumerate(text.splitlines(), 1):
        cell = raw.strip().strip('"').strip()
        if not cell or cell.startswith("#"):
            continue
        try:
            number = companies_house_number(cell)
        except IdentifierError as error:
            problems.append(f"Line {line}: {error}")
            continue
        if number:
            numbers.add(number)
    return numbers, problems


def _stream(data: bytes | str | TextIO) -> TextIO:
    """The file as text read line by line: an open file as it is, an upload wrapped."""
    if isinstance(data, bytes):
        return io.StringIO(csvrows.decode(data), newline="")
    if isinstance(data, str):
        return io.StringIO(data.removeprefix("\ufeff"), newline="")
    return data


def _register_numbers(db: Database) -> dict[str, int]:
    return {r[0]: r[1] for r in db.execute(
        "SELECT companies_house_number, id FROM organisations"
        " WHERE companies_house_number IS NOT NULL")}


# ---- basic company data -------------------------------------------------------------------------

class _CutShort(Exception):
    """A record the csv module cannot read, or the file ends inside a quoted value."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def csv_records(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line it starts on, reading one line at a time.

    A line as Companies House writes it (every value in quotes, none inside) is split directly,
    which is several times faster than the csv module; any other record, such as one with a
    quote or a line break inside a value, is read by the csv module, so the answer is the same.
    """
    pending: list[str] = []
    start = 0
    for line, text in enumerate(lines, 1):
        if not pending:
            body = text.rstrip("\r\n")
            if len(body) > 1 and body[0] == '"' and body[-1] == '"':
                cells = body[1:-1].split('","')
                if body.count('"') == 2 * len(cells):
                    yield line, cells
                    continue
            start = line
        pending.append(text)
        # A record is complete when its quotes balance (a quote inside a value is doubled).
        if sum(part.count('"') for part in pending) % 2:
            continue
        try:
            rows = list(csv.reader(pending, strict=True))
        except csv.Error as error:
            raise _CutShort(start, f"cannot be read as CSV ({error})") from None
        pending = []
        yield start, (rows[0] if rows else [])
    if pending:
        raise _CutShort(start, "ends inside a quoted value: the file is cut short")


def read_companies(lines: Iterable[str], wanted: set[str] | frozenset[str]) -> Reading:
    """One pass over basic company data: every row's shape is checked, and the companies whose
    number is wanted are read. `lines` is any iterable of text lines (an open file), read once."""
    reading = Reading("companies_house")
    records = csv_records(lines)
    try:
        _line, header = next(records)
        positions = header_positions(header)
    except StopIteration:
        reading.problem(None, "The file is empty")
        reading.file_problem = True
        return reading
    except _CutShort as error:
        reading.problem(error.line, str(error))
        reading.file_problem = True
        return reading
    except RecordProblem as error:
        reading.problem(None, str(error))
        reading.file_problem = True
        return reading
    width = len(header)
    number_at = positions["CompanyNumber"]
    seen: dict[str, int] = {}
    shape = COMPANIES_HOUSE.match
    try:
        for line, row in records:
            if not row or row == [""]:
                continue
            reading.rows_read += 1
            if len(row) != width:
                reading.problem(line, f"has {len(row)} fields but the header row has {width}: "
                                      "the line is cut short or broken")
            else:
                cell = row[number_at]
                if not shape(cell):
                    try:
                        cell = number_in(cell)
                    except RecordProblem as error:
                        reading.problem(line, f"CompanyNumber: {error}")
                        cell = ""
                if cell in wanted:
                    if cell in seen:
                        reading.problem(line, f"Companies House number {cell} is also on line "
                                              f"{seen[cell]}")
                    else:
                        seen[cell] = line
                        try:
                            reading.records.append((line, company_from(row, positions, cell)))
                        except RecordProblem as error:
                            reading.problem(line, str(error))
                elif cell:
                    reading.not_wanted += 1
            if reading.stopped:
                break
    except _CutShort as error:
        reading.problem(error.line, str(error))
    except UnicodeDecodeError:
        reading.problem(None, "The file is not UTF-8 text")
    if reading.rows_read == 0 and reading.ok:
        reading.problem(None, "The file has a header row but no companies")
        reading.file_problem = True
    return reading


COMPANY_COLUMNS = ("name", "registered_address", "postcode", "company_status", "company_category",
                   "sic_codes", "incorporated_on", "dissolved_on")


def _company_values(company: Company) -> dict[str, Any]:
    return {
        "name": company.name, "registered_address": company.registered_address,
        "postcode": company.postcode, "company_status": company.status,
        "company_category": company.category, "sic_codes": "; ".join(company.sic_codes),
        "incorporated_on": company.incorporated_on.isoformat() if company.incorporated_on
        else None,
        "dissolved_on": company.dissolved_on.isoformat() if company.dissolved_on else None,
    }


def plan_companies(reading: Reading, db: Database, wanted_new: set[str] | frozenset[str] = (),
                   ) -> Plan:
    """What the wanted companies would change in the register as it is now."""
    plan = Plan("companies_house", problems=list(reading.problems),
                file_problem=reading.file_problem, rows_read=reading.rows_read)
    plan.preview_header = ["Line", "Companies House number", "Name", "Status", "What happens"]
    if not plan.ok:
        if reading.stopped:
            plan.notes.append(f"The file was not read past line {reading.problems[-1].line}: "
                              f"{MAX_PROBLEMS} problems were found before it.")
        return plan
    register = {r["companies_house_number"]: r for r in db.query(
        "SELECT * FROM organisations WHERE companies_house_number IS NOT NULL")}
    found, unchanged, dissolved = set(), 0, []
    for line, company in reading.records:
        found.add(company.number)
        values = _company_values(company)
        existing = register.get(company.number)
        if existing is None:
            if company.number not in wanted_new:
                continue  # left the register while the file was read
            now = parsers._now()
            plan.changes.append(Change(line, "organisation", "create", {
                **values, "kind": company.new_kind(), "ods_code": None,
                "companies_house_number": company.number, "is_member_practice": 0,
                "created_at": now, "updated_at": now, "version": 1}))
            happens = "New organisation"
        else:
            # The register keeps its own spelling of a name ("Go-To-Doc Ltd") unless the company's
            # name has really changed: the published names are in capitals.
            if name_key(existing["name"]) == name_key(company.name):
                values.pop("name")
            changed = {k: v for k, v in values.items() if existing.get(k) != v}
            if changed:
                plan.changes.append(Change(line, "organisation", "update", changed,
                                           existing=existing))
                happens = "Update " + ", ".join(k.replace("_", " ") for k in changed)
            else:
                unchanged += 1
                happens = "No change"
        if company.dissolved:
            dissolved.append(existing["name"] if existing else company.name)
        if len(plan.preview_rows) < PREVIEW_ROWS:
            plan.preview_rows.append([str(line), company.number, company.name,
                                      company.status or "Not given", happens])
    if reading.not_wanted:
        plan.notes.append(f"{reading.not_wanted} compan{'y' if reading.not_wanted == 1 else 'ies'}"
                          " in the file {} not in the register and not asked for, so {} left out."
                          .format(*(("is", "it is") if reading.not_wanted == 1
                                    else ("are", "they are"))))
    if unchanged:
        plan.notes.append(f"{unchanged} compan{'y is' if unchanged == 1 else 'ies are'} already "
                          "up to date.")
    if dissolved:
        plan.notes.append("Dissolved: " + ", ".join(dissolved) + ".")
    missing = sorted(set(register) - found)
    if missing:
        shown = ", ".join(f"{register[n]['name']} ({n})" for n in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        plan.notes.append(f"Not in the file: {shown}{more}. The file lists companies on the "
                          "register; one dissolved some time ago is no longer in it.")
    return plan


# ---- persons with significant control -----------------------------------------------------------

def _json_lines(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    for line, text in enumerate(lines, 1):
        if text.strip():
            yield line, text


def read_pscs(lines: Iterable[str], wanted: set[str] | frozenset[str] | dict[str, int]
              ) -> Reading:
    """One pass over a PSC snapshot: every line must be a JSON object of the published shape; the
    individual persons with significant control of wanted companies are kept."""
    reading = Reading("psc")
    try:
        for line, text in _json_lines(lines):
            reading.rows_read += 1
            try:
                record = json.loads(text)
            except json.JSONDecodeError as error:
                reading.problem(line, f"is not valid JSON ({error.msg} at character "
                                      f"{error.colno})")
                if reading.stopped:
                    break
                continue
            try:
                found = psc_line(record)
            except RecordProblem as error:
                reading.problem(line, str(error))
                if reading.stopped:
                    break
                continue
            if found.person is None:
                reading.skipped_kinds[found.kind] = reading.skipped_kinds.get(found.kind, 0) + 1
            elif found.company_number in wanted:
                reading.records.append((line, found.person))
            else:
                reading.not_wanted += 1
    except UnicodeDecodeError:
        reading.problem(None, "The file is not UTF-8 text")
    if reading.rows_read == 0 and reading.ok:
        reading.problem(None, "The file is empty")
        reading.file_problem = True
    return reading


PSC_COLUMNS = ("kind", "name", "title", "forename", "middle_name", "surname", "birth_month",
               "birth_year", "natures_of_control", "notified_on", "ceased_on")


def _psc_values(person: ControlPerson) -> dict[str, Any]:
    return {
        "kind": "individual", "name": person.name, "title": person.title,
        "forename": person.forename, "middle_name": person.middle_name,
        "surname": person.surname, "birth_month": person.birth_month,
        "birth_year": person.birth_year,
        "natures_of_control": json.dumps(list(person.natures_of_control)),
        "notified_on": person.notified_on.isoformat() if person.notified_on else None,
        "ceased_on": person.ceased_on.isoformat() if person.ceased_on else None,
    }


def plan_pscs(reading: Reading, db: Database) -> Plan:
    """What the kept persons with significant control would change in the register now."""
    plan = Plan("psc", problems=list(reading.problems), file_problem=reading.file_problem,
                rows_read=reading.rows_read)
    plan.preview_header = ["Line", "Company", "Person with significant control", "Control",
                           "What happens"]
    if not plan.ok:
        if reading.stopped:
            plan.notes.append(f"The file was not read past line {reading.problems[-1].line}: "
                              f"{MAX_PROBLEMS} problems were found before it.")
        return plan
    companies = {r[0]: (r[1], r[2]) for r in db.execute(
        "SELECT companies_house_number, id, name FROM organisations"
        " WHERE companies_house_number IS NOT NULL")}
    existing = {(r["organisation_id"], r["psc_key"]): r for r in db.query(
        "SELECT * FROM company_pscs")}
    seen: dict[tuple[int, str], int] = {}
    unchanged = 0
    for line, person in reading.records:
        if person.company_number not in companies:
            continue  # left the register while the file was read
        organisation_id, company_name = companies[person.company_number]
        key = (organisation_id, person.key)
        if key in seen:
            plan.problem(line, f"this person with significant control of "
                               f"{person.company_number} is also on line {seen[key]}")
            continue
        seen[key] = line
        values = _psc_values(person)
        old = existing.get(key)
        if old is None:
            now = parsers._now()
            plan.changes.append(Change(line, "company_psc", "create", {
                "organisation_id": organisation_id, "psc_key": person.key, **values,
                "created_at": now, "updated_at": now, "version": 1}))
            happens = "New"
        else:
            changed = {k: v for k, v in values.items() if old[k] != v}
            if changed:
                plan.changes.append(Change(line, "company_psc", "update", changed, existing=old))
                happens = "Update " + ", ".join(k.replace("_", " ") for k in changed)
            else:
                unchanged += 1
                happens = "No change"
        if len(plan.preview_rows) < PREVIEW_ROWS:
            plan.preview_rows.append([str(line), company_name, person.name,
                                      natures_words(person.natures_of_control), happens])
    if reading.not_wanted:
        plan.notes.append(f"{reading.not_wanted} persons with significant control of companies "
                          "not in the register were left out.")
    skipped = sum(n for kind, n in reading.skipped_kinds.items()
                  if not kind.startswith("totals#"))
    if skipped:
        plan.notes.append(f"{skipped} other entries (companies or legal persons with control, "
                          "statements, exemptions) were left out: only individual people are "
                          "kept.")
    if unchanged:
        plan.notes.append(f"{unchanged} persons with significant control are already up to "
                          "date.")
    return plan


# ---- the kinds as the import sees them ----------------------------------------------------------

def read_streamed(kind: str, data: bytes | str | TextIO, db: Database,
                  only: Iterable[str] = ()) -> tuple[Reading, set[str]]:
    """Read a whole file of a streamed kind once (no writes); the numbers asked for with --only
    that are not in the register come back too, for the plan."""
    try:
        lines = _stream(data)
    except csvrows.FileProblem as error:
        reading = Reading(kind, file_problem=True)
        reading.problem(None, str(error))
        return reading, set()
    in_register = _register_numbers(db)
    if kind == "companies_house":
        wanted_new = set(only) - set(in_register)
        return read_companies(lines, frozenset(in_register) | wanted_new), wanted_new
    return read_pscs(lines, in_register), set()


def plan_streamed(reading: Reading, db: Database, wanted_new: set[str] | frozenset[str] = ()
                  ) -> Plan:
    """The plan for what was read, against the register as it is now."""
    if reading.kind == "companies_house":
        return plan_companies(reading, db, wanted_new)
    return plan_pscs(reading, db)


def check_streamed(kind: str, data: bytes | str | TextIO, db: Database,
                   only: Iterable[str] = ()) -> Plan:
    """Check a file of a streamed kind: the plan it would give now (nothing is written)."""
    reading, wanted_new = read_streamed(kind, data, db, only)
    return plan_streamed(reading, db, wanted_new)


parsers.FORMATS["companies_house"] = COMPANIES_FORMAT
parsers.FORMATS["psc"] = PSC_FORMAT
parsers.STREAMED["companies_house"] = check_streamed
parsers.STREAMED["psc"] = check_streamed
parsers.ENTITY_WORDS.update(ENTITY_WORDS)
