"""The one writer of meetings, their agenda items and the declarations made for them.

It keeps the invariant: a decision's agenda item is in the meeting of the decision's committee
and meeting date. Recording or editing a decision calls `place_decision` in the same
transaction; moving a decision's item to another meeting changes the decision's meeting date
here, audited as an edit of the decision, and refreshes it through the lifecycle (flags go stale,
a sign-off on record is void, so the rulings are reviewed again). Every write is audited.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from .. import audit
from ..db import write_transaction
from ..decisions import lifecycle
from ..rules import meetings as rules
from ..rules.decisions import regime_for
from ..timeutil import long_date, utcnow_iso

SETTLED = ("decided", "published", "withdrawn")
MEETING_FIELDS = ("committee_id", "meeting_date", "starts_at", "ends_at", "place", "link",
                  "chair_person_id", "secretary_person_id")


class MeetingProblem(Exception):
    """A write refused; the message says why, in the user's words (`field` names the form
    field it belongs to, if any)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class StaleMeeting(MeetingProblem):
    """The meeting or item changed since the form was loaded."""

    def __init__(self) -> None:
        super().__init__("Someone else changed this meeting while you were working on it, so "
                         "nothing has been saved. Check it again.")


def _row(db: Database, sql: str, params: list[Any]) -> dict[str, Any] | None:
    return next(iter(db.query(sql, params)), None)


def slot_taken_message(db: Database, committee_id: int, meeting_date: str,
                       starts_at: str | None) -> str:
    """What the form says when the committee already meets on that date at that time."""
    name = db.execute("SELECT name FROM committees WHERE id = ?", [committee_id]).fetchone()
    when = long_date(meeting_date) + (f" at {starts_at}" if starts_at else " (no start time)")
    return (f"The {name[0] if name else 'committee'} already has a meeting on {when}: change the "
            "date or the start time, or edit that meeting")


def slot_taken(db: Database, committee_id: int, meeting_date: str, starts_at: str | None, *,
               other_than: int | None = None) -> bool:
    """Whether the committee already has a meeting on that date at that start time."""
    return db.execute(
        "SELECT 1 FROM meetings WHERE committee_id = ? AND meeting_date = ?"
        " AND coalesce(starts_at, '') = ? AND id IS NOT ?",
        [committee_id, meeting_date, starts_at or "", other_than]).fetchone() is not None


def _audited_meeting(db: Database, meeting_id: int) -> dict[str, Any]:
    row = _row(db, "SELECT * FROM meetings WHERE id = ?", [meeting_id]) or {}
    return {k: v for k, v in row.items() if k not in ("updated_at", "version")}


def _insert_meeting(db: Database, values: dict[str, Any], *, actor: str, now: str) -> int:
    row = {name: values.get(name) for name in MEETING_FIELDS}
    row["place"] = row["place"] or ""
    row["link"] = row["link"] or ""
    if isinstance(row["meeting_date"], dt.date):
        row["meeting_date"] = row["meeting_date"].isoformat()
    if slot_taken(db, row["committee_id"], row["meeting_date"], row["starts_at"]):
        raise MeetingProblem(slot_taken_message(db, row["committee_id"], row["meeting_date"],
                                                row["starts_at"]), "meeting_date")
    meeting_id = db["meetings"].insert(
        {**row, "created_at": now, "updated_at": now, "version": 1}).last_pk
    audit.record(db, actor=actor, action="create", entity="meeting", entity_id=meeting_id,
                 after=_audited_meeting(db, meeting_id))
    return meeting_id


def create_meeting(db: Database, values: dict[str, Any], *, actor: str,
                   now: str | None = None) -> int:
    """Create a committee's meeting by hand; raises MeetingProblem if the committee already
    meets on that date at that time."""
    with write_transaction(db):
        try:
            return _insert_meeting(db, values, actor=actor, now=now or utcnow_iso())
        except sqlite3.IntegrityError as error:  # a meeting made in between
            raise MeetingProblem(slot_taken_message(
                db, values["committee_id"], str(values["meeting_date"]), values["starts_at"]),
                "meeting_date") from error


