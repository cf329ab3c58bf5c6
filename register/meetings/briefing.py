"""What the chair's briefing, the members' register for the meeting and the minutes show, read
from the record: the meeting (`queries.load_meeting`), each decision's record
(`decisions.record.load_records`) and the declarations made in the room. Reads only.

The words themselves are the pure rules' (`rules.minutes`); this module only gathers the facts
each item's words are made from, and keeps a decision's details from anyone the one access rule
(`decisions.access`, through `queries.readable_items`) keeps from its papers.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from ..decisions import access
from ..decisions import record as record_model
from ..decisions.serialise import conflicts_in_words
from ..interests import history as interest_history
from ..pdf.loaders import head_of_trail, interest_row, snapshot
from ..rules import minutes as words
from ..rules.departures import time_text
from ..timeutil import long_date, uk_time, utcnow_iso
from . import queries

# The roles that prepare a meeting read its briefing, members' register and minutes; so does
# the person chairing it. Auditors read them (every page here only reads).
PREPARING_CAPABILITY = "read_all_decisions"


def may_prepare(db: Database, who: Any, meeting: queries.Meeting) -> bool:
    """Whether an account may read a meeting's briefing, members' register and minutes: the
    roles that read every decision, and the person chairing the meeting (who must also be able
    to read the meeting at all)."""
    if not queries.may_read_meeting(db, who, meeting):
        return False
    if who.can(PREPARING_CAPABILITY):
        return True
    return who.person_id is not None and who.person_id == meeting.chair_person_id


@dataclass(frozen=True)
class ItemBrief:
    """One agenda item as the briefing and the minutes show it."""

    position: int
    title: str
    reference: str | None
    visible: bool                    # False: the reader sees only the title
    facts: words.ItemFacts
    conflicted: tuple[tuple[str, str, str], ...] = ()   # (name, why, the chair's words)
    governance: tuple[str, ...] = ()  # what needs the governance lead before the meeting
    status: str | None = None

    @property
    def is_decision(self) -> bool:
        """Whether the item is a make-or-buy decision."""
        return self.reference is not None

    @property
    def presiding(self) -> str:
        """Who takes the chair for the item."""
        return words.presiding_words(self.facts)

    @property
    def chair_conflicted(self) -> bool:
        """Whether the chair of the meeting may not take this item."""
        return words.chair_is_conflicted(self.facts)

    @property
    def quorum(self) -> str:
        """The quorum after the rulings, in a sentence."""
        return words.quorum_words(self.facts)

    @property
    def what_to_say(self) -> str:
        """The chair's script for the item."""
        return words.what_to_say(self.facts)

    @property
    def minutes(self) -> str:
        """The minutes' paragraph for the item."""
        return words.minutes_paragraph(self.facts)


@dataclass(frozen=True)
class MeetingBrief:
    """A meeting's briefing (or minutes): the meeting, its items, and the record's head hash."""

    meeting: queries.Meeting
    quorum_rule: str
    vice_chair_name: str | None
    items: tuple[ItemBrief, ...]
    head: dict[str, Any] = field(default_factory=dict)
    printed_at: str = ""

    @property
    def printed_text(self) -> str:
        """When it was printed, in UK time."""
        return uk_time(self.printed_at) if self.printed_at else ""

    @property
    def date_text(self) -> str:
        """The meeting's date in words."""
        return long_date(self.meeting.meeting_date)

    @property
    def when_text(self) -> str:
        """Date and time in words: '10 March 2026, 10:00 to 12:00'."""
        m = self.meeting
        text = self.date_text
        if m.starts_at:
            text += f", {m.starts_at}" + (f" to {m.ends_at}" if m.ends_at else "")
        return text

    @property
    def where_text(self) -> str:
        """Where the meeting is held, or that it is not set."""
        m = self.meeting
        return " and ".join(p for p in (m.place, m.link) if p) or "Not set yet"

    @property
    def needing_governance(self) -> tuple[ItemBrief, ...]:
        """The items that need the governance lead before the meeting."""
        return tuple(item for item in self.items if item.governance)


