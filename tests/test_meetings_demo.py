"""The demo's meetings: past and future, with times and places, items that are not decisions,
the declarations item of a past meeting, and an upcoming meeting whose chair is conflicted."""
from __future__ import annotations

import datetime as dt

import pytest

from register.db import connect, migrate
from register.demo import load_demo
from register.meetings import queries

TODAY = dt.date(2026, 3, 15)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    handle = connect(str(tmp_path_factory.mktemp("demo-meetings") / "register.sqlite3"))
    migrate(handle)
    load_demo(handle, today=TODAY)
    yield handle
    handle.close()


def test_every_decision_is_the_item_of_its_committees_meeting_on_its_date(db):
    rows = list(db.query(
        "SELECT decisions.id, decisions.committee_id, decisions.meeting_date,"
        " meetings.committee_id AS meeting_committee, meetings.meeting_date AS meeting_day"
        " FROM decisions LEFT JOIN agenda_items ON agenda_items.decision_id = decisions.id"
        " LEFT JOIN meetings ON meetings.id = agenda_items.meeting_id"))
    assert rows
    for row in rows:
        assert (row["meeting_committee"], row["meeting_day"]) == (
            row["committee_id"], row["meeting_date"]), row


def test_the_demo_has_past_and_future_meetings_with_times_places_and_other_items(db):
    past = queries.meetings_list(db, upcoming=False, today=TODAY)
    future = queries.meetings_list(db, upcoming=True, today=TODAY)
    assert len(past) >= 5 and len(future) >= 3
    assert all(m.starts_at and m.ends_at and m.place for m in past + future)
    titles = [i.title for m in future for i in queries.load_meeting(db, m.id).items]
    assert "Minutes of the last meeting" in titles and "Any other business" in titles
    dressed = queries.load_meeting(db, future[0].id)
    assert dressed.items[0].title == "Apologies and declarations of interest"
    assert dressed.items[-1].title == "Any other business"
    assert [i.position for i in dressed.items] == list(range(1, len(dressed.items) + 1))
    by_hand = [m for m in future if m.decision_count == 0 and m.item_count]
    assert by_hand


def test_a_past_meeting_has_its_declarations_item_recorded(db):
    declared = [(m, i) for m in queries.meetings_list(db, upcoming=False, today=TODAY)
                for i in queries.load_meeting(db, m.id).items if i.declarations]
    assert declared
    meeting, item = declared[0]
    assert any(d.declared and d.interest_id for d in item.declarations)
    # Departures agree with the outcome of the item.
    for d in item.declarations:
        outcome = db.execute("SELECT left_at, returned_at FROM outcome_attendance"
                             " WHERE decision_id = ? AND person_id = ?",
                             [item.decision_id, d.person_id]).fetchone()
        if outcome and outcome[0]:
            assert (d.left_at, d.returned_at) == tuple(outcome)
        if d.left_at:
            assert meeting.starts_at <= d.left_at


def test_an_upcoming_meeting_has_a_chair_conflicted_on_an_item(db):
    found = []
    for row in queries.meetings_list(db, upcoming=True, today=TODAY):
        meeting = queries.load_meeting(db, row.id)
        reviews = queries.item_reviews(db, meeting.decision_ids)
        found += [(meeting, review) for review in reviews.values()
                  if meeting.chair_person_id in review.conflicted]
    assert found
    meeting, _review = found[0]
    assert meeting.chair_name