def update_meeting(db: Database, meeting_id: int, version: int, values: dict[str, Any], *,
                   actor: str, now: str | None = None) -> None:
    """Save a meeting's details (its committee stays). Its date may change only while no
    decision is on its agenda: a decision's meeting date moves with its item (`move_item`)."""
    with write_transaction(db):
        before = _row(db, "SELECT * FROM meetings WHERE id = ?", [meeting_id])
        if before is None or before["version"] != version:
            raise StaleMeeting()
        day = values["meeting_date"]
        day = day.isoformat() if isinstance(day, dt.date) else day
        if day != before["meeting_date"] and db.execute(
                "SELECT 1 FROM agenda_items WHERE meeting_id = ? AND decision_id IS NOT NULL",
                [meeting_id]).fetchone():
            raise MeetingProblem(
                "The date of a meeting with decisions on its agenda cannot change here: move "
                "each decision's item to a meeting on the new date (its rulings are then "
                "reviewed again)", "meeting_date")
        if slot_taken(db, before["committee_id"], day, values["starts_at"],
                      other_than=meeting_id):
            raise MeetingProblem(slot_taken_message(db, before["committee_id"], day,
                                                    values["starts_at"]), "meeting_date")
        old = _audited_meeting(db, meeting_id)
        db.execute(
            "UPDATE meetings SET meeting_date = :meeting_date, starts_at = :starts_at,"
            " ends_at = :ends_at, place = :place, link = :link,"
            " chair_person_id = :chair_person_id, secretary_person_id = :secretary_person_id,"
            " updated_at = :now, version = version + 1 WHERE id = :id AND version = :version",
            {"meeting_date": day, "starts_at": values["starts_at"], "ends_at": values["ends_at"],
             "place": values.get("place") or "", "link": values.get("link") or "",
             "chair_person_id": values.get("chair_person_id"),
             "secretary_person_id": values.get("secretary_person_id"),
             "now": now or utcnow_iso(),
             "id": meeting_id, "version": version})
        audit.record(db, actor=actor, action="update", entity="meeting", entity_id=meeting_id,
                     changes=audit.diff(old, _audited_meeting(db, meeting_id)))


# ---- agenda items --------------------------------------------------------------------------

def _next_position(db: Database, meeting_id: int) -> int:
    return db.execute("SELECT coalesce(max(position), 0) + 1 FROM agenda_items"
                      " WHERE meeting_id = ?", [meeting_id]).fetchone()[0]


def _renumber(db: Database, meeting_id: int) -> None:
    """Close the gaps in a meeting's positions (1, 2, 3 ...), keeping the order."""
    ids = [row[0] for row in db.execute(
        "SELECT id FROM agenda_items WHERE meeting_id = ? ORDER BY position, id", [meeting_id])]
    for position, item_id in enumerate(ids, start=1):
        db.execute("UPDATE agenda_items SET position = ? WHERE id = ? AND position != ?",
                   [position, item_id, position])


def _meeting_on(db: Database, committee_id: int, meeting_date: str) -> int | None:
    """The committee's (earliest) meeting on a date, or None."""
    row = db.execute("SELECT id FROM meetings WHERE committee_id = ? AND meeting_date = ?"
                     " ORDER BY coalesce(starts_at, ''), id LIMIT 1",
                     [committee_id, meeting_date]).fetchone()
    return row[0] if row else None


def _put_item(db: Database, item: dict[str, Any], meeting_id: int, *, actor: str,
              now: str) -> None:
    """Move an item to the end of another meeting's agenda, closing the gap it leaves."""
    old_meeting = item["meeting_id"]
    position = _next_position(db, meeting_id)
    db.execute("UPDATE agenda_items SET meeting_id = ?, position = ?, updated_at = ?,"
               " version = version + 1 WHERE id = ?", [meeting_id, position, now, item["id"]])
    _renumber(db, old_meeting)
    audit.record(db, actor=actor, action="move", entity="agenda_item", entity_id=item["id"],
                 changes={"meeting_id": [old_meeting, meeting_id],
                          "position": [item["position"], position]})


