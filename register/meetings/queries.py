"""The read API of meetings: a meeting with its agenda items and the declarations made for them,
the people expected, and the lists of meetings. Every page, print and invitation about a meeting
reads through here; nothing here writes."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from ..decisions import access
from ..decisions import record as record_model
from ..rules import meetings as meeting_rules
from ..timeutil import today_uk

ROLE_LABELS = {"chair": "Chair", "vice_chair": "Vice-chair", "member": "Member"}
PARTICIPANT_LABELS = {"voting": "Voting member", "attendee": "In attendance",
                      "evaluator": "Evaluator"}


@dataclass(frozen=True)
class ItemDeclaration:
    """What one person declared for an agenda item, and when they left and came back."""

    person_id: int
    person_name: str
    declared: bool
    interest_id: int | None
    words: str
    left_at: str | None
    returned_at: str | None


@dataclass(frozen=True)
class AgendaItem:
    """One item of a meeting's agenda: a decision, or an item with only a title."""

    id: int
    meeting_id: int
    position: int
    title: str
    decision_id: int | None
    decision_reference: str | None
    declarations: tuple[ItemDeclaration, ...] = ()
    decision_status: str | None = None
    version: int = 1


@dataclass(frozen=True)
class Meeting:
    """A committee's meeting: when and where, who chairs it and takes the minutes, its items.

    `chair_person_id` is the person chairing: the one chosen for the meeting, otherwise the
    committee's chair (`chair_chosen` says which)."""

    id: int
    committee_id: int
    committee_name: str
    meeting_date: dt.date
    starts_at: str | None
    ends_at: str | None
    place: str
    link: str
    chair_person_id: int | None
    chair_name: str | None
    secretary_person_id: int | None
    secretary_name: str | None
    version: int
    items: tuple[AgendaItem, ...] = ()
    chair_chosen: bool = False

    @property
    def decision_ids(self) -> list[int]:
        """The decisions on the agenda, in order."""
        return [item.decision_id for item in self.items if item.decision_id is not None]


@dataclass(frozen=True)
class MeetingRow:
    """A meeting as a list shows it."""

    id: int
    committee_id: int
    committee_name: str
    meeting_date: dt.date
    starts_at: str | None
    ends_at: str | None
    place: str
    link: str
    item_count: int
    decision_count: int


def committee_chair(db: Database, committee_id: int) -> tuple[int, str] | None:
    """The committee's chair (person id and name), or None if it has none."""
    row = db.execute(
        "SELECT people.id, people.name FROM committee_members JOIN people"
        " ON people.id = committee_members.person_id WHERE committee_members.committee_id = ?"
        " AND committee_members.role = 'chair' ORDER BY people.id LIMIT 1",
        [committee_id]).fetchone()
    return (row[0], row[1]) if row else None


def _declarations(db: Database, item_ids: list[int]) -> dict[int, list[ItemDeclaration]]:
    out: dict[int, list[ItemDeclaration]] = {item_id: [] for item_id in item_ids}
    if not item_ids:
        return out
    marks = ", ".join("?" for _ in item_ids)
    for row in db.query(
            "SELECT item_declarations.*, people.name AS person_name FROM item_declarations"
            " JOIN people ON people.id = item_declarations.person_id"
            f" WHERE agenda_item_id IN ({marks})"
            " ORDER BY coalesce(item_declarations.left_at, ''), people.name COLLATE NOCASE",
            item_ids):
        out[row["agenda_item_id"]].append(ItemDeclaration(
            person_id=row["person_id"], person_name=row["person_name"],
            declared=bool(row["declared"]), interest_id=row["interest_id"],
            words=row["words"], left_at=row["left_at"], returned_at=row["returned_at"]))
    return out


