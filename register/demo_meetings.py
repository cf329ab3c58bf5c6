"""The demo consortium's meetings: times and places for the meetings its decisions made, the
items that are not decisions, a meeting made by hand, the declarations item of the latest past
meeting with an outcome, and an upcoming meeting whose chair is conflicted on an item. Written
through the meetings' one writer (`meetings/store.py`), on the clock passed in."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlite_utils import Database

from .meetings import queries, store

ACTOR = "demo"

# When and where each committee meets: start, end, place, video call link.
SETTINGS = {
    "Governing Body": ("10:00", "12:30", "Board room, Northvale House, 1 Quay Street",
                       "https://video.example.nhs.uk/northvale-governing-body"),
    "Primary Care Committee": ("14:00", "16:00", "Committee room 2, Northvale House",
                               "https://video.example.nhs.uk/northvale-primary-care"),
}
MINUTES = "Minutes of the last meeting"
APOLOGIES = "Apologies and declarations of interest"
OTHER_BUSINESS = "Any other business"


def _earlier(time: str, minutes: int) -> str:
    moment = dt.datetime.combine(dt.date(2000, 1, 1), dt.time.fromisoformat(time))
    return (moment - dt.timedelta(minutes=minutes)).strftime("%H:%M")


def load_meetings(db: Database, today: dt.date, *, now: str, counts: dict[str, int]) -> None:
    """Give the demo's meetings their details and items, relative to `today`; `now` (a stored
    UTC timestamp) stamps what is written. Call once, at the end of the demo load."""
    stamp = now
    settings = {row["id"]: SETTINGS.get(row["name"]) for row in db.query(
        "SELECT id, name FROM committees")}
    meetings = [queries.load_meeting(db, row[0]) for row in db.execute(
        "SELECT id FROM meetings ORDER BY meeting_date, id")]
    past_with_outcome = _latest_past_with_outcome(db, meetings, today)
    for meeting in meetings:
        if meeting is None or settings.get(meeting.committee_id) is None:
            continue
        starts, ends, place, link = settings[meeting.committee_id]
        if meeting is past_with_outcome:
            starts = min([starts, *(_earlier(t, 20) for t in _departures(db, meeting))])
        store.update_meeting(db, meeting.id, meeting.version, {
            "meeting_date": meeting.meeting_date, "starts_at": starts, "ends_at": ends,
            "place": place, "link": link if meeting.meeting_date >= today else "",
            "chair_person_id": None, "secretary_person_id": _secretary(db)},
            actor=ACTOR, now=stamp)
        counts["meetings"] = counts.get("meetings", 0) + 1
    upcoming = [m for m in meetings if m is not None and m.meeting_date >= today]
    dressed = upcoming[:4] + ([past_with_outcome] if past_with_outcome else [])
    for meeting in dressed:
        _frame_agenda(db, meeting.id, stamp)
    if past_with_outcome is not None:
        _record_declarations(db, queries.load_meeting(db, past_with_outcome.id), stamp)
    _conflicted_chair(db, upcoming, stamp)
    # A meeting made by hand, after the last one the decisions made, with no decision yet.
    last = max((m.meeting_date for m in meetings if m is not None), default=today)
    committee = next(iter(SETTINGS))
    committee_id = db.execute("SELECT id FROM committees WHERE name = ?",
                              [committee]).fetchone()
    if committee_id is not None:
        starts, ends, place, link = SETTINGS[committee]
        day = last + dt.timedelta(days=28)
        meeting_id = store.create_meeting(db, {
            "committee_id": committee_id[0], "meeting_date": day, "starts_at": starts,
            "ends_at": ends, "place": place, "link": link, "chair_person_id": None,
            "secretary_person_id": _secretary(db)}, actor=ACTOR, now=stamp)
        for title in (APOLOGIES, MINUTES, "Chief officer's report", OTHER_BUSINESS):
            store.add_item(db, meeting_id, title, actor=ACTOR, now=stamp)
        counts["meetings"] = counts.get("meetings", 0) + 1


def _secretary(db: Database) -> int | None:
    row = db.execute("SELECT person_id FROM users WHERE role = 'secretary'"
                     " AND person_id IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    return row[0] if row else None


def _departures(db: Database, meeting: queries.Meeting) -> list[str]:
    ids = meeting.decision_ids
    if not ids:
        return []
    return [row[0] for row in db.execute(
        "SELECT left_at FROM outcome_attendance WHERE left_at IS NOT NULL AND decision_id IN"
        " (SELECT value FROM json_each(?))", ["[" + ",".join(map(str, ids)) + "]"])]


def _latest_past_with_outcome(db: Database, meetings: list[queries.Meeting | None],
                              today: dt.date) -> queries.Meeting | None:
    """The latest past meeting with an outcome recorded, one with a departure if there is."""
    with_outcome = [m for m in meetings if m is not None and m.meeting_date < today
                    and any(db.execute("SELECT 1 FROM decision_outcomes WHERE decision_id = ?",
                                       [i]).fetchone() for i in m.decision_ids)]
    with_departure = [m for m in with_outcome if _departures(db, m)]
    chosen = (with_departure or with_outcome)
    return chosen[-1] if chosen else None


def _frame_agenda(db: Database, meeting_id: int, stamp: str) -> None:
    """Apologies and declarations, and the minutes, before the decisions; any other business
    after them."""
    first = store.add_item(db, meeting_id, APOLOGIES, actor=ACTOR, now=stamp)
    minutes = store.add_item(db, meeting_id, MINUTES, actor=ACTOR, now=stamp)
    for item_id in (minutes, first):  # up to the top, the apologies first
        while store.reorder_item(db, item_id, "up", actor=ACTOR, now=stamp):
            pass
    store.add_item(db, meeting_id, OTHER_BUSINESS, actor=ACTOR, now=stamp)


def _record_declarations(db: Database, meeting: queries.Meeting | None, stamp: str) -> None:
    """The declarations item as the secretary recorded it: each person the register found
    conflicted declared the interest found, and left when the outcome says they left."""
    if meeting is None:
        return
    secretary = db.execute("SELECT id FROM users WHERE role = 'secretary' ORDER BY id LIMIT 1"
                           ).fetchone()
    for item in meeting.items:
        if item.decision_id is None:
            continue
        entries: dict[int, dict[str, Any]] = {}
        for flag in db.query("SELECT person_id, organisation_id, sentence FROM decision_flags"
                             " WHERE decision_id = ? AND person_id IS NOT NULL ORDER BY position",
                             [item.decision_id]):
            if flag["person_id"] in entries:
                continue
            interest = db.execute(
                "SELECT id FROM interests WHERE person_id = ? AND organisation_id IS ?"
                " AND withdrawn = 0 ORDER BY id LIMIT 1",
                [flag["person_id"], flag["organisation_id"]]).fetchone()
            entries[flag["person_id"]] = {
                "person_id": flag["person_id"], "declared": True,
                "interest_id": interest[0] if interest else None,
                "words": flag["sentence"], "left_at": None, "returned_at": None}
        for row in db.query("SELECT person_id, left_at, returned_at FROM outcome_attendance"
                            " WHERE decision_id = ? AND left_at IS NOT NULL", [item.decision_id]):
            entry = entries.setdefault(row["person_id"], {
                "person_id": row["person_id"], "declared": False, "interest_id": None,
                "words": ""})
            entry.update(left_at=row["left_at"], returned_at=row["returned_at"])
        if entries:
            store.record_declarations(db, item.id, list(entries.values()),
                                      user_id=secretary[0] if secretary else None,
                                      actor=ACTOR, now=stamp)


def _conflicted_chair(db: Database, upcoming: list[queries.Meeting], stamp: str) -> None:
    """Make sure an upcoming meeting's chair is conflicted on one of its items, so its briefing
    says who takes the chair: if the decisions give none, the first upcoming meeting with a
    conflicted member is chaired by that member (the committee's chair sending apologies)."""
    for meeting in upcoming:
        reviews = queries.item_reviews(db, meeting.decision_ids)
        if any(meeting.chair_person_id in review.conflicted for review in reviews.values()):
            return
    for meeting in upcoming:
        reviews = queries.item_reviews(db, meeting.decision_ids)
        members = {row[0] for row in db.execute(
            "SELECT person_id FROM committee_members WHERE committee_id = ? AND voting = 1",
            [meeting.committee_id])}
        for review in reviews.values():
            conflicted = [p for p in review.conflicted if p in members]
            if conflicted:
                fresh = queries.load_meeting(db, meeting.id)
                stored = db["meetings"].get(meeting.id)
                store.update_meeting(db, meeting.id, fresh.version, {
                    "meeting_date": fresh.meeting_date, "starts_at": stored["starts_at"],
                    "ends_at": stored["ends_at"], "place": stored["place"],
                    "link": stored["link"], "chair_person_id": conflicted[0],
                    "secretary_person_id": stored["secretary_person_id"]},
                    actor=ACTOR, now=stamp)
                return