def place_decision(db: Database, decision_id: int, *, now: str, actor: str = "system",
                   starts_at: str | None = None, place: str = "") -> int:
    """Put a decision on the agenda of its committee's meeting on its meeting date (creating
    the meeting if there is none, with `starts_at` and `place` if given; an existing meeting is
    never changed), or move its item there if its committee or date changed; keeps the item's
    title the decision's. Call in the transaction that recorded or edited the decision. Returns
    the item's id."""
    with write_transaction(db):
        decision = _row(db, "SELECT id, title, committee_id, meeting_date FROM decisions"
                            " WHERE id = ?", [decision_id])
        if decision is None:
            raise ValueError(f"No decision {decision_id}")
        item = _row(db, "SELECT agenda_items.*, meetings.committee_id, meetings.meeting_date"
                        " FROM agenda_items JOIN meetings ON meetings.id = agenda_items.meeting_id"
                        " WHERE agenda_items.decision_id = ?", [decision_id])
        if item is not None and item["committee_id"] == decision["committee_id"] \
                and item["meeting_date"] == decision["meeting_date"]:
            if item["title"] != decision["title"]:
                db.execute("UPDATE agenda_items SET title = ?, updated_at = ?,"
                           " version = version + 1 WHERE id = ?",
                           [decision["title"], now, item["id"]])
                audit.record(db, actor=actor, action="update", entity="agenda_item",
                             entity_id=item["id"],
                             changes={"title": [item["title"], decision["title"]]})
            return item["id"]
        meeting_id = _meeting_on(db, decision["committee_id"], decision["meeting_date"])
        if meeting_id is None:
            meeting_id = _insert_meeting(db, {"committee_id": decision["committee_id"],
                                              "meeting_date": decision["meeting_date"],
                                              "starts_at": starts_at, "ends_at": None,
                                              "place": place},
                                         actor=actor, now=now)
        if item is not None:
            _put_item(db, item, meeting_id, actor=actor, now=now)
            if item["title"] != decision["title"]:
                db.execute("UPDATE agenda_items SET title = ? WHERE id = ?",
                           [decision["title"], item["id"]])
            return item["id"]
        row = {"meeting_id": meeting_id, "position": _next_position(db, meeting_id),
               "title": decision["title"], "decision_id": decision_id, "created_at": now,
               "updated_at": now, "version": 1}
        item_id = db["agenda_items"].insert(row).last_pk
        audit.record(db, actor=actor, action="create", entity="agenda_item", entity_id=item_id,
                     after={k: v for k, v in row.items() if k not in ("updated_at", "version")})
        return item_id


def remove_decision(db: Database, decision_id: int, *, actor: str) -> None:
    """Take a decision that is being deleted (a draft nobody wants) off its meeting's agenda,
    with the declarations recorded for it."""
    with write_transaction(db):
        item = _row(db, "SELECT * FROM agenda_items WHERE decision_id = ?", [decision_id])
        if item is None:
            return
        db.execute("DELETE FROM item_declarations WHERE agenda_item_id = ?", [item["id"]])
        db.execute("DELETE FROM agenda_items WHERE id = ?", [item["id"]])
        _renumber(db, item["meeting_id"])
        audit.record(db, actor=actor, action="remove", entity="agenda_item", entity_id=item["id"],
                     changes={"deleted": {k: item[k] for k in ("meeting_id", "position", "title",
                                                               "decision_id")}})


def add_item(db: Database, meeting_id: int, title: str, *, actor: str,
             now: str | None = None) -> int:
    """Add an item that is not a decision (its title only) at the end of a meeting's agenda."""
    title = title.strip()
    if not title:
        raise MeetingProblem("Enter the title of the item", "title")
    now = now or utcnow_iso()
    with write_transaction(db):
        if not db.execute("SELECT 1 FROM meetings WHERE id = ?", [meeting_id]).fetchone():
            raise MeetingProblem("This meeting no longer exists")
        row = {"meeting_id": meeting_id, "position": _next_position(db, meeting_id),
               "title": title, "decision_id": None, "created_at": now, "updated_at": now,
               "version": 1}
        item_id = db["agenda_items"].insert(row).last_pk
        audit.record(db, actor=actor, action="create", entity="agenda_item", entity_id=item_id,
                     after={k: v for k, v in row.items() if k not in ("updated_at", "version")})
        return item_id


def reorder_item(db: Database, item_id: int, direction: str, *, actor: str,
                 version: int | None = None, now: str | None = None) -> bool:
    """Move an item one place up or down its meeting's agenda; False if it is already first
    (up) or last (down)."""
    with write_transaction(db):
        item = _row(db, "SELECT * FROM agenda_items WHERE id = ?", [item_id])
        if item is None or (version is not None and item["version"] != version):
            raise StaleMeeting()
        _renumber(db, item["meeting_id"])
        order = [row[0] for row in db.execute(
            "SELECT id FROM agenda_items WHERE meeting_id = ? ORDER BY position, id",
            [item["meeting_id"]])]
        swap = rules.swapped_positions(order, order.index(item_id), direction)
        if swap is None:
            return False
        here, there = swap
        other = order[there]
        now = now or utcnow_iso()
        db.execute("UPDATE agenda_items SET position = ?, updated_at = ?, version = version + 1"
                   " WHERE id = ?", [there + 1, now, item_id])
        db.execute("UPDATE agenda_items SET position = ?, updated_at = ?, version = version + 1"
                   " WHERE id = ?", [here + 1, now, other])
        audit.record(db, actor=actor, action="reorder", entity="agenda_item", entity_id=item_id,
                     changes={"position": [here + 1, there + 1]})
        return True