def load_items(db: Database, meeting_id: int) -> tuple[AgendaItem, ...]:
    """A meeting's agenda items in order, each with its declarations."""
    rows = list(db.query(
        "SELECT agenda_items.*, decisions.reference AS decision_reference,"
        " decisions.status AS decision_status FROM agenda_items"
        " LEFT JOIN decisions ON decisions.id = agenda_items.decision_id"
        " WHERE agenda_items.meeting_id = ? ORDER BY agenda_items.position, agenda_items.id",
        [meeting_id]))
    declarations = _declarations(db, [row["id"] for row in rows])
    return tuple(AgendaItem(
        id=row["id"], meeting_id=row["meeting_id"], position=row["position"],
        title=row["title"], decision_id=row["decision_id"],
        decision_reference=row["decision_reference"],
        declarations=tuple(declarations[row["id"]]), decision_status=row["decision_status"],
        version=row["version"]) for row in rows)


def load_meeting(db: Database, meeting_id: int) -> Meeting | None:
    """A meeting with its committee, chair, secretary and agenda; None if there is none."""
    row = next(iter(db.query(
        "SELECT meetings.*, committees.name AS committee_name,"
        " chair.name AS chair_name, secretary.name AS secretary_name FROM meetings"
        " JOIN committees ON committees.id = meetings.committee_id"
        " LEFT JOIN people AS chair ON chair.id = meetings.chair_person_id"
        " LEFT JOIN people AS secretary ON secretary.id = meetings.secretary_person_id"
        " WHERE meetings.id = ?", [meeting_id])), None)
    if row is None:
        return None
    chair_id, chair_name = row["chair_person_id"], row["chair_name"]
    if chair_id is None and (chair := committee_chair(db, row["committee_id"])):
        chair_id, chair_name = chair
    return Meeting(
        id=row["id"], committee_id=row["committee_id"], committee_name=row["committee_name"],
        meeting_date=dt.date.fromisoformat(row["meeting_date"]), starts_at=row["starts_at"],
        ends_at=row["ends_at"], place=row["place"], link=row["link"],
        chair_person_id=chair_id, chair_name=chair_name,
        secretary_person_id=row["secretary_person_id"], secretary_name=row["secretary_name"],
        version=row["version"], items=load_items(db, meeting_id),
        chair_chosen=row["chair_person_id"] is not None)


def meeting_for_decision(db: Database, decision_id: int) -> Meeting | None:
    """The meeting whose agenda holds this decision, or None."""
    row = db.execute("SELECT meeting_id FROM agenda_items WHERE decision_id = ?",
                     [decision_id]).fetchone()
    return load_meeting(db, row[0]) if row else None


@dataclass(frozen=True)
class MeetingLink:
    """Where a decision sits on an agenda: its meeting and item, for a link to the meeting."""

    meeting_id: int
    item_id: int
    committee_name: str
    meeting_date: dt.date
    position: int


def meeting_link(db: Database, who: Any, decision_id: int) -> MeetingLink | None:
    """The meeting and item holding a decision, if the account may read that meeting (None
    otherwise, or when the decision is on no agenda)."""
    row = next(iter(db.query(
        "SELECT meetings.id AS meeting_id, meetings.committee_id, meetings.meeting_date,"
        " committees.name AS committee_name, agenda_items.id AS item_id, agenda_items.position"
        " FROM agenda_items JOIN meetings ON meetings.id = agenda_items.meeting_id"
        " JOIN committees ON committees.id = meetings.committee_id"
        " WHERE agenda_items.decision_id = ?", [decision_id])), None)
    if row is None:
        return None
    committees = readable_committee_ids(db, who)
    if committees is not None and row["committee_id"] not in committees:
        return None
    return MeetingLink(row["meeting_id"], row["item_id"], row["committee_name"],
                       dt.date.fromisoformat(row["meeting_date"]), row["position"])


def declarations_for_decision(db: Database, decision_id: int) -> tuple[ItemDeclaration, ...]:
    """What the declarations item records for a decision's agenda item (empty when it is on no
    agenda or nothing is recorded)."""
    row = db.execute("SELECT id FROM agenda_items WHERE decision_id = ?",
                     [decision_id]).fetchone()
    return tuple(_declarations(db, [row[0]])[row[0]]) if row else ()