def _committee_facts(db: Database, committee_id: int) -> tuple[str, int | None, str | None]:
    """The committee's quorum rule in words and its vice-chair (id and name)."""
    row = db.execute("SELECT * FROM committees WHERE id = ?", [committee_id]).fetchone()
    columns = [c[0] for c in db.execute("SELECT * FROM committees LIMIT 0").description]
    committee = dict(zip(columns, row, strict=True))
    rule = record_model.QuorumRule(
        committee["quorum_min_voting"],
        {c: committee[f"quorum_min_{c}"] for c in record_model.CATEGORIES
         if committee[f"quorum_min_{c}"]})
    vice = db.execute(
        "SELECT people.id, people.name FROM committee_members JOIN people"
        " ON people.id = committee_members.person_id WHERE committee_members.committee_id = ?"
        " AND committee_members.role = 'vice_chair' ORDER BY people.id LIMIT 1",
        [committee_id]).fetchone()
    return rule.describe(), (vice[0] if vice else None), (vice[1] if vice else None)


def _departure(rec: record_model.DecisionRecord | None,
               person_id: int) -> tuple[str | None, str | None, str | None]:
    """When the outcome says a person left the room for the item: (left, stage, came back)."""
    if rec is None or rec.outcome is None:
        return None, None, None
    for row in rec.outcome.attendance:
        if row.person_id == person_id and row.departure is not None:
            d = row.departure
            return time_text(d.left_at), d.stage, time_text(d.returned_at)
    return None, None, None


def _item(item: queries.AgendaItem, rec: record_model.DecisionRecord | None, answer: str, *,
          chair_id: int | None, vice_id: int | None, names: dict[int, str],
          at_meeting: bool) -> ItemBrief:
    """One item's facts, from its decision's record and the declarations made in the room.
    `answer` is the reader's access to its decision (access.READ for an item that is not one):
    a decision they may not read shows only its title, one they are excluded from only its
    reference, as the meeting's page shows them."""
    declared = {d.person_id: d for d in item.declarations}
    visible = answer == access.READ
    title = queries.item_title(item, answer)
    base = dict(position=item.position, title=title, chair_id=chair_id,
                vice_chair_id=vice_id, names=names)
    if not visible:
        return ItemBrief(item.position, title, item.decision_reference, False,
                         words.ItemFacts(**base, is_decision=item.decision_id is not None))
    people: list[words.PersonAtItem] = []
    conflicted_lines: list[tuple[str, str, str]] = []
    governance: list[str] = []
    listed: set[int] = set()
    if rec is not None:
        # conflicts_in_words goes through rec.conflicted in order: one line per person.
        for person, why in zip(rec.conflicted, conflicts_in_words(rec), strict=True):
            said = declared.get(person.person_id)
            left, stage, back = _departure(rec, person.person_id)
            if said is not None and said.left_at:
                left, stage, back = said.left_at, None, said.returned_at
            line = why.interest or person.reason_words
            people.append(words.PersonAtItem(
                person.person_id, person.name, line, True, person.ruling,
                bool(said and said.declared), said.words if said else "", left, stage, back))
            # The briefing gives one line: the first reason, and how many more the record has.
            first = why.sentences[0] if why.sentences else line
            if len(why.sentences) > 1:
                more = len(why.sentences) - 1
                first += f" (and {more} more reason{'s' if more > 1 else ''} in the record)"
            conflicted_lines.append((person.name, first,
                                     words.chair_words(person.name, person.ruling)))
            listed.add(person.person_id)
        governance.extend(queries.governance_reasons(rec))
    for said in item.declarations:
        if said.person_id in listed or not (said.declared or said.left_at):
            continue
        people.append(words.PersonAtItem(
            said.person_id, said.person_name, "", False, None, said.declared, said.words,
            said.left_at, None, said.returned_at))
    quorate, remaining, shortfall, escalation = None, 0, "", ""
    if rec is not None and rec.quorum is not None:
        count = rec.quorum.after_rulings
        if at_meeting and rec.quorum.at_meeting is not None:
            count = rec.quorum.at_meeting
        quorate = None if rec.quorum.awaiting_rulings else count.quorate
        remaining = count.remaining
        shortfall = count.shortfall[0] if count.shortfall else ""
        escalation = rec.escalation.words if rec.escalation is not None else ""
    facts = words.ItemFacts(**base, is_decision=item.decision_id is not None,
                            people=tuple(people), quorate=quorate, voting_members=remaining,
                            shortfall=shortfall, escalation=escalation)
    return ItemBrief(item.position, item.title, item.decision_reference, True, facts,
                     tuple(conflicted_lines), tuple(dict.fromkeys(governance)),
                     rec.status if rec else None)


