"""The fictional demo consortium: practices, providers, people, committees, interests, accounts,
and two years of make-or-buy decisions (written by `demo_decisions`).

Every name, code and address here is invented. Most of the consortium is in data files
(`demo_files/`), each in the layout docs/imports.md documents, loaded through the same imports the
`flask import` command and the Import page use: so the demo also proves the imports. What no import
can express (accounts, interests typed on the interests pages, an edit and a withdrawal, returns,
campaigns in `history.toml`; decisions and their histories in `decisions.toml`) is read from two
data files by the short generic code below and in `demo_decisions`, each row written through the
store function the pages use.

Dates are counted back from the day the data is loaded, so the register looks current whenever it
is set up and is the same for a given day. The files are dated as on `FILES_DAY`; the loader moves
every date in them by the days between that day and the load day before importing them. The
clock is passed to the write functions (`now=`, `today=`), never swapped in a module.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlite_utils import Database

from .auth.models import create_user
from .db import write_transaction
from .rules.interests import add_months
from .timeutil import today_uk

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - the only default password, for the demo
ACTOR = "demo"

# ---- the data files ---------------------------------------------------------------------------

DEMO_FILES = Path(__file__).resolve().parent / "demo_files"
# The day the files' dates are written as: each is moved by (load day - FILES_DAY).
FILES_DAY = dt.date(2026, 3, 15)
# Each file, in the order the imports need (docs/imports.md): practices and providers, the GP
# practice extract (status and prescribing setting), network and federation memberships with their
# dates, people, the home practices of a GP who moved, committees with their members, interests;
# after the decisions, gifts and breaches.
DEMO_IMPORTS = (
    ("organisations", "organisations.csv"),
    ("epraccur", "epraccur.csv"),
    ("memberships", "memberships.csv"),
    ("people", "people.csv"),
    ("home_practices", "home_practices.csv"),
    ("committees", "committees.csv"),
    ("interests", "interests.csv"),
    # After the decisions: gifts and hospitality offered to members, and the breaches register.
    ("gifts", "gifts.csv"),
    ("breaches", "breaches.csv"),
)
# The columns holding dates in the files with a header row (the epraccur extract's dates are not
# read by its import; the Companies House snapshot's are years old and stay as they are).
DATE_COLUMNS = frozenset({"date_from", "date_to", "declared_on", "home_practice_from",
                          "offered_on", "found_on", "closed_on"})
# What each imported record is counted as in the loader's summary.
COUNTED = {"organisation": "organisations", "organisation_link":
           "network and federation memberships", "person": "people", "committee": "committees",
           "committee_member": "committee memberships", "interest": "interests",
           "gift": "gifts and hospitality", "breach": "breaches recorded"}

# The organisations the tables below name, by a short key, each named the way every import file
# names an organisation ("Naming an organisation in one cell" in docs/imports.md). Practice codes
# Y90001-Y90012 are from the Y9 range, which no real GP practice uses; the network (U90001) and the
# trusts (R9A, R9B) are likewise invented, Companies House numbers start 990000 and the charity
# number 999001 is outside the ranges the charity registers use, so nothing here can be mistaken
# for (or matched against) a real organisation. Postcodes use the invented area "NV".
ORGANISATIONS = {
    "abbeyfield": "Y90001", "brookside": "Y90002", "castlegate": "Y90003", "dunmore": "Y90004",
    "elmwood": "Y90005", "fernhill": "Y90006", "greystone": "Y90007", "harbour": "Y90008",
    "ivylane": "Y90009", "juniper": "Y90010", "kingsmead": "Y90011", "larchfield": "Y90012",
    "pcn": "U90001", "federation": "companies_house:99000001", "hospitals": "R9A",
    "community": "R9B", "physio": "companies_house:99000002", "gotodoc": "companies_house:99000003",
    "clearscan": "companies_house:99000004",
    # Providers with no ODS code, known only by their Companies House or charity number: their
    # interests are linked by number or by exact name, so the decision buying from them finds real
    # conflicts (one declared late), never possible matches.
    "homecare": "companies_house:99000005", "wellbeing": "companies_house:99000006",
    "carers": "charity:999001",
}
COMMITTEE_KEYS = {"Governing Body": "gb", "Primary Care Committee": "pcc"}
# People's keys are the surname in their email address, as far as a hyphen; except these.
PERSON_KEY_EXCEPTIONS = {"fatima.al-sayed": "alsayed"}


def person_key(email: str) -> str:
    """The short key the demo's tables use for the person with this email ("rahman")."""
    local = email.split("@", 1)[0]
    return PERSON_KEY_EXCEPTIONS.get(local, local.rsplit(".", 1)[-1].split("-", 1)[0])


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DEMO_FILES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class DemoPerson:
    """One person of the demo consortium, as people.csv has them."""

    key: str
    name: str
    email: str