def expected_people(db: Database, meeting: Meeting) -> list[tuple[int, str, str]]:
    """Everyone expected at the meeting, once each, the chair first: the committee's members,
    then the people taking part in each decision on the agenda (voting, attending, evaluating).
    Each as (person id, name, role label)."""
    seen: dict[int, tuple[int, str, str]] = {}
    if meeting.chair_person_id is not None and meeting.chair_name is not None:
        seen[meeting.chair_person_id] = (meeting.chair_person_id, meeting.chair_name,
                                         "Chair of the meeting")
    for row in db.query(
            "SELECT committee_members.person_id, people.name, committee_members.role,"
            " committee_members.voting FROM committee_members JOIN people"
            " ON people.id = committee_members.person_id WHERE committee_members.committee_id = ?"
            " ORDER BY CASE committee_members.role WHEN 'chair' THEN 0 WHEN 'vice_chair' THEN 1"
            " ELSE 2 END, people.name COLLATE NOCASE", [meeting.committee_id]):
        label = ROLE_LABELS.get(row["role"], "Member")
        if row["role"] == "member" and not row["voting"]:
            label = "Member (not voting)"
        seen.setdefault(row["person_id"], (row["person_id"], row["name"], label))
    ids = meeting.decision_ids
    if ids:
        marks = ", ".join("?" for _ in ids)
        for row in db.query(
                "SELECT decision_participants.person_id, people.name, decision_participants.role"
                " FROM decision_participants JOIN people"
                " ON people.id = decision_participants.person_id"
                f" WHERE decision_participants.decision_id IN ({marks})"
                " ORDER BY CASE decision_participants.role WHEN 'voting' THEN 0"
                " WHEN 'attendee' THEN 1 ELSE 2 END, people.name COLLATE NOCASE", ids):
            seen.setdefault(row["person_id"], (row["person_id"], row["name"],
                                               PARTICIPANT_LABELS.get(row["role"], row["role"])))
    return list(seen.values())


def meetings_list(db: Database, *, committee_id: int | None = None,
                  upcoming: bool | None = None, committee_ids: list[int] | None = None,
                  today: dt.date | None = None) -> list[MeetingRow]:
    """Meetings, soonest first when upcoming, latest first otherwise: of one committee (or of
    the committees listed), upcoming (from today), past (before today) or all."""
    where: list[str] = []
    params: list[Any] = []
    if committee_id is not None:
        where.append("meetings.committee_id = ?")
        params.append(committee_id)
    if committee_ids is not None:
        where.append("meetings.committee_id IN (SELECT value FROM json_each(?))")
        params.append("[" + ",".join(str(int(i)) for i in committee_ids) + "]")
    day = (today or today_uk()).isoformat()
    if upcoming is True:
        where.append("meetings.meeting_date >= ?")
        params.append(day)
    elif upcoming is False:
        where.append("meetings.meeting_date < ?")
        params.append(day)
    order = "ASC" if upcoming else "DESC"
    sql = ("SELECT meetings.*, committees.name AS committee_name,"
           " (SELECT count(*) FROM agenda_items WHERE meeting_id = meetings.id) AS item_count,"
           " (SELECT count(decision_id) FROM agenda_items WHERE meeting_id = meetings.id)"
           " AS decision_count FROM meetings"
           " JOIN committees ON committees.id = meetings.committee_id"
           + (" WHERE " + " AND ".join(where) if where else "")
           + f" ORDER BY meetings.meeting_date {order}, coalesce(meetings.starts_at, '') {order},"
           " committees.name COLLATE NOCASE, meetings.id")
    return [MeetingRow(
        id=row["id"], committee_id=row["committee_id"], committee_name=row["committee_name"],
        meeting_date=dt.date.fromisoformat(row["meeting_date"]), starts_at=row["starts_at"],
        ends_at=row["ends_at"], place=row["place"], link=row["link"],
        item_count=row["item_count"], decision_count=row["decision_count"])
        for row in db.query(sql, params)]


# ---- who may read a meeting -------------------------------------------------------------------

