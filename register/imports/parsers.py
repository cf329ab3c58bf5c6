"""Read an import file and check every row, producing a plan of what would be written.

Nothing here writes: the database is only read, to find duplicates and the records rows refer to.
The formats are described once, in FORMATS, which the format help page renders and the docs repeat.
"""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from ..organisations.identity import Resolver
from ..rules import csvrows
from ..rules.csvrows import FileProblem, Row
from ..rules.identifiers import (
    NORMALISERS,
    SCHEMES,
    IdentifierError,
    Named,
    parse_organisation_reference,
)
from ..rules.interests import INTEREST_TYPES
from ..rules.names import name_key
from ..rules.person_names import EARLIEST_BIRTH_YEAR
from ..rules.quorum import CATEGORIES, QuorumRule, QuorumRuleError, parse_quorum_rule
from ..rules.text import (
    forbidden_character,
    is_email,
    is_ods_code,
    is_practice_code,
    normalise_code,
)
from ..timeutil import today_uk

KINDS = ("organisations", "epraccur", "epcn", "memberships", "people", "home_practices",
         "committees", "interests", "decisions", "notices", "modifications", "gifts", "breaches",
         "meeting_declarations", "companies_house", "psc")

ORGANISATION_KINDS = ("practice", "network", "federation", "trust", "independent", "voluntary",
                      "local_authority", "other")
PARENT_KINDS = ("network", "federation")
POLICIES = ("discuss_not_vote", "leave")
MEMBER_ROLES = ("chair", "vice_chair", "member")
ODS_STATUSES = {"A": "active", "B": "retired", "C": "closed", "D": "dormant", "P": "proposed"}
EPRACCUR_COLUMNS = 27
GP_PRACTICE_SETTING = "4"
PREVIEW_ROWS = 20

PRACTICE_CODE_RULE = "must be a letter followed by 5 numbers, like A81001"
ODS_CODE_RULE = "must be 3 to 10 letters and numbers, like U12345 or RX1"


# ---- the formats --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One column of a format: whether the header must have it, what it holds, its length limit."""

    name: str
    required: bool
    description: str
    limit: int = csvrows.SHORT_LIMIT


@dataclass(frozen=True)
class Format:
    """One kind of import file."""

    kind: str
    title: str
    summary: str
    columns: tuple[Column, ...]
    example: str
    has_header: bool = True
    fence: str = "csv"  # the language of the example in the docs

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if not c.required)

    @property
    def limits(self) -> dict[str, int]:
        return {c.name: c.limit for c in self.columns}