PEOPLE = [DemoPerson(person_key(row["email"]), row["name"], row["email"])
          for row in _read_csv("people.csv")]


def _committees() -> list[dict[str, Any]]:
    """The committees of committees.csv with their members as (person key, role, category,
    voting), in the file's order."""
    found: dict[str, dict[str, Any]] = {}
    for row in _read_csv("committees.csv"):
        committee = found.setdefault(row["committee"], {
            "key": COMMITTEE_KEYS[row["committee"]], "name": row["committee"], "members": []})
        committee["members"].append((person_key(row["person_email"]), row["role"] or "member",
                                     row["category"], row["voting"] != "no"))
    return list(found.values())


COMMITTEES = _committees()

def shift_dates(kind: str, text: str, days: int) -> str:
    """A demo file's text with every date moved by `days` (the file is unchanged for 0)."""
    if not days or kind in ("epraccur", "psc"):
        return text
    rows = list(csv.reader(io.StringIO(text)))
    header = [cell.strip().lower() for cell in rows[0]]
    for row in rows[1:]:
        for index, column in enumerate(header):
            if column in DATE_COLUMNS and index < len(row) and row[index].strip():
                moved = dt.date.fromisoformat(row[index].strip()) + dt.timedelta(days=days)
                row[index] = moved.isoformat()
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


class DemoFileRefused(RuntimeError):
    """A demo file the import refuses; the message names the file and the import's problems."""


def import_demo_file(db: Database, kind: str, path: Path, today: dt.date, *,
                     user_id: int | None = None) -> list[Any]:
    """Import one demo file through the documented import, its dates moved to `today`; the
    changes written. Raises DemoFileRefused with the import's line-numbered problems."""
    from .imports.writers import import_file

    text = shift_dates(kind, path.read_text(encoding="utf-8"), (today - FILES_DAY).days)
    plan = import_file(db, kind, text, actor=ACTOR, user_id=user_id)
    if not plan.ok:
        raise DemoFileRefused(f"The demo file {path.name} is refused: "
                              + "; ".join(str(problem) for problem in plan.problems))
    return list(plan.changes)


# ---- what the imports cannot express: data files read here, each row through the pages' store
# functions ---------------------------------------------------------------------------------------
# history.toml and decisions.toml give dates as days before the load date (or { months = N } for
# calendar months), so that "ended eight months ago" stays true whenever the demo is loaded.

FIN, NFP = "financial", "non_financial_professional"

Ago = int | tuple[str, int]


class DemoDataError(ValueError):
    """A demo data file that cannot be read; the message names the file and the entry."""


def read_toml(path: Path) -> dict[str, Any]:
    """A demo data file's contents; DemoDataError naming the file and line if it is not TOML."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise DemoDataError(f"{path.name}: {error}") from error


def entry_name(path: Path, kind: str, number: int, title: str = "") -> str:
    """How a message names one entry of a data file: "decisions.toml, decision 7 (Community
    diabetes…)"."""
    shown = f" ({title[:30].rstrip()}…)" if len(title) > 30 else f" ({title})" if title else ""
    return f"{path.name}, {kind} {number}{shown}"


def _fits(annotation: str, value: Any) -> bool:
    """Whether a value read from a data file fits a field's annotation (the few kinds used)."""
    wanted = {part.strip() for part in annotation.split("|")}
    if value is None:
        return "None" in wanted
    checks = {"str": lambda v: isinstance(v, str),
              "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
              "bool": lambda v: isinstance(v, bool),
              "Ago": lambda v: (isinstance(v, int) and not isinstance(v, bool))
              or (isinstance(v, tuple) and len(v) == 2 and v[0] == "months"
                  and isinstance(v[1], int)),
              "dt.date": lambda v: isinstance(v, dt.date),
              "tuple[str, ...]": lambda v: isinstance(v, tuple)
              and all(isinstance(item, str) for item in v)}
    return any(checks.get(kind, lambda v: True)(value) for kind in wanted)


