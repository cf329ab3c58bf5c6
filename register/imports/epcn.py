"""The ODS primary care network file (ePCN), as NHS Digital publishes it.

The workbook `ePCN.xlsx` has a sheet "PCN Core Partner Details": one row per spell of a practice
(the partner organisation) in a network, with the columns Partner Organisation Code, Partner Name,
Practice Parent Sub ICB Location Code and Name, PCN Code, PCN Name, PCN Parent Sub ICB Location
Code and Name, Practice to PCN Relationship Start Date, Practice to PCN Relationship End Date and
"Practice Sub ICB and PCN Sub ICB Match?". The workbook's headings break over lines; the same
sheet saved as CSV has them on one line; the ODS report `epcncorepartnerdetails` is that CSV
without the header row. All three are read here.

Networks (kind 'network', ODS code = PCN code) are created or renamed, and each practice's dated
memberships are created or their dates refreshed. Practices not in the register are skipped (the
file lists every practice in England): import them first from epraccur. A network none of whose
practices is in the register is not created.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from ..rules import csvrows
from ..rules.csvrows import FileProblem, Row
from ..rules.dates import iso_date
from ..rules.periods import Period, describe, overlaps
from ..rules.text import is_ods_code, is_practice_code, normalise_code
from . import parsers
from .parsers import PRACTICE_CODE_RULE, PREVIEW_ROWS, Change, Column, Format, Plan, Register

SHEET = "PCN Core Partner Details"

# The published columns, in the order of the report without a header row.
PUBLISHED = ("Partner Organisation Code", "Partner Name", "Practice Parent Sub ICB Location Code",
             "Practice Parent Sub ICB Location Name", "PCN Code", "PCN Name",
             "PCN Parent Sub ICB Location Code", "PCN Parent Sub ICB Location Name",
             "Practice to PCN Relationship Start Date", "Practice to PCN Relationship End Date",
             "Practice Sub ICB and PCN Sub ICB Match?")
PRACTICE, PRACTICE_NAME, PCN, PCN_NAME, START, END = (
    "Partner Organisation Code", "Partner Name", "PCN Code", "PCN Name",
    "Practice to PCN Relationship Start Date", "Practice to PCN Relationship End Date")
NEEDED = (PRACTICE, PRACTICE_NAME, PCN, PCN_NAME, START, END)

SKIPPED_LISTED = 10

EXAMPLE = (
    ",".join(PUBLISHED) + "\n"
    "Y90001,RIVERSIDE SURGERY,15N,NHS NORTHVALE SUB ICB LOCATION,U90001,NORTHVALE CENTRAL PCN,"
    "15N,NHS NORTHVALE SUB ICB LOCATION,20190701,,Y\n"
    "Y90002,HILLTOP MEDICAL CENTRE,15N,NHS NORTHVALE SUB ICB LOCATION,U90001,"
    "NORTHVALE CENTRAL PCN,15N,NHS NORTHVALE SUB ICB LOCATION,20190701,20210331,Y\n"
    "Y90002,HILLTOP MEDICAL CENTRE,15N,NHS NORTHVALE SUB ICB LOCATION,U90001,"
    "NORTHVALE CENTRAL PCN,15N,NHS NORTHVALE SUB ICB LOCATION,20230401,,Y\n"
    "Y90003,VALLEY VIEW PRACTICE,15N,NHS NORTHVALE SUB ICB LOCATION,U90002,NORTHVALE EAST PCN,"
    "15N,NHS NORTHVALE SUB ICB LOCATION,20190701,,Y\n"
    "Y99999,ELSEWHERE SURGERY,99X,NHS ELSEWHERE SUB ICB LOCATION,U99999,ELSEWHERE PCN,99X,"
    "NHS ELSEWHERE SUB ICB LOCATION,20190701,,Y\n"
)

FORMAT = Format(
    "epcn", "Primary care networks (ePCN)",
    "NHS Digital's ePCN file, as downloaded: the ePCN.xlsx workbook (its 'PCN Core Partner "
    "Details' sheet) or that sheet as CSV. Creates or refreshes networks and the dated "
    "memberships of practices already in the register.",
    (
        Column(PRACTICE, True, "The practice's ODS code (a letter and 5 numbers)."),
        Column(PRACTICE_NAME, True, "The practice's name (shown in the preview only)."),
        Column(PCN, True, "The network's ODS code, like U12345: the network is found or "
               "created by it."),
        Column(PCN_NAME, True, "The network's name: a network already in the register is "
               "renamed to it."),
        Column(START, True, "When the practice joined: YYYYMMDD, YYYY-MM-DD or DD/MM/YYYY (a "
               "date cell in the workbook)."),
        Column(END, True, "When it left (blank while it still belongs); not before it joined."),
    ),
    EXAMPLE,
)


def _heading(cell: str) -> str:
    """A heading as published, whatever its line breaks and spacing."""
    return " ".join(cell.split()).casefold()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _workbook_rows(data: bytes) -> list[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook is one plain problem
        raise FileProblem("The file cannot be read as an Excel workbook. Download the ePCN "
                          "file again, or save its 'PCN Core Partner Details' sheet as CSV") \
            from None
    try:
        if SHEET not in book.sheetnames:
            raise FileProblem(f"The workbook has no sheet called '{SHEET}' (it has "
                              f"{', '.join(book.sheetnames)}): is it the ePCN file?")
        return [Row(number, [_cell(v) for v in values]) for number, values in enumerate(
            book[SHEET].iter_rows(values_only=True), start=1)]
    finally:
        book.close()


def read(data: bytes | str) -> list[Row]:
    """The rows of an ePCN file, a workbook or CSV, numbered as a spreadsheet shows them."""
    if isinstance(data, bytes) and data.startswith(b"PK\x03\x04"):
        return _workbook_rows(data)
    text = csvrows.decode(data) if isinstance(data, bytes) else data
    return csvrows.read_rows(text)


def upload_text(data: bytes) -> str:
    """An uploaded ePCN file as CSV text (a workbook's sheet converted), kept until confirmed;
    its lines keep their numbers."""
    rows = read(data)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(row.cells)
    return out.getvalue()


def _columns(plan: Plan, rows: list[Row]) -> tuple[dict[str, int], list[Row]] | None:
    """Where each needed column is, and the data rows; None (with the problem) for another
    layout."""
    first = rows[0].cells
    headings = [_heading(cell) for cell in first]
    if _heading(PRACTICE) in headings:
        missing = [name for name in NEEDED if _heading(name) not in headings]
        if missing:
            plan.problem(None, "The header row is missing the column" + (
                "s " if len(missing) > 1 else " ") + ", ".join(f"'{m}'" for m in missing)
                + f": this does not look like the ePCN '{SHEET}' sheet")
            return None
        return {name: headings.index(_heading(name)) for name in NEEDED}, rows[1:]
    if len(first) == len(PUBLISHED) and is_ods_code(first[0]):
        # The ODS report without a header row: the published columns in order.
        return {name: PUBLISHED.index(name) for name in NEEDED}, rows
    plan.problem(None, f"This does not look like the ePCN file: the first row should be the "
                       f"headings of the '{SHEET}' sheet (starting '{PRACTICE}'), or a row of "
                       f"{len(PUBLISHED)} columns starting with a practice's ODS code")
    return None


_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _date(plan: Plan, line: int, column: str, value: str) -> dt.date | None:
    compact = _COMPACT.match(value)
    if compact:
        value = "-".join(compact.groups())
    try:
        return csvrows.parse_date(value)
    except ValueError as error:
        reason = str(error).replace("YYYY-MM-DD", "YYYYMMDD, YYYY-MM-DD")
        plan.problem(line, f"{column} '{value}' {reason}")
        return None


def check_epcn(plan: Plan, data: bytes | str, register: Register) -> None:
    """Check an ePCN file: every row's codes and dates, overlaps in the file and with the
    register; the plan creates or renames networks and creates or refreshes memberships."""
    try:
        rows = [row for row in read(data) if not csvrows.is_blank(row.cells)]
        if not rows:
            raise FileProblem("The file is empty")
    except FileProblem as error:
        plan.problem(None, str(error))
        plan.file_problem = True
        return
    found = _columns(plan, rows)
    if found is None:
        plan.file_problem = True
        return
    at, data_rows = found
    if not data_rows:
        plan.problem(None, "The file has a header row but no rows to import")
        plan.file_problem = True
        return
    plan.preview_header = ["Line", "Practice", "PCN code", "PCN name", "Joined", "Left",
                           "What happens"]
    networks: dict[str, Change | dict[str, Any]] = {}
    spells: dict[tuple[int, str], list[tuple[int, Period]]] = {}
    skipped: list[int] = []
    unchanged = 0
    for row in data_rows:
        plan.rows_read += 1
        line = row.line
        cells = [cell.strip() for cell in row.cells] + [""] * len(PUBLISHED)
        value = {name: cells[index] for name, index in at.items()}
        before = len(plan.problems)
        for name, text in value.items():
            message = csvrows.text_problem(name, text, csvrows.NAME_LIMIT)
            if message:
                plan.problem(line, message)
        practice_code, pcn_code = normalise_code(value[PRACTICE]), normalise_code(value[PCN])
        if not is_practice_code(practice_code):
            plan.problem(line, f"{PRACTICE} '{practice_code}' {PRACTICE_CODE_RULE}")
        if not is_ods_code(pcn_code):
            plan.problem(line, f"{PCN} '{pcn_code}' must be an ODS code, like U12345")
        if not value[PCN_NAME]:
            plan.problem(line, f"Enter the {PCN_NAME}")
        start = _date(plan, line, START, value[START]) if value[START] else None
        if not value[START]:
            plan.problem(line, f"Enter the {START}, like 20190701")
        end = _date(plan, line, END, value[END]) if value[END] else None
        if start and end and end < start:
            plan.problem(line, f"{END} must be the same as or after the {START} (it left before "
                               "it joined)")
        if len(plan.problems) > before:
            continue
        practice = register.organisation_by_code(practice_code)
        if practice is None:
            skipped.append(line)
            happens = "Skipped: practice not in the register"
        elif practice["kind"] != "practice":
            plan.problem(line, f"{PRACTICE} {practice_code} is a {practice['kind']} in the "
                               "register, not a practice")
            continue
        else:
            network = networks.get(pcn_code)
            if network is None:
                existing = register.organisation_by_code(pcn_code)
                if existing is not None and existing["kind"] != "network":
                    plan.problem(line, f"{PCN} {pcn_code} is a {existing['kind']} in the "
                                       f"register ({existing['name']}), not a network")
                    continue
                if existing is None:
                    now = parsers._now()
                    network = Change(line, "organisation", "create", {
                        "name": value[PCN_NAME], "kind": "network", "ods_code": pcn_code,
                        "companies_house_number": None, "is_member_practice": 0,
                        "created_at": now, "updated_at": now, "version": 1})
                    plan.changes.append(network)
                else:
                    network = existing
                    if existing["name"] != value[PCN_NAME]:
                        plan.changes.append(Change(line, "organisation", "update",
                                                   {"name": value[PCN_NAME]}, existing=existing))
                networks[pcn_code] = network
            period = Period(practice["id"], start, end)
            key = (practice["id"], pcn_code)
            clash = next((other for other in spells.get(key, []) if overlaps(other[1], period)),
                         None)
            if clash:
                plan.problem(line, f"{practice_code} in {pcn_code} {describe(period)} overlaps "
                                   f"its period on line {clash[0]}: one practice's periods in "
                                   "one network cannot overlap")
                continue
            spells.setdefault(key, []).append((line, period))
            happens = "Membership"
        if len(plan.preview_rows) < PREVIEW_ROWS:
            plan.preview_rows.append([str(line), f"{value[PRACTICE_NAME]} ({practice_code})",
                                      pcn_code, value[PCN_NAME], value[START], value[END],
                                      happens])
    if plan.problems:
        return
    for (practice_id, pcn_code), periods in spells.items():
        unchanged += _plan_memberships(plan, register, practice_id, networks[pcn_code], periods)
    if skipped:
        shown = ", ".join(str(n) for n in skipped[:SKIPPED_LISTED])
        more = f" and {len(skipped) - SKIPPED_LISTED} more" if len(skipped) > SKIPPED_LISTED else ""
        plan.notes.append(f"{len(skipped)} row{' was' if len(skipped) == 1 else 's were'} "
                          f"skipped because the practice is not in the register (line"
                          f"{'' if len(skipped) == 1 else 's'} {shown}{more}). Import practices "
                          "from epraccur first to include them.")
    if unchanged:
        plan.notes.append(f"{unchanged} membership period{' is' if unchanged == 1 else 's are'} "
                          "already up to date.")
    plan.notes.append("Membership periods in the register that the file does not mention are "
                      "left as they are.")


def _plan_memberships(plan: Plan, register: Register, practice_id: int,
                      network: Change | dict[str, Any], periods: list[tuple[int, Period]]) -> int:
    """Create each period of one practice in one network, or refresh the dates of the one
    period already recorded that it overlaps; returns how many were already up to date."""
    existing: list[dict[str, Any]] = [] if isinstance(network, Change) else list(
        register.db.query("SELECT * FROM organisation_links WHERE member_id = ? AND parent_id = ?",
                          [practice_id, network["id"]]))
    taken: dict[int, int] = {}
    unchanged = 0
    for line, period in periods:
        olds = [row for row in existing if overlaps(Period(
            practice_id, iso_date(row["date_from"]), iso_date(row["date_to"])), period)]
        if len(olds) > 1:
            plan.problem(line, f"this period ({describe(period)}) overlaps {len(olds)} periods "
                               "already in the register for this practice and network: change "
                               "them on the organisation's page first")
            continue
        values = {"date_from": period.date_from.isoformat() if period.date_from else None,
                  "date_to": period.date_to.isoformat() if period.date_to else None}
        if not olds:
            plan.changes.append(Change(line, "organisation_link", "create",
                                       {**values, "created_at": parsers._now()},
                                       refs={"member_id": practice_id, "parent_id": network
                                             if isinstance(network, Change) else network["id"]}))
            continue
        old = olds[0]
        if old["id"] in taken:
            plan.problem(line, f"this period and the one on line {taken[old['id']]} both overlap "
                               "the same period already in the register")
            continue
        taken[old["id"]] = line
        if (old["date_from"], old["date_to"]) == (values["date_from"], values["date_to"]):
            unchanged += 1
        else:
            plan.changes.append(Change(line, "organisation_link", "update", values, existing=old))
    return unchanged




parsers.FORMATS["epcn"] = FORMAT