FORMATS: dict[str, Format] = {
    "organisations": Format(
        "organisations", "Organisations",
        "Practices, networks, federations, trusts and other providers, one a row, with a header row.",
        (
            Column("name", True, "The organisation's name.", csvrows.NAME_LIMIT),
            Column("kind", True, "One of: " + ", ".join(ORGANISATION_KINDS) + "."),
            Column("ods_code", False, "ODS code, if it has one. A practice's is a letter and 5 "
                   "numbers (A81001). Must not already be in the register.", csvrows.CODE_LIMIT),
            Column("companies_house_number", False, "8 numbers, or 2 letters and 6 numbers "
                   "(shorter numbers are padded with zeros: 1234567 is 01234567). Must not "
                   "already be in the register.", csvrows.CODE_LIMIT),
            Column("charity_number", False, "The charity number, if it is a registered "
                   "charity: 6 or 7 numbers (England and Wales), SC and 6 numbers (Scotland) "
                   "or NIC and 6 numbers (Northern Ireland). Must not already be in the "
                   "register.", csvrows.CODE_LIMIT),
            Column("registered_address", False, "The registered address.", csvrows.ADDRESS_LIMIT),
            Column("postcode", False, "The postcode.", csvrows.CODE_LIMIT),
            Column("is_member_practice", False, "yes or no (blank means no). Only a practice "
                   "can be a member practice of the consortium."),
            Column("member_of", False, "The networks or federations it belongs to, separated by "
                   "';'. Each is named by its ODS code, or as companies_house:09990001, "
                   "charity:1190001 or name:Its Exact Name, and must be in this file or already "
                   "in the register. A value without a prefix is an ODS code, or else the exact "
                   "name.", csvrows.ADDRESS_LIMIT),
        ),
        "name,kind,ods_code,companies_house_number,charity_number,registered_address,postcode,"
        "is_member_practice,member_of\n"
        "Northvale Central Network,network,Y90090,,,,,no,\n"
        "Northvale GP Federation Ltd,federation,Y90091,09990001,,\"1 Mill Lane, Northvale\","
        "NV1 1AA,no,\n"
        "Northvale Out of Hours Collaborative,federation,,,,,,no,\n"
        "Riverside Surgery,practice,Y90001,,,\"2 River Street, Northvale\",NV1 2BB,yes,"
        "Y90090;companies_house:09990001;name:Northvale Out of Hours Collaborative\n"
        "Hilltop Medical Centre,practice,Y90002,,,\"3 Hill Road, Northvale\",NV2 3CC,yes,Y90090\n"
        "Go-To-Doc Ltd,independent,,09990002,,\"4 Market Place, Northvale\",NV3 4DD,no,\n"
        "Northvale Carers Trust,voluntary,,,1190001,\"5 Chapel Street, Northvale\",NV3 5EE,no,\n",
    ),
    "epraccur": Format(
        "epraccur", "GP practices (epraccur)",
        "NHS Digital's GP practice extract, epraccur.csv, as downloaded: no header row, "
        "27 columns. Only GP practices (prescribing setting 4) are imported.",
        (),
        "Y90001,RIVERSIDE SURGERY,Y56,QWE,2 RIVER STREET,,NORTHVALE,,,NV1 2BB,19740401,,A,B,"
        "15N,20130401,,01234 567890,,,,0,,P,,4,\n"
        "Y90003,VALLEY VIEW PRACTICE,Y56,QWE,5 VALLEY ROAD,EASTSIDE,NORTHVALE,,,NV4 5EE,"
        "19800101,,A,B,15N,20130401,,01234 567891,,,,0,,P,,4,\n"
        "Y90004,NORTHVALE WALK-IN CENTRE,Y56,QWE,6 STATION ROAD,,NORTHVALE,,,NV1 6FF,20050101,"
        ",A,B,15N,20130401,,01234 567892,,,,0,,P,,1,\n",
        has_header=False,
    ),
    "people": Format(
        "people", "People",
        "Board and committee members and staff, one a row, with a header row.",
        (
            Column("name", True, "The person's full name.", csvrows.NAME_LIMIT),
            Column("email", True, "Their email address. Must not already be in the register.",
                   csvrows.EMAIL_LIMIT),
            Column("positions", False, "Their position or positions, as free text.",
                   csvrows.ADDRESS_LIMIT),
            Column("is_decision_maker", False, "yes or no (blank means no): whether they take "
                   "part in decisions, so appear on the published register."),
            Column("home_practice_ods", False, "The ODS code of the practice they work in, if "
                   "any. The practice must already be in the register.", csvrows.CODE_LIMIT),
            Column("birth_month", False, "Month of birth, 1 to 12, if recorded: with "
                   "birth_year it tells them apart from someone of the same name who controls a "
                   "company (Companies House)."),
            Column("birth_year", False, "Year of birth, like 1975, if recorded."),
            Column("home_practice_from", False, "The date they started at that practice "
                   "(blank means since always). A row for someone already in the register with "
                   "home_practice_ods and home_practice_from records a move: their earlier "
                   "practice ends the day before."),
        ),
        "name,email,positions,is_decision_maker,home_practice_ods\n"
        "Dr Asha Patel,asha.patel@example.nhs.uk,GP partner; Clinical lead,yes,Y90001\n"
        "Tom Hughes,tom.hughes@example.nhs.uk,Lay member for governance,yes,\n"
        "Grace Okafor,grace.okafor@example.nhs.uk,Chief finance officer,yes,\n"
        "Dr Ben Carter,ben.carter@example.nhs.uk,GP partner,yes,Y90002\n"
        "Sam Lee,sam.lee@example.nhs.uk,Board secretary,no,\n"
        "Dr Chloe Evans,chloe.evans@example.nhs.uk,Salaried GP,yes,\n",
    ),
    "committees": Format(
        "committees", "Committees and their members",
        "One row per committee member, with a header row. New committees are created.",
        (
            Column("committee", True, "The committee's name. Must not already be in the "
                   "register.", csvrows.NAME_LIMIT),
            Column("quorum", True, "The quorum from its terms of reference, like '5 including "
                   "1 lay, 1 executive'. Every row of a committee gives the same quorum (or "
                   "leaves it blank after the first)."),
            Column("common_interest_policy", False, "discuss_not_vote (blank means this) or "
                   "leave: what members with an interest common to all practices do."),
            Column("person_email", True, "The member's email. The person must already be in "
                   "the register.", csvrows.EMAIL_LIMIT),
            Column("role", False, "chair, vice_chair or member (blank means member)."),
            Column("category", True, "gp, lay, executive or other."),
            Column("voting", False, "yes or no (blank means yes)."),
        ),
        "committee,quorum,common_interest_policy,person_email,role,category,voting\n"
        "Primary Care Committee,3 including 1 lay,discuss_not_vote,tom.hughes@example.nhs.uk,"
        "chair,lay,yes\n"
        "Primary Care Committee,3 including 1 lay,discuss_not_vote,grace.okafor@example.nhs.uk,"
        "vice_chair,executive,yes\n"
        "Primary Care Committee,3 including 1 lay,discuss_not_vote,asha.patel@example.nhs.uk,"
        "member,gp,yes\n"
        "Primary Care Committee,3 including 1 lay,discuss_not_vote,ben.carter@example.nhs.uk,"
        "member,gp,yes\n"
        "Primary Care Committee,3 including 1 lay,discuss_not_vote,sam.lee@example.nhs.uk,"
        "member,other,no\n",
    ),
    "interests": Format(
        "interests", "Declared interests",
        "Entries for the register of interests, one a row, with a header row.",
        (
            Column("person_email", True, "The email of the person declaring. The person must "
                   "already be in the register.", csvrows.EMAIL_LIMIT),
            Column("organisation_ods", False, "The ODS code of the organisation, if it is in the "
                   "register.", csvrows.CODE_LIMIT),
            Column("organisation_companies_house_number", False, "The organisation's Companies "
                   "House number, if it is in the register.", csvrows.CODE_LIMIT),
            Column("organisation_charity_number", False, "The organisation's charity number, if "
                   "it is in the register.", csvrows.CODE_LIMIT),
            Column("organisation_name", False, "The organisation's name. Each row needs an "
                   "identifier or the name. A name that is exactly one registered "
                   "organisation's (ignoring case, punctuation, 'The', '&' and 'Limited', 'Ltd' "
                   "or 'CIC') links the interest to it; any other name is kept as typed.",
                   csvrows.NAME_LIMIT),
            Column("organisation_business", False, "The nature of the organisation's business.",
                   csvrows.ADDRESS_LIMIT),
            Column("interest_type", True, "financial, non_financial_professional or "
                   "non_financial_personal."),
            Column("direct_or_indirect", False, "direct (blank means this) or indirect (held "
                   "by a close associate)."),
            Column("relationship", False, "For an indirect interest, who holds it, like "
                   "'spouse'."),
            Column("nature", True, "The nature of the interest.", csvrows.TEXT_LIMIT),
            Column("date_from", True, "When the interest arose: YYYY-MM-DD or DD/MM/YYYY."),
            Column("date_to", False, "When it ended, if it has (same formats, not before "
                   "date_from)."),
            Column("mitigation", False, "The action taken to mitigate it.", csvrows.TEXT_LIMIT),
            Column("declared_on", True, "When it was declared (same formats, not in the "
                   "future)."),
            Column("consent_to_publish", True, "yes or no."),
            Column("withheld_reason", False, "Why it is not published: needed when "
                   "consent_to_publish is no.", csvrows.TEXT_LIMIT),
        ),
        "person_email,organisation_ods,organisation_companies_house_number,"
        "organisation_charity_number,organisation_name,organisation_business,interest_type,"
        "direct_or_indirect,relationship,nature,date_from,date_to,mitigation,declared_on,"
        "consent_to_publish,withheld_reason\n"
        "asha.patel@example.nhs.uk,Y90001,,,,GP practice,financial,direct,,Partner,2015-04-01,,"
        "Leaves the meeting for decisions about the practice,2025-04-10,yes,\n"
        "ben.carter@example.nhs.uk,,,,Go-To-Doc Limited,Online GP consultations,financial,"
        "indirect,spouse,Spouse is a director,01/06/2024,,,20/06/2024,yes,\n"
        "tom.hughes@example.nhs.uk,Y90091,,,,GP federation,non_financial_professional,direct,,"
        "Former adviser to the board,2022-01-01,2024-12-31,,2022-01-05,no,Personal safety\n"
        "grace.okafor@example.nhs.uk,,,1190001,,Carers' support,non_financial_personal,direct,,"
        "Trustee,2023-03-01,,,2023-05-15,yes,\n"
        "sam.lee@example.nhs.uk,,9990002,,,Online GP consultations,financial,direct,,"
        "Shareholder,2024-02-01,,,2024-02-10,yes,\n",
    ),
}


# ---- the plan -----------------------------------------------------------------------------------