def build(cls: type, values: dict[str, Any], where: str) -> Any:
    """An instance of a demo dataclass from a data file's entry (values already converted);
    DemoDataError naming the entry when a field is missing, unknown or of the wrong kind."""
    fields = {field.name: field for field in dataclasses.fields(cls)}
    for key in values:
        if key not in fields:
            raise DemoDataError(f"{where}: '{key}' is not a field it can have")
    for name, field in fields.items():
        if name not in values:
            if field.default is dataclasses.MISSING and \
                    field.default_factory is dataclasses.MISSING:
                raise DemoDataError(f"{where}: '{name}' is missing")
            continue
        if not _fits(str(field.type), values[name]):
            raise DemoDataError(f"{where}: '{name}' should be {field.type}, not "
                                f"{values[name]!r}")
    return cls(**values)


def ago_value(value: Any) -> Any:
    """A relative date as a data file writes it: days, or { months = N } as ("months", N)."""
    if isinstance(value, dict) and set(value) == {"months"}:
        return ("months", value["months"])
    return value


@dataclass(frozen=True)
class DemoInterest:
    """One declared interest typed on the interests pages; organisation is a demo key, or None
    with a typed name."""

    person: str
    organisation: str | None
    organisation_name: str
    business: str
    interest_type: str
    nature: str
    date_from: Ago
    declared_on: Ago
    date_to: Ago | None = None
    associate: str = ""
    mitigation: str = ""
    withheld_reason: str = ""
    recorded_by: str = "secretary"  # the account that typed it
    withdrawn_reason: str = ""


def read_interest(entry: dict[str, Any], where: str) -> DemoInterest:
    """A DemoInterest from a data file's entry (organisation and organisation_name optional)."""
    values = {"organisation": None, "organisation_name": "",
              **{key: ago_value(value) if key in ("date_from", "declared_on", "date_to")
                 else value for key, value in entry.items()}}
    return build(DemoInterest, values, where)


@dataclass(frozen=True)
class DemoAccount:
    """One demo account: its username, the sign-in page's label, its person, its role."""

    username: str
    label: str
    person: str
    role: str = ""


@dataclass(frozen=True)
class DemoEdit:
    """An imported interest edited later: whose, in which organisation, when, by whom, what."""

    person: str
    organisation: str
    days_ago: int
    account: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class DemoCampaign:
    """A declaration campaign; days before the load day (negative: after it)."""

    title: str
    kind: str
    committees: tuple[str, ...]
    opened: int
    deadline: int
    reminder_every_days: int
    publish_non_declarers: bool
    closed: int | None = None


@dataclass(frozen=True)
class DemoHistory:
    """What history.toml holds."""

    accounts: list[DemoAccount]
    independent_reviewers: dict[str, str]
    typed_interests: list[DemoInterest]
    edits: list[DemoEdit]
    returns: dict[str, list[int]]
    campaigns: list[DemoCampaign]


HISTORY_FILE = DEMO_FILES / "history.toml"


def file_entries(data: dict[str, Any], path: Path, key: str) -> list[dict[str, Any]]:
    """The [[key]] entries of a data file; DemoDataError if they are not a list of tables."""
    entries = data.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise DemoDataError(f"{path.name}: '{key}' should be a list of [[{key}]] entries")
    return entries


def read_history(path: Path = HISTORY_FILE) -> DemoHistory:
    """The demo's accounts, typed interests, edits, returns and campaigns from history.toml;
    DemoDataError naming the file and the entry for anything malformed."""
    data = read_toml(path)
    accounts = [build(DemoAccount, entry, entry_name(path, "account", n, entry.get("username", "")))
                for n, entry in enumerate(file_entries(data, path, "account"), start=1)]
    interests = [read_interest(entry, entry_name(path, "typed interest", n,
                                                 entry.get("organisation_name", "")))
                 for n, entry in enumerate(file_entries(data, path, "typed_interest"), start=1)]
    edits = [build(DemoEdit, entry, entry_name(path, "edit", n, entry.get("person", "")))
             for n, entry in enumerate(file_entries(data, path, "edit"), start=1)]
    campaigns = []
    for n, entry in enumerate(file_entries(data, path, "campaign"), start=1):
        values = {**entry}
        if isinstance(values.get("committees"), list):
            values["committees"] = tuple(values["committees"])
        campaigns.append(build(DemoCampaign, values,
                               entry_name(path, "campaign", n, entry.get("title", ""))))
    returns = data.get("returns", {})
    for person, days in returns.items():
        if not isinstance(days, list) or not all(isinstance(d, int) for d in days):
            raise DemoDataError(f"{path.name}, returns of {person}: should be a list of days")
    return DemoHistory(accounts, dict(data.get("independent_reviewers", {})), interests, edits,
                       returns, campaigns)