def readable_committee_ids(db: Database, who: Any) -> list[int] | None:
    """The committees whose meetings an account may read: None for all of them (a role that
    reads every decision), otherwise the committees its person sits on or takes part in a
    decision of (an empty list for a role that reads no decisions)."""
    viewer = access.viewer_for(who)
    if not viewer.reads:
        return []
    if viewer.sees_all:
        return None
    person = viewer.person_id if viewer.person_id is not None else -1
    return [row[0] for row in db.execute(
        "SELECT committee_id FROM committee_members WHERE person_id = ?"
        " UNION SELECT meetings.committee_id FROM meetings"
        " JOIN agenda_items ON agenda_items.meeting_id = meetings.id"
        " JOIN decision_participants ON decision_participants.decision_id"
        " = agenda_items.decision_id WHERE decision_participants.person_id = ?"
        " ORDER BY 1", [person, person])]


def may_read_meeting(db: Database, who: Any, meeting: Meeting | MeetingRow) -> bool:
    """Whether an account may read a meeting: whoever may read its committee's decisions."""
    committees = readable_committee_ids(db, who)
    return committees is None or meeting.committee_id in committees


def readable_items(db: Database, who: Any, meeting: Meeting) -> dict[int, str]:
    """For each decision item, what the account may see of it: access.READ (the decision and
    its papers) or only the title (access.EXCLUDED or access.REFUSED)."""
    out: dict[int, str] = {}
    for item in meeting.items:
        if item.decision_id is None:
            continue
        decision = db.execute("SELECT id, author_user_id FROM decisions WHERE id = ?",
                              [item.decision_id]).fetchone()
        out[item.id] = access.access_to(db, who, {"id": decision[0],
                                                  "author_user_id": decision[1]})
    return out


def item_title(item: AgendaItem, answer: str) -> str:
    """An item's title as a reader with this access to its decision (see `readable_items`)
    sees it: its reference only, saying so, when they are excluded from it."""
    if answer == access.EXCLUDED:
        return f"{item.decision_reference} (you are excluded from this item)"
    return item.title


def invitation_lines(db: Database, who: Any, meeting: Meeting,
                     person_id: int | None) -> tuple[list[str], list[str]]:
    """A meeting's agenda lines as an invitation shows them ("3. Community beds") and, for one
    person (None: the general invitation), the line for each item a ruling takes them out of
    the room for (`rules.meetings.leaving_line`). An item the reader (`who`) or the person is
    excluded from shows its reference only. The invitation and the home page use these."""
    excluded: set[int] = set()
    for viewer in (who, access.Viewer(sees_all=True, person_id=person_id)):
        excluded |= access.excluded_ids(db, viewer, meeting.decision_ids)
    rulings: dict[int, str] = {}
    name = None
    if person_id is not None:
        found = db.execute("SELECT name FROM people WHERE id = ?", [person_id]).fetchone()
        name = found[0] if found else None
        rulings = {row[0]: row[1] for row in db.execute(
            "SELECT decision_id, ruling FROM decision_rulings WHERE person_id = ?",
            [person_id])}
    agenda: list[str] = []
    leaving: list[str] = []
    for item in meeting.items:
        title = item.title if item.decision_id not in excluded \
            else f"{item.decision_reference} (excluded from its papers)"
        agenda.append(f"{item.position}. {title}")
        ruling = rulings.get(item.decision_id) if item.decision_id else None
        if name and ruling and meeting_rules.must_leave(ruling):
            leaving.append(meeting_rules.leaving_line(name, item.position, title, ruling))
    return agenda, leaving


@dataclass(frozen=True)
class UpcomingMeeting:
    """A meeting as the home page's "Upcoming meetings" card shows it."""

    row: MeetingRow
    needing_governance: int = 0          # items needing the governance lead before it
    leaving: tuple[str, ...] = ()        # the reader's lines for items they must leave