@dataclass
class Problem:
    """Why the file, or one line of it, cannot be imported."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


@dataclass(eq=False)
class Change:
    """One record to create or update; refs point at other changes written earlier."""

    line: int
    entity: str
    action: str  # "create" or "update"
    values: dict[str, Any]
    existing: dict[str, Any] | None = None
    refs: dict[str, Change | int] = field(default_factory=dict)
    record_id: int | None = None


ENTITY_WORDS = {
    "organisation": ("organisation", "organisations"),
    "organisation_link": ("network or federation membership", "network or federation memberships"),
    "person": ("person", "people"),
    "home_practice": ("home practice period", "home practice periods"),
    "committee": ("committee", "committees"),
    "committee_member": ("committee member", "committee members"),
    "interest": ("interest", "interests"),
}
ACTION_WORDS = {"create": ("will be created", "created"), "update": ("will be updated", "updated")}


@dataclass
class Plan:
    """What a file would do: its problems, or the changes it would make and notes about them."""

    kind: str
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    preview_header: list[str] = field(default_factory=list)
    preview_rows: list[list[str]] = field(default_factory=list)
    rows_read: int = 0
    file_problem: bool = False
    # Decisions written as drafts and then submitted through the lifecycle, at the end.
    to_submit: list[Change] = field(default_factory=list)
    # Decisions import: a new meeting's (start time, place), by the line of its first decision.
    meeting_details: dict[int, tuple[str | None, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> Counter[tuple[str, str]]:
        """How many records of each entity each action touches."""
        return Counter((c.entity, c.action) for c in self.changes)

    def summary(self, *, done: bool = False) -> list[str]:
        """The counts in words: '3 organisations will be created' (or 'created' once done)."""
        lines = []
        for (entity, action), number in sorted(
                self.counts().items(),
                key=lambda item: (list(ENTITY_WORDS).index(item[0][0]), item[0][1])):
            words = (("practice", "practices") if self.kind == "epraccur"
                     and entity == "organisation" else ("network", "networks")
                     if self.kind == "epcn" and entity == "organisation"
                     else ENTITY_WORDS[entity])
            noun = words[0 if number == 1 else 1]
            lines.append(f"{number} {noun} {ACTION_WORDS[action][1 if done else 0]}")
        if not lines:
            lines.append("Nothing " + ("was" if done else "will be") + " created or updated")
        return lines

    def problem(self, line: int | None, message: str) -> None:
        """Note one problem."""
        self.problems.append(Problem(line, message))


# ---- reading the register -----------------------------------------------------------------------

# The most parameters one query binds (SQLite's limit before 3.32 was 999).
_PARAMETERS = 999


class Register:
    """Read-only look-ups in the register that the checks need."""

    def __init__(self, db: Database):
        self.db = db

    def _one(self, sql: str, params: list[Any]) -> dict[str, Any] | None:
        # Straight from the cursor: a check looks up every row of a file, and these queries
        # read one table each (no repeated column names to tell apart).
        cursor = self.db.conn.execute(sql, params)
        row = cursor.fetchone()
        names = [c[0] for c in cursor.description]
        cursor.close()
        return None if row is None else dict(zip(names, row, strict=True))

    def organisation_by_code(self, code: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM organisations WHERE ods_code = ?", [code])

    def organisation_by_companies_house(self, number: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM organisations WHERE companies_house_number = ?", [number])

    @functools.cached_property
    def kinds(self) -> dict[int, str]:
        """Every organisation's kind, by id, loaded once per file."""
        return {row["id"]: row["kind"] for row in self.db.query(
            "SELECT id, kind FROM organisations")}

    @functools.cached_property
    def resolver(self) -> Resolver:
        """The register's organisations by every identifier and name, loaded once per file."""
        return Resolver.load(self.db)

    def person_by_email(self, email: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM people WHERE email = ?", [email])

    def move_problem(self, person_id: int, organisation_id: int, on: dt.date) -> str | None:
        from ..people.home_practices import move_problem

        return move_problem(self.db, person_id, organisation_id, on)

    def committee_by_name(self, name: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM committees WHERE name = ?", [name])

    def _for_each(self, sql: str, rows: Sequence[Sequence[Any]]) -> Iterator[tuple[Any, ...]]:
        """The result of `sql` for these rows, read a batch at a time: `{asked}` in it stands for
        a VALUES list of the rows (`asked.column1`, `asked.column2`, ...), bound as parameters."""
        if not rows:
            return
        width = len(rows[0])
        size = max(1, _PARAMETERS // width)
        for start in range(0, len(rows), size):
            batch = rows[start:start + size]
            asked = "(VALUES " + ", ".join(["(" + ", ".join("?" * width) + ")"] * len(batch)) + ")"
            yield from self.db.conn.execute(sql.format(asked=asked),
                                            [value for row in batch for value in row])

    def person_ids_by_email(self, emails: Iterable[str]) -> dict[str, int]:
        """The id of the person each email finds (as `person_by_email` does), in one query; an
        email that finds nobody is left out."""
        typed = list(dict.fromkeys(emails))
        if not typed:
            return {}
        # The emails travel as one JSON parameter (quicker than a batch of parameters for a
        # list of strings); `email` on the left compares as its column does, ignoring case.
        return {email: person_id for email, person_id in self.db.conn.execute(
            "SELECT typed.value, (SELECT id FROM people WHERE email = typed.value) "
            "FROM json_each(?) AS typed", [json.dumps(typed)]) if person_id is not None}

    def existing_interests(self, interests: Sequence[tuple[int, int | None, str, str, str, str]]
                           ) -> set[int]:
        """Which of these interests, each (person id, organisation id or None, organisation name,
        interest type, date from, nature), are already in the register and not withdrawn, by
        their position in the list: the same person, organisation (or, unlinked, the same name
        ignoring case), type, start date and nature (ignoring case). A few queries for a few
        hundred interests."""
        # First, cheaply, which linked ones share a person and an organisation with any
        # interest (the index answers without reading a row); only those, and the unlinked
        # ones, are then compared in full.
        shared = {index for (index,) in self._for_each(
            "SELECT asked.column1 FROM {asked} AS asked WHERE EXISTS (SELECT 1 FROM interests "
            "WHERE person_id = asked.column2 AND organisation_id = asked.column3)",
            [(index, person_id, organisation_id)
             for index, (person_id, organisation_id, *_) in enumerate(interests)
             if organisation_id is not None])}
        linked, unlinked = [], []
        for index, (person_id, organisation_id, organisation_name, interest_type, date_from,
                    nature) in enumerate(interests):
            if organisation_id is None:
                unlinked.append((index, person_id, organisation_name, interest_type, date_from,
                                 nature))
            elif index in shared:
                linked.append((index, person_id, organisation_id, interest_type, date_from, nature))
        found: set[int] = set()
        for wanted, where in ((linked, "organisation_id = asked.column3"),
                              (unlinked, "organisation_id IS NULL AND organisation_name = "
                                         "asked.column3 COLLATE NOCASE")):
            # `where` is one of the two fixed clauses above.
            found.update(index for (index,) in self._for_each(
                "SELECT asked.column1 FROM {asked} AS asked WHERE EXISTS ("
                "SELECT 1 FROM interests WHERE person_id = asked.column2 "
                f"AND {where} AND interest_type = asked.column4 "
                "AND date_from = asked.column5 "
                "AND nature = asked.column6 COLLATE NOCASE AND withdrawn = 0)", wanted))
        return found

    def interest_exists(self, person_id: int, organisation_id: int | None, organisation_name: str,
                        interest_type: str, date_from: str, nature: str) -> bool:
        """Whether this interest is already in the register (see `existing_interests`)."""
        return bool(self.existing_interests(
            [(person_id, organisation_id, organisation_name, interest_type, date_from, nature)]))


# ---- checking a file ----------------------------------------------------------------------------

def upload_text(kind: str, data: bytes) -> str:
    """An upload's text as kept until it is confirmed (an ePCN workbook's sheet as CSV)."""
    if kind == "epcn":
        from .epcn import upload_text as epcn_text

        return epcn_text(data)
    return csvrows.decode(data)


# How far an import has got, for a progress bar: progress(stage, rows done, rows in all).
Progress = Callable[[str, int, int], None]
CHECKING = "checking"
WRITING = "writing"
PROGRESS_EVERY = 100


class _Ticking(list):
    """A file's rows that report each pass a check makes through them to a progress bar."""

    def __init__(self, rows: list[tuple[int, dict[str, str]]], progress: Progress) -> None:
        super().__init__(rows)
        self._progress = progress

    def __iter__(self):  # noqa: ANN204 - a list's own iterator
        total = len(self)
        for done, row in enumerate(super().__iter__(), start=1):
            yield row
            if done % PROGRESS_EVERY == 0 or done == total:
                self._progress(CHECKING, done, total)


def check_file(kind: str, data: bytes | str, db: Database, *, progress: Progress | None = None,
               **options: Any) -> Plan:
    """Check a whole file of the given kind; the plan holds every problem or every change.
    `options` are for the kinds read as a stream (`only` for companies_house); `progress`, if
    given, hears how many rows have been checked."""
    plan = Plan(kind)
    if kind not in FORMATS:
        plan.problem(None, f"Unknown kind of import '{kind}': choose one of {', '.join(KINDS)}")
        plan.file_problem = True
        return plan
    if kind in STREAMED:
        return STREAMED[kind](kind, data, db, **options)
    if kind == "epcn":  # a workbook as well as CSV: it reads its own file
        from .epcn import check_epcn

        check_epcn(plan, data, Register(db))
        return plan
    try:
        text = csvrows.decode(data) if isinstance(data, bytes) else data
        if not text.strip():
            raise FileProblem("The file is empty")
        rows = csvrows.read_rows(text)
    except FileProblem as error:
        plan.problem(None, str(error))
        plan.file_problem = True
        return plan
    fmt = FORMATS[kind]
    if not fmt.has_header:
        _check_epraccur(plan, rows, Register(db))
        return plan
    header = [csvrows.column_name(cell) for cell in rows[0].cells]
    for message in csvrows.header_problems(header, fmt.required, fmt.optional):
        plan.problem(None, message)
    if plan.problems:
        plan.file_problem = True
        return plan
    # A file with no hidden character anywhere has none in any cell: its rows need only their
    # lengths checked.
    records = _records(plan, fmt, header, rows[1:], hidden=bool(forbidden_character(text)))
    if not plan.problems and not records:
        plan.problem(None, "The file has a header row but no rows to import")
        plan.file_problem = True
        return plan
    plan.preview_header = ["Line", *header]
    plan.preview_rows = [[str(line), *(record[name] for name in header)]
                         for line, record in records[:PREVIEW_ROWS]]
    CHECKS[kind](plan, records if progress is None else _Ticking(records, progress), Register(db))
    return plan


def _records(plan: Plan, fmt: Format, header: list[str], rows: list[Row], *,
             hidden: bool = True) -> list[tuple[int, dict[str, str]]]:
    """The data rows as {column: trimmed text}, with cells that cannot be stored reported;
    `hidden` False says the file has no hidden characters at all (so no cell has one)."""
    records = []
    by_name = fmt.limits
    limits = [by_name[name] for name in header]
    columns = len(header)
    # Nor, when no column's longest cell (untrimmed) is over its limit, is any cell too long:
    # then no row needs looking at cell by cell.
    suspect = hidden or any(
        max(map(len, column), default=0) > limit
        for column, limit in zip(itertools.zip_longest(*(row.cells for row in rows),
                                                       fillvalue=""), limits, strict=False))
    for row in rows:
        cells = [cell.strip() for cell in row.cells]
        if not any(cells):  # csvrows.is_blank, on cells already trimmed
            continue
        plan.rows_read += 1
        width = csvrows.width_problem(cells, columns)
        if width:
            plan.problem(row.line, width)
            continue
        messages = csvrows.text_problems(header, cells, limits) if suspect else ()
        for message in messages:
            plan.problem(row.line, message)
        if not messages:
            records.append((row.line, dict(zip(header, cells, strict=True))))
    return records


def _yes_no(plan: Plan, line: int, column: str, value: str, default: bool | None) -> bool | None:
    if not value and default is not None:
        return default
    answer = csvrows.parse_yes_no(value)
    if answer is None:
        plan.problem(line, f"{column} must be yes or no" + (f", not '{value}'" if value else ""))
    return answer


def _choice(plan: Plan, line: int, column: str, value: str, choices: tuple[str, ...],
            default: str | None = None) -> str | None:
    if not value and default is not None:
        return default
    key = csvrows.choice_key(value)
    if key in choices:
        return key
    if value:
        plan.problem(line, f"{column} '{value}' is not one of: {', '.join(choices)}")
    else:
        plan.problem(line, f"Enter the {column}: one of {', '.join(choices)}")
    return None


def _whole_number(plan: Plan, line: int, column: str, value: str, low: int, high: int,
                  words: str) -> int | None:
    if not value:
        return None
    if not value.isdecimal() or not low <= int(value) <= high:
        plan.problem(line, f"{column} '{value}' must be {words}")
        return None
    return int(value)


def _date(plan: Plan, line: int, column: str, value: str, required: bool) -> dt.date | None:
    if not value:
        if required:
            plan.problem(line, f"Enter the {column}, like 2025-03-31 or 31/03/2025")
        return None
    try:
        return csvrows.parse_date(value)
    except ValueError as error:
        plan.problem(line, f"{column} '{value}' {error}")
        return None


def _now() -> str:
    from ..timeutil import utcnow_iso

    return utcnow_iso()


# ---- organisations ------------------------------------------------------------------------------

def _identifier(plan: Plan, line: int, column: str, kind: str, value: str | None) -> str | None:
    """One identifier in its written form, or None (blank, or a problem noted)."""
    try:
        return NORMALISERS[kind](value)
    except IdentifierError as error:
        plan.problem(line, str(error) if column == kind else f"{column}: {error}")
        return None


def _check_organisations(plan: Plan, records: list[tuple[int, dict[str, str]]],
                         register: Register) -> None:
    resolver = register.resolver
    # Organisations this file creates are known to the resolver by a negative id until written.
    pending: dict[int, tuple[int, str, Change]] = {}  # -n -> (line, kind, change)
    links: list[tuple[int, Change, list[str]]] = []
    names: dict[str, int] = {}  # name key of a row without identifiers -> line
    for line, record in records:
        before = len(plan.problems)
        name = record["name"]
        if not name:
            plan.problem(line, "Enter the organisation's name")
        kind = _choice(plan, line, "kind", record["kind"], ORGANISATION_KINDS)
        code = normalise_code(record.get("ods_code")) or None
        if code:
            if kind == "practice" and not is_practice_code(code):
                plan.problem(line, f"ODS code '{code}' {PRACTICE_CODE_RULE}")
                code = None
            elif kind != "practice" and not is_ods_code(code):
                plan.problem(line, f"ODS code '{code}' {ODS_CODE_RULE}")
                code = None
        number = _identifier(plan, line, "companies_house_number", "companies_house_number",
                             record.get("companies_house_number"))
        charity = _identifier(plan, line, "charity_number", "charity_number",
                              record.get("charity_number"))
        identifiers = {"ods_code": code, "companies_house_number": number,
                       "charity_number": charity}
        for column, value in identifiers.items():
            holder = resolver.holder(column, value) if value else None
            if holder is None:
                continue
            words = SCHEMES[column][0]
            words = words[0].upper() + words[1:]
            if holder < 0:
                plan.problem(line, f"{words} {value} is also on line {pending[holder][0]}")
            else:
                plan.problem(line, f"{words} {value} is already in the register, "
                                   f"for {resolver.name_of(holder)}")
        key = name_key(name)
        if name and key and not any(identifiers.values()):
            # A second organisation of the same name with nothing to tell them apart could
            # never be named again: a file or a form naming it would not know which is meant.
            if key in names:
                plan.problem(line, f"{name} has the same name as line {names[key]} and no ODS "
                                   "code, Companies House number or charity number to tell them "
                                   "apart")
            elif same := [org_id for org_id in resolver.find_by_name_key(key) if org_id > 0]:
                plan.problem(line, f"an organisation called {resolver.name_of(same[0])} is "
                                   "already in the register: give this one its ODS code, "
                                   "Companies House number or charity number to tell them "
                                   "apart")
        member = _yes_no(plan, line, "is_member_practice", record.get("is_member_practice", ""),
                         default=False)
        if member and kind and kind != "practice":
            plan.problem(line, "is_member_practice can only be yes for a practice")
        parents = [part.strip() for part in record.get("member_of", "").split(";")]
        parents = [part for part in parents if part]
        folded = [part.upper() for part in parents]
        for twice in sorted({part for part in folded if folded.count(part) > 1}):
            # Both memberships would run with no dates: one period would overlap the other.
            plan.problem(line, f"member_of names {twice} twice: a practice's periods in one "
                               "network or federation cannot overlap")
        parents = list(dict.fromkeys(parents))
        if len(plan.problems) > before:
            continue
        now = _now()
        change = Change(line, "organisation", "create", {
            "name": name, "kind": kind, **identifiers,
            "registered_address": record.get("registered_address", ""),
            "postcode": record.get("postcode", "").upper(), "is_member_practice": int(bool(member)),
            "created_at": now, "updated_at": now, "version": 1,
        })
        plan.changes.append(change)
        temporary = -len(pending) - 1
        pending[temporary] = (line, kind, change)
        resolver.learn(temporary, change.values)
        if not any(identifiers.values()):
            names[key] = line
        if parents:
            links.append((line, change, parents))
    for line, change, parents in links:
        for parent in parents:
            try:
                reference = parse_organisation_reference(parent)
            except IdentifierError as error:
                plan.problem(line, f"member_of: {error}")
                continue
            found = resolver.find_reference(reference)
            if found.problem:
                plan.problem(line, f"member_of: {found.problem}")
                continue
            if found.organisation_id is None:
                if reference.prefixed or not reference.tries[0].ods_code:
                    plan.problem(line, f"member_of: no organisation is {parent}, in this file or "
                                       "in the register")
                else:
                    plan.problem(line, f"member_of: no organisation has the ODS code "
                                       f"{reference.tries[0].ods_code}, in this file or in the "
                                       "register")
                continue
            if found.organisation_id < 0:
                parent_line, parent_kind, target = pending[found.organisation_id]
                if target is change:
                    plan.problem(line, f"member_of: an organisation cannot be a member of itself "
                                       f"({parent})")
                    continue
                where: Change | int = target
                what = f"{parent} (line {parent_line})"
            else:
                parent_kind, where, what = register.kinds[found.organisation_id], found.organisation_id, \
                    parent
            if parent_kind not in PARENT_KINDS:
                plan.problem(line, f"member_of: {what} is a {parent_kind}, not a network or "
                                   "federation")
                continue
            plan.changes.append(Change(line, "organisation_link", "create",
                                       {"created_at": _now()},
                                       refs={"member_id": change, "parent_id": where}))


# ---- epraccur -----------------------------------------------------------------------------------

def _check_epraccur(plan: Plan, rows: list[Row], register: Register) -> None:
    seen: dict[str, int] = {}
    skipped = unchanged = 0
    plan.preview_header = ["Line", "ODS code", "Name", "Postcode", "Status", "What happens"]
    for row in rows:
        if csvrows.is_blank(row.cells):
            continue
        plan.rows_read += 1
        line, cells = row.line, [cell.strip() for cell in row.cells]
        if len(cells) != EPRACCUR_COLUMNS:
            hint = " (an epraccur file has no header row)" if line == 1 else ""
            plan.problem(line, f"has {len(cells)} columns, but an epraccur row has "
                               f"{EPRACCUR_COLUMNS}{hint}")
            continue
        if cells[25] != GP_PRACTICE_SETTING:
            skipped += 1
            continue
        before = len(plan.problems)
        code = normalise_code(cells[0])
        name, postcode = cells[1], cells[9].upper()
        address = ", ".join(part for part in cells[4:9] if part)
        status = cells[12].upper()
        if not is_practice_code(code):
            plan.problem(line, f"ODS code '{code}' {PRACTICE_CODE_RULE}"
                         + (" (an epraccur file has no header row)" if line == 1 else ""))
        elif code in seen:
            plan.problem(line, f"ODS code {code} is also on line {seen[code]}")
        if not name:
            plan.problem(line, "the practice name (column 2) is empty")
        for label, value, limit in (("The name", name, csvrows.NAME_LIMIT),
                                    ("The address", address, csvrows.ADDRESS_LIMIT),
                                    ("The postcode", postcode, csvrows.CODE_LIMIT)):
            message = csvrows.text_problem(label, value, limit)
            if message:
                plan.problem(line, message)
        if status not in ODS_STATUSES:
            plan.problem(line, f"status code '{status}' (column 13) must be one of "
                               + ", ".join(f"{k} ({v})" for k, v in ODS_STATUSES.items()))
        if len(plan.problems) > before:
            continue
        seen[code] = line
        existing = register.organisation_by_code(code)
        values = {"name": name, "registered_address": address, "postcode": postcode,
                  "ods_status": status, "prescribing_setting": int(GP_PRACTICE_SETTING)}
        if existing is not None and existing["kind"] != "practice":
            plan.problem(line, f"ODS code {code} belongs to {existing['name']}, which is a "
                               f"{existing['kind']}, not a practice")
            continue
        if existing is None:
            now = _now()
            plan.changes.append(Change(line, "organisation", "create", {
                **values, "kind": "practice", "ods_code": code, "companies_house_number": None,
                "is_member_practice": 0, "created_at": now, "updated_at": now, "version": 1,
            }))
            happens = "New practice"
        else:
            changed = {k: v for k, v in values.items() if existing[k] != v}
            if changed:
                plan.changes.append(Change(line, "organisation", "update", changed,
                                           existing=existing))
                happens = "Update " + ", ".join(k.replace("_", " ") for k in changed)
            else:
                unchanged += 1
                happens = "No change"
        if len(plan.preview_rows) < PREVIEW_ROWS:
            plan.preview_rows.append([str(line), code, name, postcode,
                                      ODS_STATUSES[status].capitalize(), happens])
    if plan.rows_read == 0:
        plan.problem(None, "The file is empty")
        plan.file_problem = True
        return
    if skipped:
        plan.notes.append(f"{skipped} row{' was' if skipped == 1 else 's were'} skipped because "
                          "the prescribing setting is not 4 (GP practice).")
    if unchanged:
        plan.notes.append(f"{unchanged} practice{' is' if unchanged == 1 else 's are'} already "
                          "up to date.")
    if not plan.problems and not seen:
        plan.problem(None, "Nothing to import: no row has prescribing setting 4 (GP practice)")
        plan.file_problem = True
    plan.notes.append("Whether a practice is a member practice of the consortium is not changed "
                      "by this import: new practices are not member practices until you say so.")


# ---- people -------------------------------------------------------------------------------------

def _check_people(plan: Plan, records: list[tuple[int, dict[str, str]]],
                  register: Register) -> None:
    emails: dict[str, int] = {}
    for line, record in records:
        before = len(plan.problems)
        name, email = record["name"], record["email"]
        if not name:
            plan.problem(line, "Enter the person's name")
        if not email:
            plan.problem(line, "Enter the person's email")
        elif not is_email(email):
            plan.problem(line, f"email '{email}' must be an email address, like "
                               "name@example.nhs.uk")
        elif email.lower() in emails:
            plan.problem(line, f"email {email} is also on line {emails[email.lower()]}")
        elif (other := register.person_by_email(email)) is not None:
            if not (record.get("home_practice_ods") and record.get("home_practice_from")):
                plan.problem(line, f"email {email} is already in the register, for "
                                   f"{other['name']} (to record a move to another practice, "
                                   "give home_practice_ods and home_practice_from)")
            emails[email.lower()] = line
        else:
            emails[email.lower()] = line
        decides = _yes_no(plan, line, "is_decision_maker", record.get("is_decision_maker", ""),
                          default=False)
        practice_id = None
        code = normalise_code(record.get("home_practice_ods"))
        if code:
            found = register.resolver.holder("ods_code", code)
            if not is_practice_code(code):
                plan.problem(line, f"home_practice_ods '{code}' {PRACTICE_CODE_RULE}")
            elif found is None:
                plan.problem(line, f"home_practice_ods: no practice in the register has the ODS "
                                   f"code {code}")
            elif register.kinds[found] != "practice":
                plan.problem(line, f"home_practice_ods: {code} is a {register.kinds[found]}, not "
                                   "a practice")
            else:
                practice_id = found
        birth_month = _whole_number(plan, line, "birth_month", record.get("birth_month", ""),
                                    1, 12, "a month from 1 to 12")
        birth_year = _whole_number(plan, line, "birth_year", record.get("birth_year", ""),
                                   EARLIEST_BIRTH_YEAR, today_uk().year,
                                   f"a year from {EARLIEST_BIRTH_YEAR} to {today_uk().year}")
        since = _date(plan, line, "home_practice_from", record.get("home_practice_from", ""),
                      required=False)
        if since and not code:
            plan.problem(line, "home_practice_from needs the home_practice_ods of the practice "
                               "they started at")
        existing = register.person_by_email(email) if email and is_email(email) else None
        if existing and practice_id and since and len(plan.problems) == before:
            problem = register.move_problem(existing["id"], practice_id, since)
            if problem:
                plan.problem(line, f"home_practice_from: {problem}")
        if len(plan.problems) > before:
            continue
        now = _now()
        if existing:
            plan.changes.append(Change(line, "home_practice", "create", {
                "organisation_id": practice_id, "date_from": since.isoformat()},
                refs={"person_id": existing["id"]}))
            continue
        person = Change(line, "person", "create", {
            "name": name, "email": email, "positions": record.get("positions", ""),
            "is_decision_maker": int(bool(decides)), "home_practice_id": practice_id,
            "birth_month": birth_month, "birth_year": birth_year,
            "created_at": now, "updated_at": now, "version": 1,
        })
        plan.changes.append(person)
        if practice_id:
            plan.changes.append(Change(line, "home_practice", "create", {
                "organisation_id": practice_id,
                "date_from": since.isoformat() if since else None}, refs={"person_id": person}))


# ---- committees ---------------------------------------------------------------------------------

@dataclass
class _Committee:
    line: int
    name: str
    quorum_text: str
    rule: QuorumRule
    policy: str
    change: Change
    members: dict[int, int] = field(default_factory=dict)  # person id -> line
    roles: dict[str, int] = field(default_factory=dict)  # chair/vice_chair -> line
    voting: Counter[str] = field(default_factory=Counter)


def _check_committees(plan: Plan, records: list[tuple[int, dict[str, str]]],
                      register: Register) -> None:
    committees: dict[str, _Committee] = {}
    # Committees whose first row had a problem with the committee itself: later rows are not
    # blamed for it again.
    broken: set[str] = set()
    for line, record in records:
        before = len(plan.problems)
        name = record["committee"]
        known = committees.get(name.lower())
        if not name:
            plan.problem(line, "Enter the committee's name")
        elif known is None and name.lower() not in broken \
                and register.committee_by_name(name) is not None:
            plan.problem(line, f"A committee called '{name}' is already in the register: add its "
                               "members on its page")
        rule = None
        quorum = record["quorum"]
        if quorum:
            try:
                rule = parse_quorum_rule(quorum)
            except QuorumRuleError as error:
                plan.problem(line, f"quorum '{quorum}': {error}")
            if rule and known and rule != known.rule:
                plan.problem(line, f"the quorum '{quorum}' differs from '{known.quorum_text}' on "
                                   f"line {known.line}: every row of a committee must give the "
                                   "same quorum")
        elif known is None and name.lower() not in broken:
            plan.problem(line, "Enter the quorum, for example '5 including 1 lay, 1 executive'")
        typed_policy = record.get("common_interest_policy", "")
        policy = _choice(plan, line, "common_interest_policy", typed_policy, POLICIES,
                         default=known.policy if known else "discuss_not_vote")
        if known and typed_policy and policy and policy != known.policy:
            plan.problem(line, f"common_interest_policy {policy} differs from {known.policy} on "
                               f"line {known.line}: every row of a committee must give the same")
        if known is None and name:
            if len(plan.problems) > before or rule is None:
                broken.add(name.lower())
            else:
                now = _now()
                change = Change(line, "committee", "create", {
                    "name": name, "quorum_min_voting": rule.min_voting,
                    **{f"quorum_min_{c}": rule.min_per_category.get(c, 0) for c in CATEGORIES},
                    "common_interest_policy": policy, "created_at": now, "updated_at": now,
                    "version": 1,
                })
                plan.changes.append(change)
                known = committees[name.lower()] = _Committee(line, name, quorum, rule, policy,
                                                              change)
        person = None
        email = record["person_email"]
        if not email:
            plan.problem(line, "Enter the member's person_email")
        else:
            person = register.person_by_email(email)
            if person is None:
                plan.problem(line, f"no person in the register has the email {email}: import "
                                   "or add them first")
            elif known and person["id"] in known.members:
                plan.problem(line, f"{email} is already a member of {known.name} on line "
                                   f"{known.members[person['id']]}")
        role = _choice(plan, line, "role", record.get("role", ""), MEMBER_ROLES, default="member")
        if known and role in ("chair", "vice_chair") and role in known.roles:
            plan.problem(line, f"{known.name} already has a {role.replace('_', '-')} on line "
                               f"{known.roles[role]}")
        category = _choice(plan, line, "category", record["category"], CATEGORIES)
        voting = _yes_no(plan, line, "voting", record.get("voting", ""), default=True)
        if known is None or person is None or len(plan.problems) > before:
            continue
        known.members[person["id"]] = line
        if role != "member":
            known.roles[role] = line
        if voting:
            known.voting["all"] += 1
            known.voting[category] += 1
        plan.changes.append(Change(line, "committee_member", "create", {
            "person_id": person["id"], "role": role, "category": category,
            "voting": int(bool(voting)), "created_at": _now(),
        }, refs={"committee_id": known.change}))
    for committee in committees.values():
        short = [f"{n} {c}" for c, n in committee.rule.min_per_category.items()
                 if committee.voting[c] < n]
        if committee.voting["all"] < committee.rule.min_voting or short:
            plan.notes.append(
                f"{committee.name} will have {committee.voting['all']} voting member"
                f"{'' if committee.voting['all'] == 1 else 's'}, so it cannot be quorate "
                f"({committee.rule.describe()}) until more are added.")


# ---- interests ----------------------------------------------------------------------------------

def _check_interests(plan: Plan, records: list[tuple[int, dict[str, str]]],
                     register: Register) -> None:
    # Every row is checked on its own first; the rows that pass are then compared with each
    # other and with the register (one query for all of them), in the order of the file.
    first_problem = len(plan.problems)
    people = register.person_ids_by_email(
        record["person_email"] for _, record in _quietly(records) if record["person_email"])
    today = today_uk()
    # Many rows repeat the same organisation, choices, dates and consent: each is checked once.
    organisation_of = _remembered(plan, functools.partial(_interest_organisation_named,
                                                          resolver=register.resolver))
    facts_of = _remembered(plan, functools.partial(_interest_facts, today=today))
    columns = set(records[0][1]) if records else set()
    organisation_cells = _cells(columns, INTEREST_ORGANISATION_COLUMNS, None)
    fact_cells = _cells(columns, INTEREST_FACT_COLUMNS, "")
    valid = []
    for line, record in records:
        before = len(plan.problems)
        person_id = None
        email = record["person_email"]
        if not email:
            plan.problem(line, "Enter the person_email of the person declaring")
        else:
            person_id = people.get(email)
            if person_id is None:
                plan.problem(line, f"no person in the register has the email {email}: import "
                                   "or add them first")
        organisation_id, organisation_name = organisation_of(line, organisation_cells(record))
        nature = record["nature"]
        interest_type, indirect, date_from, date_to, declared_on, consent = facts_of(
            line, (*fact_cells(record), bool(nature)))
        if len(plan.problems) > before:
            continue
        valid.append((line, record, person_id, organisation_id, organisation_name, interest_type,
                      indirect, nature, date_from, date_to, declared_on, consent))
    existing = register.existing_interests(
        [(row[2], row[3], row[4], row[5], row[8], row[7]) for row in valid])
    seen: dict[tuple[Any, ...], int] = {}
    now = _now()
    for index, (line, record, person_id, organisation_id, organisation_name, interest_type,
                indirect, nature, date_from, date_to, declared_on, consent) in enumerate(valid):
        key = (person_id, organisation_id or organisation_name.lower(), interest_type,
               date_from, nature.lower())
        if key in seen:
            plan.problem(line, f"this interest is the same as the one on line {seen[key]}")
            continue
        if index in existing:
            plan.problem(line, "this interest is already in the register (same person, "
                               "organisation, type, start date and nature)")
            continue
        seen[key] = line
        plan.changes.append(Change(line, "interest", "create", {
            "person_id": person_id, "organisation_id": organisation_id,
            "organisation_name": organisation_name,
            "organisation_business": record.get("organisation_business", ""),
            "interest_type": interest_type, "is_indirect": int(indirect),
            "associate_relationship": record.get("relationship", ""), "nature": nature,
            "date_from": date_from, "date_to": date_to,
            "mitigation": record.get("mitigation", ""), "declared_on": declared_on,
            "consent_to_publish": int(consent), "withheld_reason": record.get("withheld_reason", ""),
            "recorded_by_user_id": None, "on_behalf": 1, "withdrawn": 0,
            "withdrawn_reason": "", "created_at": now, "updated_at": now, "version": 1,
        }))
    # The rows' problems in the order of the file, as if each row had been checked in one go
    # (a row has either problems of its own or one from the comparisons, never both).
    plan.problems[first_problem:] = sorted(plan.problems[first_problem:],
                                           key=lambda problem: problem.line or 0)


def _remembered(plan: Plan, check: Callable[..., Any]) -> Callable[[int, tuple[Any, ...]], Any]:
    """A check of a few cells that gives the same answer and the same problems whenever the
    cells are the same, made once per file (a file of thousands of rows repeats them): the
    function returned gives `check(plan, line, *cells)`'s answer and notes its problems."""
    answers: dict[tuple[Any, ...], tuple[Any, list[str]]] = {}

    def answer(line: int, cells: tuple[Any, ...]) -> Any:
        known = answers.get(cells)
        if known is None:
            alone = Plan(plan.kind)
            found = check(alone, line, *cells)
            known = answers[cells] = (found, [problem.message for problem in alone.problems])
        for message in known[1]:
            plan.problem(line, message)
        return known[0]

    return answer


def _cells(present: set[str], columns: tuple[str, ...],
           missing: str | None) -> Callable[[dict[str, str]], tuple[Any, ...]]:
    """A function that reads these columns of a row, in order, as a tuple; a column the file
    does not have reads as `missing`."""
    if all(column in present for column in columns):
        return operator.itemgetter(*columns)  # type: ignore[return-value]
    return lambda record: tuple(record.get(column, missing) for column in columns)


def _interest_organisation_named(plan: Plan, line: int, ods: str | None,
                                 companies_house: str | None, charity: str | None,
                                 name: str | None, *, resolver: Resolver
                                 ) -> tuple[int | None, str]:
    """`_interest_organisation` of a row with these cells (None: the file has no such column)."""
    cells = {"organisation_ods": ods, "organisation_companies_house_number": companies_house,
             "organisation_charity_number": charity, "organisation_name": name}
    return _interest_organisation(plan, line, {column: value for column, value in cells.items()
                                               if value is not None}, resolver)


INTEREST_TYPE_CHOICES = tuple(INTEREST_TYPES)


def _interest_kind(plan: Plan, line: int, typed_type: str, direct_or_indirect: str,
                   relationship: str) -> tuple[str | None, bool]:
    """An interest's type, and whether it is indirect (which needs the relationship)."""
    interest_type = _choice(plan, line, "interest_type", typed_type, INTEREST_TYPE_CHOICES)
    indirect = _choice(plan, line, "direct_or_indirect", direct_or_indirect,
                       ("direct", "indirect"), default="direct") == "indirect"
    if indirect and not relationship:
        plan.problem(line, "an indirect interest needs the relationship of the person who "
                           "holds it, like 'spouse'")
    elif relationship and not indirect:
        plan.problem(line, "relationship is only for indirect interests: set "
                           "direct_or_indirect to indirect or leave relationship blank")
    return interest_type, indirect


def _interest_dates(plan: Plan, line: int, typed_from: str, typed_to: str, typed_declared: str,
                    *, today: dt.date) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
    """An interest's start, end and declaration dates, in order and not declared in the future."""
    date_from = _date(plan, line, "date_from", typed_from, required=True)
    date_to = _date(plan, line, "date_to", typed_to, required=False)
    declared_on = _date(plan, line, "declared_on", typed_declared, required=True)
    if date_from and date_to and date_to < date_from:
        plan.problem(line, "date_to must be the same as or after date_from")
    if declared_on and declared_on > today:
        plan.problem(line, "declared_on must be today or in the past")
    return date_from, date_to, declared_on


INTEREST_FACT_COLUMNS = ("interest_type", "direct_or_indirect", "relationship", "date_from",
                         "date_to", "declared_on", "consent_to_publish", "withheld_reason")


def _interest_facts(plan: Plan, line: int, typed_type: str, direct_or_indirect: str,
                    relationship: str, typed_from: str, typed_to: str, typed_declared: str,
                    typed_consent: str, withheld_reason: str, has_nature: bool, *,
                    today: dt.date) -> tuple[Any, ...]:
    """The cells of an interest after its organisation, in the order of their problems: its
    type, whether it is indirect, its dates as stored (YYYY-MM-DD or None) and the consent."""
    interest_type, indirect = _interest_kind(plan, line, typed_type, direct_or_indirect,
                                             relationship)
    if not has_nature:
        plan.problem(line, "Enter the nature of the interest")
    dates = _interest_dates(plan, line, typed_from, typed_to, typed_declared, today=today)
    consent = _interest_consent(plan, line, typed_consent, withheld_reason)
    return (interest_type, indirect, *(day.isoformat() if day else None for day in dates),
            consent)


def _interest_consent(plan: Plan, line: int, typed_consent: str,
                      withheld_reason: str) -> bool | None:
    """Whether an interest may be published; a reason is needed when it may not, and only then."""
    consent = _yes_no(plan, line, "consent_to_publish", typed_consent, default=None)
    if consent is False and not withheld_reason:
        plan.problem(line, "Enter the withheld_reason when consent_to_publish is no")
    elif consent and withheld_reason:
        plan.problem(line, "withheld_reason is only for interests that are not published: "
                           "set consent_to_publish to no or leave withheld_reason blank")
    return consent


def _quietly(records: list[tuple[int, dict[str, str]]]) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows, without telling a progress bar (a look ahead, not a pass of the check)."""
    return list.__iter__(records)


INTEREST_IDENTIFIERS = (("organisation_ods", "ods_code"),
                        ("organisation_companies_house_number", "companies_house_number"),
                        ("organisation_charity_number", "charity_number"))
INTEREST_ORGANISATION_COLUMNS = (*(column for column, _ in INTEREST_IDENTIFIERS),
                                 "organisation_name")


def _interest_organisation(plan: Plan, line: int, record: dict[str, str],
                           resolver: Resolver) -> tuple[int | None, str]:
    """The organisation an interest is in: linked when any identifier, or the exact name of one
    organisation, finds it; otherwise the name as free text (for a person to match later)."""
    typed_name = record.get("organisation_name", "")
    given: dict[str, str] = {}
    for column, kind in INTEREST_IDENTIFIERS:
        if not record.get(column):
            continue  # blank: no identifier of this kind (and nothing to normalise)
        value = _identifier(plan, line, column, kind, record.get(column))
        if value:
            given[kind] = value
    if len(given) < sum(bool(record.get(column)) for column, _ in INTEREST_IDENTIFIERS):
        return None, typed_name  # a problem was noted
    if not given and not typed_name:
        plan.problem(line, "Enter the organisation_ods, organisation_companies_house_number, "
                           "organisation_charity_number or organisation_name")
        return None, ""
    found = resolver.find(Named(name=typed_name or None, **given))
    if found.problem:
        plan.problem(line, found.problem)
        return None, typed_name
    if found.organisation_id is None:
        if given:
            columns = {kind: column for column, kind in INTEREST_IDENTIFIERS}
            described = " or ".join(f"{SCHEMES[kind][0]} {value}" for kind, value in given.items())
            plan.problem(line, f"{columns[next(iter(given))]}: no organisation in the register "
                               f"has the {described}")
        return None, typed_name
    return found.organisation_id, typed_name or resolver.name_of(found.organisation_id)


# Kinds read line by line from a file of any size (Companies House files), by kind.
STREAMED: dict[str, Callable[..., Plan]] = {}
# Companies House's basic company data and PSC snapshot, in their published layouts, register
# themselves here (and their formats in FORMATS).
from . import companies_house_kind  # noqa: E402, F401

CHECKS: dict[str, Callable[[Plan, list[tuple[int, dict[str, str]]], Register], None]] = {
    "organisations": _check_organisations,
    "people": _check_people,
    "committees": _check_committees,
    "interests": _check_interests,
}

# Decisions are a kind in a module of their own, built on the helpers above; importing it adds
# its format, check and words to FORMATS, CHECKS and ENTITY_WORDS.
# So is the ePCN file, which reads a workbook as well as CSV (see check_file).
# Dated memberships and home practices, one period a row (the whole-register export writes them).
# Notices, contract modifications, gifts, breaches and interests declared at a meeting: the
# records that follow the decisions and the people (records_kind.py).
from . import (  # noqa: E402, F401
    decisions_kind,
    epcn,
    periods_kind,  # noqa: E402, F401
    records_kind,  # noqa: E402, F401
)
