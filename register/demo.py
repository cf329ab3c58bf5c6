"""The fictional demo consortium: practices, providers, people, committees, interests, accounts,
and two years of make-or-buy decisions (written by `demo_decisions`).

Every name, code and address here is invented. Most of the consortium is in data files
(`demo_files/`), each in the layout docs/imports.md documents, loaded through the same imports the
`flask import` command and the Import page use: so the demo also proves the imports. What no import
can express (accounts, interests typed on the interests pages, an edit and a withdrawal, returns,
decisions and their histories, campaigns) is written below as small tables, each row through the
store function the pages use.

Dates are counted back from the day the data is loaded, so the register looks current whenever it
is set up and is the same for a given day. The files are dated as on `FILES_DAY`; the loader moves
every date in them by the days between that day and the load day before importing them. The
clock is passed to the write functions (`now=`, `today=`), never swapped in a module.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
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
DEMO_ACCOUNTS = [
    ("admin", "Administrator"),
    ("secretary", "Board secretary"),
    ("governance", "Governance lead"),
    ("member", "Board member"),
    ("auditor", "Auditor"),
    ("reviewer", "Board member: the Governing Body's independent reviewer"),
]
# An account's role is its username, except these.
DEMO_ROLES = {"reviewer": "member"}
# The Governing Body's independent reviewer: she sits on the Primary Care Committee only, so takes
# no part in the Governing Body's decisions, and reviews one when its only governance lead votes.
INDEPENDENT_REVIEWERS = {"gb": "reviewer"}

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

# Which person each demo account belongs to.
ACCOUNT_PEOPLE = {
    "admin": "roberts",
    "secretary": "sharma",
    "governance": "okafor",  # a lay member of the governing body, not on the primary care committee
    "member": "oconnor",     # a GP partner on both committees
    "auditor": "varma",
    "reviewer": "fairweather",
}


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


# ---- what the imports cannot express: small tables through the pages' store functions ----------
# Dates are given as days before the load date (or ("months", n) for calendar months), so that
# "ended eight months ago" stays true whenever the demo is loaded.

FIN, NFP = "financial", "non_financial_professional"

Ago = int | tuple[str, int]


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


# Typed by the secretary rather than imported: a name the interests import would link, since it is
# exactly the provider's name once "Limited" and "Ltd" are read alike, kept as typed so that a
# governance lead confirms it as a possible match; and a duplicate entry, withdrawn.
TYPED_INTERESTS = [
    DemoInterest(person="siddiqui", organisation=None,
                 organisation_name="Vale Physio Partners Limited",
                 business="Musculoskeletal physiotherapy services", interest_type=FIN,
                 nature="Paid clinical supervision sessions for the company's physiotherapists",
                 date_from=450, declared_on=440),
    DemoInterest(person="kapoor", organisation=None,
                 organisation_name="Healthcare Financial Management Association",
                 business="Professional body", interest_type=NFP, nature="Member",
                 date_from=3000, declared_on=2500,
                 withdrawn_reason="Duplicate of an earlier entry"),
]

# Two interests edited after they were first declared (the files hold the first version): (person,
# organisation key, days ago the edit was made, account that made it, what it changed).
EDITS = [
    ("fairweather", "physio", 400, "governance",
     {"mitigation": "Will leave the meeting for any item on musculoskeletal or physiotherapy "
                    "services"}),
    ("chen", "federation", 200, "secretary",
     {"nature": "Director of the federation",
      "mitigation": "Leaves the meeting for any item where the federation may bid"}),
]

# Annual returns: days before the load date. Dr MacLeod, Dr Siddiqui and Kwame Mensah have made
# no declaration or return in the last 12 months: the missing-returns page should list them.
RETURNS = {
    "rahman": [40, 410], "pemberton": [65, 430], "okafor": [12, 377], "llewelyn": [90, 455],
    "kapoor": [120], "oconnor": [30, 395], "adeyemi": [75, 440], "wojcik": [150],
    "macleod": [425], "chen": [200, 560], "nwosu": [33], "ashworth": [180],
    "byrne": [240], "fairweather": [60], "nowak": [110], "alsayed": [300],
    "mcallister": [45], "siddiqui": [400], "price": [210], "obrien": [20],
    "thompson": [130, 500], "demir": [95], "martin": [160],
    # mensah: no return at all. Non-decision-makers who returned anyway:
    "gallagher": [70], "lindqvist": [85], "doyle": [140],
}


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
            if committee["key"] in INDEPENDENT_REVIEWERS:
                committee_id, version = db.execute(
                    "SELECT id, version FROM committees WHERE name = ?",
                    [committee["name"]]).fetchone()
                set_independent_reviewer(db, committee_id, version,
                                         users[INDEPENDENT_REVIEWERS[committee["key"]]], ACTOR)

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

        for interest in TYPED_INTERESTS:
            add_interest(interest)

        # Edits: the first version is kept in interest_versions, as the interests pages do.
        for holder, organisation_key, days_ago, username, changed in EDITS:
            current = next(iter(db.query(
                "SELECT * FROM interests WHERE person_id = ? AND organisation_id = ?",
                [people[holder], orgs[organisation_key]])))
            update_interest(db, current["id"], current["version"], {**current, **changed},
                            user=account(username), now=f"{day(days_ago)}T10:00:00+00:00")
            _count("interest edits", counts)

        # Each person's own annual return, as the "confirm my declarations" button records it.
        with_interests = {row[0] for row in db.execute(
            "SELECT DISTINCT person_id FROM interests WHERE withdrawn = 0")}
        for person, days in RETURNS.items():
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

        # A declaration campaign running now for the Governing Body, opened two weeks ago (so
        # today is a reminder day), with the deadline in two weeks; those who confirmed since it
        # opened have answered it. Everyone else hears about their annual return as usual.
        from .campaigns.queries import open_campaign

        governing_body = db.execute("SELECT id FROM committees WHERE name = 'Governing Body'"
                                    ).fetchone()[0]
        open_campaign(db, {"title": f"Governing Body declarations {base.year}",
                           "kind": "six_monthly",
                           "deadline": (base + dt.timedelta(days=14)).isoformat(),
                           "reminder_every_days": 7, "publish_non_declarers": 1},
                      [governing_body], user_id=users["governance"], actor=ACTOR,
                      today=base - dt.timedelta(days=14))
        _count("declaration campaigns", counts)
        # Last year's campaign for every decision-maker, closed at its deadline, its non-declarers
        # published; those who confirmed after the close (Margaret Okafor among them) are recorded as
        # late and not listed.
        from .campaigns.queries import record_close

        last_year = open_campaign(
            db, {"title": f"Declarations {base.year - 1}", "kind": "annual",
                 "deadline": (base - dt.timedelta(days=392)).isoformat(),
                 "reminder_every_days": 7, "publish_non_declarers": 1},
            [], user_id=users["governance"], actor=ACTOR, today=base - dt.timedelta(days=420))
        record_close(db, last_year, base - dt.timedelta(days=392), actor=ACTOR)
        _count("declaration campaigns", counts)

        # Companies House's persons with significant control of Go-To-Doc Ltd, read through the
        # documented import: one may be a Governing Body GP who has declared nothing about it.
        counts["persons with significant control"] = len(
            import_demo_file(db, "psc", DEMO_PSC_SNAPSHOT, base))

        # What is built on the whole consortium (such as its meetings) is written here, last, in
        # this transaction, with the demo's day passed in (`base`).
        from .demo_meetings import load_meetings  # times, places, items, declarations

        load_meetings(db, base, now=f"{day(1)}T17:00:00+00:00", counts=counts)
    return counts