def move_problem(db: Database, item_id: int, meeting_id: int) -> str | None:
    """Why an item cannot move to that meeting, or None."""
    item = _row(db, "SELECT agenda_items.*, meetings.committee_id FROM agenda_items"
                    " JOIN meetings ON meetings.id = agenda_items.meeting_id"
                    " WHERE agenda_items.id = ?", [item_id])
    target = _row(db, "SELECT * FROM meetings WHERE id = ?", [meeting_id])
    if item is None or target is None:
        return "Choose a meeting of the same committee"
    if target["committee_id"] != item["committee_id"]:
        return "An item can move only to another meeting of the same committee"
    if target["id"] == item["meeting_id"]:
        return "The item is already on this meeting's agenda: choose another meeting"
    if item["decision_id"] is None:
        return None
    decision = _row(db, "SELECT status, regime, meeting_date FROM decisions WHERE id = ?",
                    [item["decision_id"]])
    if decision["status"] in SETTLED:
        return ("This decision has been decided, published or withdrawn at its meeting, so "
                "its item cannot move")
    new_day = dt.date.fromisoformat(target["meeting_date"])
    if decision["regime"] and regime_for(new_day) != decision["regime"]:
        return ("A decision on that date falls under a different procurement regime: edit the "
                "decision's meeting date and regime together instead")
    return None


def move_item(db: Database, item_id: int, meeting_id: int, *, actor: str) -> list[str]:
    """Move an item to another meeting of the same committee. A decision's meeting date changes
    with it (audited as an edit of the decision) and the lifecycle refreshes the decision: its
    flags are worked out again for the new date and a sign-off on record is void, so its
    rulings are reviewed again. Returns the reasons of the decision's moves, if any."""
    with write_transaction(db):
        if problem := move_problem(db, item_id, meeting_id):
            raise MeetingProblem(problem, "meeting_id")
        item = _row(db, "SELECT * FROM agenda_items WHERE id = ?", [item_id])
        target = _row(db, "SELECT * FROM meetings WHERE id = ?", [meeting_id])
        now = utcnow_iso()
        _put_item(db, item, meeting_id, actor=actor, now=now)
        if item["decision_id"] is None:
            return []
        decision_id = item["decision_id"]
        before = _row(db, "SELECT meeting_date, version FROM decisions WHERE id = ?",
                      [decision_id])
        if before["meeting_date"] == target["meeting_date"]:
            return []
        db.execute("UPDATE decisions SET meeting_date = ?, updated_at = ?, version = version + 1"
                   " WHERE id = ? AND version = ?",
                   [target["meeting_date"], now, decision_id, before["version"]])
        audit.record(db, actor=actor, action="update", entity="decision", entity_id=decision_id,
                     changes={"meeting_date": [before["meeting_date"], target["meeting_date"]],
                              "moved_to_meeting": meeting_id})
        return lifecycle.refresh(db, [decision_id], actor=actor)


# ---- the declarations item -----------------------------------------------------------------

def record_declarations(db: Database, item_id: int, entries: Iterable[dict[str, Any]], *,
                        user_id: int | None, actor: str, version: int | None = None,
                        now: str | None = None) -> None:
    """Record, for one agenda item, who declared what and who left the room when (replacing
    what was recorded before). Each entry: person_id, declared, interest_id, words, left_at,
    returned_at; an entry with nothing declared and no departure is not kept."""
    with write_transaction(db):
        item = _row(db, "SELECT * FROM agenda_items WHERE id = ?", [item_id])
        if item is None or (version is not None and item["version"] != version):
            raise StaleMeeting()
        old = [dict(row) for row in db.query(
            "SELECT person_id, declared, interest_id, words, left_at, returned_at"
            " FROM item_declarations WHERE agenda_item_id = ? ORDER BY person_id", [item_id])]
        db.execute("DELETE FROM item_declarations WHERE agenda_item_id = ?", [item_id])
        now = now or utcnow_iso()
        kept = []
        for entry in entries:
            row = {"person_id": entry["person_id"], "declared": int(bool(entry["declared"])),
                   "interest_id": entry.get("interest_id"),
                   "words": (entry.get("words") or "").strip(),
                   "left_at": entry.get("left_at"), "returned_at": entry.get("returned_at")}
            if not (row["declared"] or row["left_at"]):
                continue
            db["item_declarations"].insert({"agenda_item_id": item_id, **row,
                                            "recorded_by_user_id": user_id,
                                            "recorded_at": now})
            kept.append(row)
        kept.sort(key=lambda r: r["person_id"])
        db.execute("UPDATE agenda_items SET updated_at = ?, version = version + 1 WHERE id = ?",
                   [now, item_id])
        audit.record(db, actor=actor, action="record_declarations", entity="agenda_item",
                     entity_id=item_id, changes={"declarations": [old, kept]})