HISTORY = read_history()
DEMO_ACCOUNTS = [(account.username, account.label) for account in HISTORY.accounts]
# An account's role is its username, except these.
DEMO_ROLES = {account.username: account.role for account in HISTORY.accounts if account.role}
# Which person each demo account belongs to.
ACCOUNT_PEOPLE = {account.username: account.person for account in HISTORY.accounts}


def _count(label: str, counts: dict[str, int]) -> None:
    counts[label] = counts.get(label, 0) + 1


# A Companies House PSC snapshot of the demo's companies, in the published layout.
DEMO_PSC_SNAPSHOT = DEMO_FILES / "psc_snapshot.txt"


def load_demo(db: Database, today: dt.date | None = None) -> dict[str, int]:
    """Load the demo consortium into an empty database; returns counts of what was added."""
    base = today or today_uk()

    def day(ago: Ago | None) -> str | None:
        if ago is None:
            return None
        if isinstance(ago, tuple):
            return add_months(base, -ago[1]).isoformat()
        return (base - dt.timedelta(days=ago)).isoformat()

    counts: dict[str, int] = {}
    with write_transaction(db):
        from .committees.queries import set_independent_reviewer
        from .interests.queries import (
            create_interest,
            record_return,
            update_interest,
            withdraw_interest,
        )
        from .organisations.identity import Resolver
        from .rules.identifiers import parse_organisation_reference

        users: dict[str, int] = {}

        def import_files(kinds: set[str]) -> None:
            for kind, name in DEMO_IMPORTS:
                if kind in kinds:
                    for change in import_demo_file(db, kind, DEMO_FILES / name, base,
                                                   user_id=users.get("secretary")):
                        if change.action == "create" and change.entity in COUNTED:
                            _count(COUNTED[change.entity], counts)

        # The consortium's organisations, people and committees, from the files.
        import_files({"organisations", "epraccur", "memberships", "people", "home_practices",
                      "committees"})
        resolver = Resolver.load(db)
        orgs = {key: resolver.find_reference(parse_organisation_reference(text)).organisation_id
                for key, text in ORGANISATIONS.items()}
        people = {person.key: db.execute("SELECT id FROM people WHERE email = ?",
                                         [person.email]).fetchone()[0] for person in PEOPLE}

        for username, _label in DEMO_ACCOUNTS:
            users[username] = create_user(
                db, username=username, password=DEMO_PASSWORD,
                role=DEMO_ROLES.get(username, username),
                person_id=people[ACCOUNT_PEOPLE[username]], actor=ACTOR)
            _count("accounts", counts)
        for committee in COMMITTEES:
            if committee["name"] in HISTORY.independent_reviewers:
                committee_id, version = db.execute(
                    "SELECT id, version FROM committees WHERE name = ?",
                    [committee["name"]]).fetchone()
                set_independent_reviewer(
                    db, committee_id, version,
                    users[HISTORY.independent_reviewers[committee["name"]]], ACTOR)

        def account(username: str) -> SimpleNamespace:
            return SimpleNamespace(id=users[username], person_id=people[ACCOUNT_PEOPLE[username]],
                                   actor=ACTOR)

        # The register of interests, imported by the secretary.
        import_files({"interests"})

        def add_interest(interest: DemoInterest, now: str | None = None) -> int:
            """An interest typed on the interests pages by its account, at `now` (the morning
            of the day it was declared unless given); a withdrawn one is withdrawn then too."""
            now = now or f"{day(interest.declared_on)}T09:00:00+00:00"
            name = interest.organisation_name
            if interest.organisation:
                name = db["organisations"].get(orgs[interest.organisation])["name"]
            user = account(interest.recorded_by)
            interest_id = create_interest(db, {
                "organisation_id": orgs[interest.organisation] if interest.organisation else None,
                "organisation_name": name, "organisation_business": interest.business,
                "interest_type": interest.interest_type,
                "is_indirect": int(bool(interest.associate)),
                "associate_relationship": interest.associate, "nature": interest.nature,
                "date_from": day(interest.date_from), "date_to": day(interest.date_to),
                "mitigation": interest.mitigation,
                "consent_to_publish": int(not interest.withheld_reason),
                "withheld_reason": interest.withheld_reason},
                person_id=people[interest.person],
                declared_on=dt.date.fromisoformat(day(interest.declared_on) or ""), user=user,
                now=now)
            if interest.withdrawn_reason:
                withdraw_interest(db, interest_id, 1, interest.withdrawn_reason, user=user,
                                  now=now)
            _count("interests", counts)
            return interest_id

        for interest in HISTORY.typed_interests:
            add_interest(interest)

        # Edits: the first version is kept in interest_versions, as the interests pages do.
        for edit in HISTORY.edits:
            current = next(iter(db.query(
                "SELECT * FROM interests WHERE person_id = ? AND organisation_id = ?",
                [people[edit.person], orgs[edit.organisation]])))
            update_interest(db, current["id"], current["version"], {**current, **edit.changes},
                            user=account(edit.account),
                            now=f"{day(edit.days_ago)}T10:00:00+00:00")
            _count("interest edits", counts)

        # Each person's own annual return, as the "confirm my declarations" button records it.
        with_interests = {row[0] for row in db.execute(
            "SELECT DISTINCT person_id FROM interests WHERE withdrawn = 0")}
        for person, days in HISTORY.returns.items():
            for days_ago in days:
                record_return(db, people[person],
                              "complete" if people[person] in with_interests else "nil",
                              user=SimpleNamespace(id=None, person_id=people[person],
                                                   actor=ACTOR),
                              on=dt.date.fromisoformat(day(days_ago) or ""))
                _count("declaration returns", counts)

        # Two years of decisions, through the app's own write path (late import: that module
        # reads this one's people and committees).
        from .demo_decisions import load_decisions

        load_decisions(db, base, orgs=orgs, people=people, users=users,
                       add_interest=add_interest, counts=counts)

        # Gifts, hospitality and sponsorship offered to the committees' members (some declared,
        # one declined, one declared late, one a supplier's gift that should have been declined),
        # and the breaches register (one investigated and closed, with its published summary, and
        # one still open, with any the decisions' outcomes recorded themselves), from the files.
        import_files({"gifts", "breaches"})

        # Declaration campaigns (history.toml), opened by the governance lead on their day; one
        # closed at its deadline.
        from .campaigns.queries import open_campaign, record_close

        for campaign in HISTORY.campaigns:
            committee_ids = [db.execute("SELECT id FROM committees WHERE name = ?",
                                        [name]).fetchone()[0] for name in campaign.committees]
            campaign_id = open_campaign(
                db, {"title": campaign.title.format(year=base.year, last_year=base.year - 1),
                     "kind": campaign.kind,
                     "deadline": (base - dt.timedelta(days=campaign.deadline)).isoformat(),
                     "reminder_every_days": campaign.reminder_every_days,
                     "publish_non_declarers": int(campaign.publish_non_declarers)},
                committee_ids, user_id=users["governance"], actor=ACTOR,
                today=base - dt.timedelta(days=campaign.opened))
            if campaign.closed is not None:
                record_close(db, campaign_id, base - dt.timedelta(days=campaign.closed),
                             actor=ACTOR)
            _count("declaration campaigns", counts)

        # Companies House's persons with significant control of Go-To-Doc Ltd, read through the
        # documented import: one may be a Governing Body GP who has declared nothing about it.
        counts["persons with significant control"] = len(
            import_demo_file(db, "psc", DEMO_PSC_SNAPSHOT, base))

        # What is built on the whole consortium (such as its meetings) is written here, last, in
        # this transaction, with the demo's day passed in (`base`).
        from .demo_meetings import load_meetings  # times, places, items, declarations

        load_meetings(db, base, now=f"{day(1)}T17:00:00+00:00", counts=counts)
        _outbox_as_of_today(db)
    return counts