def load_brief(db: Database, meeting: queries.Meeting, who: Any, *, at_meeting: bool = False,
               printed_at: str | None = None) -> MeetingBrief:
    """A meeting's items with their facts, as this account may see them. `at_meeting`: count the
    quorum on the attendance recorded at the meeting where there is one (the minutes)."""
    with snapshot(db):
        readable = queries.readable_items(db, who, meeting)
        shown = [i.decision_id for i in meeting.items
                 if i.decision_id is not None and readable.get(i.id) == access.READ]
        records = {r.id: r for r in record_model.load_records(db, shown)}
        rule, vice_id, vice_name = _committee_facts(db, meeting.committee_id)
        head = head_of_trail(db)
    names: dict[int, str] = {}
    if meeting.chair_person_id is not None and meeting.chair_name:
        names[meeting.chair_person_id] = meeting.chair_name
    if vice_id is not None and vice_name:
        names[vice_id] = vice_name
    items = []
    for item in meeting.items:
        answer = readable.get(item.id, access.READ)
        items.append(_item(item, records.get(item.decision_id) if item.decision_id else None,
                           answer, chair_id=meeting.chair_person_id, vice_id=vice_id,
                           names=names, at_meeting=at_meeting))
    return MeetingBrief(meeting, rule, vice_name, tuple(items), head,
                        printed_at or utcnow_iso())


# ---- the register of interests of everyone expected -----------------------------------------

@dataclass(frozen=True)
class RegisterPerson:
    """One person expected at the meeting with their interests as they stood on its date."""

    person_id: int
    name: str
    role_label: str
    rows: tuple[dict[str, Any], ...]


_INTERESTS_SQL = (
    "SELECT interests.*, organisations.name AS linked_name FROM interests"
    " LEFT JOIN organisations ON organisations.id = interests.organisation_id"
    " WHERE interests.person_id IN (SELECT value FROM json_each(?))"
    " ORDER BY interests.date_from, interests.id")


def members_register(db: Database, meeting: queries.Meeting, *, marking: str = "OFFICIAL",
                     printed_at: str | None = None) -> dict[str, Any]:
    """The interests of everyone expected at the meeting as they stood at the end of the meeting
    date (`interests.history.register_on`), grouped by person, with the record's head hash."""
    on: dt.date = meeting.meeting_date
    sensitive = marking == "OFFICIAL-SENSITIVE"
    with snapshot(db):
        expected = queries.expected_people(db, meeting)
        ids = [person_id for person_id, _name, _label in expected]
        rows = list(db.query(_INTERESTS_SQL, [json.dumps(ids)])) if ids else []
        held: dict[int, list[dict[str, Any]]] = {}
        for interest in interest_history.register_on(db, rows, on):
            held.setdefault(interest["person_id"], []).append(interest)
        head = head_of_trail(db)
    people = []
    for person_id, name, label in expected:
        person = {"name": name, "positions_text": label}
        found = held.get(person_id, [])
        people.append(RegisterPerson(person_id, name, label, tuple(
            interest_row(person, i, show_withheld=sensitive, note_lateness=True)
            for i in found)))
    printed_at = printed_at or utcnow_iso()
    withheld = ("Entries withheld from publication are shown in full because this copy is "
                "marked OFFICIAL-SENSITIVE." if sensitive else
                "Entries withheld from publication for privacy or safety are shown as "
                "\"Withheld\"; print it as OFFICIAL-SENSITIVE to include them.")
    return {
        "meeting": meeting, "people": people, "on": on, "on_text": long_date(on),
        "explanation": (f"The interests of everyone expected at the meeting, as the register "
                        f"stood at the end of {long_date(on)}: interests declared by then, held "
                        f"then or ended in the six months before. {withheld}"),
        "head": head, "printed_at": printed_at, "printed_text": uk_time(printed_at),
        "marking": marking,
    }