def upcoming_for_home(db: Database, who: Any, *, today: dt.date | None = None,
                      limit: int = 3) -> list[UpcomingMeeting]:
    """The home page's upcoming meetings: for those who prepare meetings (secretaries,
    governance leads, administrators) the next `limit` meetings, each with how many items need
    the governance lead; for a member, the next meeting of each committee they sit on, with a
    line for each item they must leave (the invitation's words). Reads only."""
    day = today or today_uk()
    if who.can("manage_meetings") or who.can("review_decisions"):
        rows = meetings_list(db, upcoming=True, today=day)[:limit]
        agendas = {row.id: meeting.decision_ids if (meeting := load_meeting(db, row.id)) else []
                   for row in rows}
        reviews = item_reviews(db, [i for ids in agendas.values() for i in ids])
        return [UpcomingMeeting(row, sum(1 for i in agendas[row.id]
                                         if i in reviews and reviews[i].needs_governance))
                for row in rows]
    if who.person_id is None or not who.can("read_decisions"):
        return []
    committees = [row[0] for row in db.execute(
        "SELECT DISTINCT committee_id FROM committee_members WHERE person_id = ?",
        [who.person_id])]
    if not committees:
        return []
    nexts: dict[int, MeetingRow] = {}
    for row in meetings_list(db, upcoming=True, committee_ids=committees, today=day):
        nexts.setdefault(row.committee_id, row)
    shown = []
    for row in sorted(nexts.values(), key=lambda r: (r.meeting_date, r.starts_at or "")):
        meeting = load_meeting(db, row.id)
        leaving = invitation_lines(db, who, meeting, who.person_id)[1] if meeting else []
        shown.append(UpcomingMeeting(row, 0, tuple(leaving)))
    return shown


# ---- where each decision on the agenda stands with its conflicts ------------------------------

@dataclass(frozen=True)
class ItemReview:
    """Where a decision item stands with its conflicts: who is conflicted, the rulings made
    (person id to ruling), its status, and why the governance lead is still needed before the
    meeting (`reasons`, from `governance_reasons`)."""

    decision_id: int
    status: str
    flag_count: int
    conflicted: tuple[int, ...]
    rulings: dict[int, str]
    signed_off: bool
    reasons: tuple[str, ...] = ()

    @property
    def unruled(self) -> tuple[int, ...]:
        """The conflicted people not yet ruled on."""
        return tuple(p for p in self.conflicted if p not in self.rulings)

    @property
    def needs_governance(self) -> bool:
        """Whether the item needs the governance lead before the meeting (see `reasons`)."""
        return bool(self.reasons)


def governance_reasons(rec: record_model.DecisionRecord) -> tuple[str, ...]:
    """Why a decision needs the governance lead before its meeting, read from its record by the
    one rule (`rules.meetings.governance_reasons`): people not yet ruled on, possible conflicts
    to confirm or dismiss, not yet submitted, not yet signed off, inquorate with no plan."""
    quorum = rec.quorum
    inquorate = quorum is not None and quorum.quorate_after_rulings is False
    planned = rec.escalation is not None and bool(rec.escalation.words)
    return meeting_rules.governance_reasons(
        rec.status, [(person.name, person.ruling) for person in rec.conflicted],
        open_possible=[flag.sentence for flag in rec.flags
                       if flag.severity == "possible" and not flag.match_outcome],
        signed_off=rec.sign_off is not None and rec.sign_off.voided_at is None,
        inquorate_unplanned=inquorate and not planned)


def item_reviews(db: Database, decision_ids: list[int]) -> dict[int, ItemReview]:
    """For each decision, where it stands with its conflicts (see ItemReview), read from its
    record (the people its flags name, its rulings, its sign-off, its status)."""
    return {rec.id: ItemReview(
        decision_id=rec.id, status=rec.status, flag_count=rec.flag_count,
        conflicted=tuple(sorted({flag.person_id for flag in rec.flags
                                 if flag.person_id is not None})),
        rulings={ruling.person_id: ruling.ruling for ruling in rec.rulings},
        signed_off=rec.sign_off is not None and rec.sign_off.voided_at is None,
        reasons=governance_reasons(rec))
        for rec in record_model.load_records(db, decision_ids)} if decision_ids else {}