# The decision messages still worth reading today, by kind: those about a decision that still
# stands where the message says it does.
_STILL_TRUE = {"flagged_decision": ("awaiting_review",), "sign_off_voided": ("awaiting_review",),
               "decision_returned": ("returned",)}


def _outbox_as_of_today(db: Database) -> None:
    """The demo's history queues the messages each of its steps sends; in a register in use they
    went out at the time, days or years ago. Left waiting in the outbox (no mail server is set),
    they would tell an administrator today that a decision published in 2024 waits for a review.
    Keep only the decision messages that are still true, each once (the latest)."""
    status_of = dict(db.execute("SELECT reference, status FROM decisions").fetchall())
    kept: set[tuple[str, str]] = set()
    gone: list[list[int]] = []
    for row in db.query("SELECT id, to_address, subject, kind, link_path FROM outbox"
                        " WHERE sent_at IS NULL ORDER BY id DESC"):
        statuses = _STILL_TRUE.get(row["kind"])
        if statuses is None:
            continue
        status = status_of.get(row["link_path"].rstrip("/").rsplit("/", 1)[-1])
        key = (row["to_address"], row["subject"])
        if status not in statuses or key in kept:
            gone.append([row["id"]])
        else:
            kept.add(key)
    db.conn.executemany("DELETE FROM outbox WHERE id = ?", gone)
