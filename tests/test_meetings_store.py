"""Meetings as records: the migration's backfill, and the one writer that keeps each decision's
agenda item in the meeting of its committee and meeting date."""
from __future__ import annotations

import pytest

from register import create_app
from register.db import connect, migrate
from register.decisions import queries as decision_queries
from register.meetings import queries, store
from register.timeutil import utcnow_iso
from tests.conftest import add_committee, add_decision, add_member, add_person, count

NOW = "2026-03-01T09:00:00+00:00"


def _items(db, meeting_id):
    return [(r["position"], r["title"], r["decision_id"]) for r in db.query(
        "SELECT * FROM agenda_items WHERE meeting_id = ? ORDER BY position", [meeting_id])]


def test_migration_gives_one_meeting_per_committee_and_date_and_one_item_per_decision(tmp_path):
    from register.migrations import migrations

    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "DATABASE": str(tmp_path / "old.sqlite3")})
    db = connect(app.config["DATABASE"], foreign_keys=False)
    migrations.apply(db, stop_before="m034_meetings")
    pcc = add_committee(db, "Primary Care Committee")
    board = add_committee(db, "Governing Body")
    now = utcnow_iso()

    def decision(reference, title, committee, day):
        return db["decisions"].insert({
            "reference": reference, "title": title, "committee_id": committee,
            "meeting_date": day, "status": "draft", "created_at": now, "updated_at": now,
            "version": 1}).last_pk

    second = decision("MOB-2025-0002", "Wound care", pcc, "2025-05-01")
    first = decision("MOB-2025-0001", "Anticoagulation", pcc, "2025-05-01")
    other_day = decision("MOB-2025-0003", "Phlebotomy", pcc, "2025-06-05")
    board_item = decision("MOB-2025-0004", "Community beds", board, "2025-05-01")
    migrate(db)
    meetings = [(r["committee_id"], r["meeting_date"]) for r in db.query(
        "SELECT * FROM meetings ORDER BY meeting_date, committee_id")]
    assert sorted(meetings) == sorted([(pcc, "2025-05-01"), (board, "2025-05-01"),
                                       (pcc, "2025-06-05")])
    pcc_may = db.execute("SELECT id FROM meetings WHERE committee_id = ? AND meeting_date = ?",
                         [pcc, "2025-05-01"]).fetchone()[0]
    # Position by reference order, title the decision's.
    assert _items(db, pcc_may) == [(1, "Anticoagulation", first), (2, "Wound care", second)]
    assert count(db, "agenda_items") == 4
    assert {r[0] for r in db.execute("SELECT decision_id FROM agenda_items")} == \
        {first, second, other_day, board_item}
    # The new meeting has no time set: the slot index still refuses a second one.
    with pytest.raises(Exception, match="UNIQUE"):
        db["meetings"].insert({"committee_id": pcc, "meeting_date": "2025-05-01",
                               "created_at": now, "updated_at": now})
    db.close()


def test_place_decision_creates_the_meeting_once_and_appends_in_order(db):
    committee = add_committee(db)
    one = add_decision(db, committee, title="Anticoagulation", meeting_date="2026-03-10")
    two = add_decision(db, committee, title="Wound care", meeting_date="2026-03-10")
    meeting = queries.meeting_for_decision(db, one)
    assert meeting is not None and meeting == queries.meeting_for_decision(db, two)
    assert [(i.position, i.title, i.decision_id) for i in meeting.items] == [
        (1, "Anticoagulation", one), (2, "Wound care", two)]
    assert count(db, "meetings") == 1
    # Placing again changes nothing.
    assert store.place_decision(db, one, now=NOW) == meeting.items[0].id
    assert count(db, "agenda_items") == 2


def test_place_decision_moves_the_item_when_the_date_changes_and_follows_the_title(db):
    committee = add_committee(db)
    one = add_decision(db, committee, title="Anticoagulation", meeting_date="2026-03-10")
    two = add_decision(db, committee, title="Wound care", meeting_date="2026-03-10")
    db.execute("UPDATE decisions SET meeting_date = '2026-04-14', title = 'Anticoag' WHERE id = ?",
               [one])
    store.place_decision(db, one, now=NOW)
    march = queries.meeting_for_decision(db, two)
    april = queries.meeting_for_decision(db, one)
    assert april.meeting_date.isoformat() == "2026-04-14"
    assert [(i.position, i.title) for i in april.items] == [(1, "Anticoag")]
    # The gap it left is closed.
    assert [(i.position, i.title) for i in march.items] == [(1, "Wound care")]
    events = [r["action"] for r in db.query(
        "SELECT action FROM audit_events WHERE entity = 'agenda_item' ORDER BY seq")]
    assert "move" in events


def test_place_decision_uses_a_meeting_made_by_hand_on_that_date(db):
    committee = add_committee(db)
    meeting_id = store.create_meeting(db, {
        "committee_id": committee, "meeting_date": "2026-05-12", "starts_at": "10:00",
        "ends_at": "12:00", "place": "Room 1", "link": "", "chair_person_id": None,
        "secretary_person_id": None}, actor="test")
    store.add_item(db, meeting_id, "Minutes of the last meeting", actor="test")
    decision = add_decision(db, committee, meeting_date="2026-05-12")
    meeting = queries.load_meeting(db, meeting_id)
    assert [(i.position, i.decision_id) for i in meeting.items] == [(1, None), (2, decision)]
    assert meeting.starts_at == "10:00" and meeting.place == "Room 1"


def test_the_decision_form_path_places_and_moves_and_delete_takes_it_off(db):
    committee = add_committee(db)
    user = add_person(db, "Sam Secretary")
    from tests.conftest import add_user
    user_id = add_user(db, role="secretary", person_id=user)
    import datetime as dt
    reference = decision_queries.create_draft(
        db, title="Diabetes clinic", committee_id=committee, meeting_date=dt.date(2026, 6, 2),
        user_id=user_id, actor="sam")
    decision = decision_queries.get_decision(db, reference)
    meeting = queries.meeting_for_decision(db, decision["id"])
    assert meeting.meeting_date == dt.date(2026, 6, 2)
    assert [i.title for i in meeting.items] == ["Diabetes clinic"]
    values = {name: decision[name] for name in decision_queries.FIELDS}
    values["meeting_date"] = "2026-07-07"
    assert decision_queries.save_decision(db, decision["id"], decision["version"], values,
                                          {}, "sam")
    moved = queries.meeting_for_decision(db, decision["id"])
    assert moved.meeting_date == dt.date(2026, 7, 7)
    assert queries.load_meeting(db, meeting.id).items == ()
    decision = decision_queries.get_decision(db, reference)
    decision_queries.delete_draft(db, decision["id"], decision["version"], user_id=user_id,
                                  actor="sam")
    assert count(db, "agenda_items") == 0


def test_load_meeting_falls_back_to_the_committee_chair_and_lists_expected_people(db):
    committee = add_committee(db)
    chair = add_person(db, "Carol Chair")
    member = add_person(db, "Dr Ben Okafor")
    evaluator = add_person(db, "Eve Evaluator")
    add_member(db, committee, member)
    add_member(db, committee, chair, role="chair", category="lay")
    decision = add_decision(db, committee, participants=((member, "voting"),
                                                         (evaluator, "evaluator")))
    meeting = queries.meeting_for_decision(db, decision)
    assert (meeting.chair_person_id, meeting.chair_name, meeting.chair_chosen) == \
        (chair, "Carol Chair", False)
    assert queries.expected_people(db, meeting) == [
        (chair, "Carol Chair", "Chair of the meeting"), (member, "Dr Ben Okafor", "Member"),
        (evaluator, "Eve Evaluator", "Evaluator")]


def test_a_second_meeting_at_the_same_time_is_refused_and_nothing_is_written(db):
    committee = add_committee(db)
    values = {"committee_id": committee, "meeting_date": "2026-05-12", "starts_at": "10:00",
              "ends_at": None, "place": "", "link": "", "chair_person_id": None,
              "secretary_person_id": None}
    store.create_meeting(db, values, actor="test")
    before = count(db, "audit_events")
    with pytest.raises(store.MeetingProblem, match="already has a meeting on 12 May 2026 at 10:00"):
        store.create_meeting(db, values, actor="test")
    assert count(db, "meetings") == 1 and count(db, "audit_events") == before
    # Another time the same day is a different meeting.
    store.create_meeting(db, {**values, "starts_at": "14:00"}, actor="test")
    assert count(db, "meetings") == 2


def test_reorder_moves_one_place_and_stops_at_the_ends(db):
    committee = add_committee(db)
    meeting_id = store.create_meeting(db, {
        "committee_id": committee, "meeting_date": "2026-05-12", "starts_at": None,
        "ends_at": None}, actor="test")
    a = store.add_item(db, meeting_id, "Apologies", actor="test")
    b = store.add_item(db, meeting_id, "Minutes", actor="test")
    c = store.add_item(db, meeting_id, "Any other business", actor="test")
    assert store.reorder_item(db, c, "up", actor="test")
    assert [i.id for i in queries.load_meeting(db, meeting_id).items] == [a, c, b]
    assert not store.reorder_item(db, a, "up", actor="test")
    assert store.reorder_item(db, a, "down", actor="test")
    assert [(i.position, i.id) for i in queries.load_meeting(db, meeting_id).items] == [
        (1, c), (2, a), (3, b)]
    with pytest.raises(store.MeetingProblem, match="Enter the title"):
        store.add_item(db, meeting_id, "   ", actor="test")


def test_the_decisions_import_puts_each_decision_on_its_meeting_in_file_order(db):
    from tests.test_decisions_import import base, csv_text, row, run

    base(db)
    plan = run(db, csv_text(row(title="Wound care"), row(title="Phlebotomy"),
                            row(title="Spirometry", meeting_date="2026-04-14")))
    assert plan.ok, plan.problems
    march = queries.meeting_for_decision(db, db.execute(
        "SELECT id FROM decisions WHERE title = 'Wound care'").fetchone()[0])
    assert [(i.position, i.title) for i in march.items] == [(1, "Wound care"), (2, "Phlebotomy")]
    april = queries.meeting_for_decision(db, db.execute(
        "SELECT id FROM decisions WHERE title = 'Spirometry'").fetchone()[0])
    assert april.meeting_date.isoformat() == "2026-04-14" and len(april.items) == 1
    # A dry run writes no meeting.
    before = count(db, "meetings")
    run(db, csv_text(row(title="Diabetes", meeting_date="2026-05-12")), dry_run=True)
    assert count(db, "meetings") == before


def _meeting(db, committee, day, starts="10:00"):
    return store.create_meeting(db, {"committee_id": committee, "meeting_date": day,
                                     "starts_at": starts, "ends_at": None}, actor="test")


def test_an_item_that_is_not_a_decision_moves_without_touching_any_decision(db):
    committee = add_committee(db)
    first = _meeting(db, committee, "2026-05-12")
    second = _meeting(db, committee, "2026-06-09")
    item = store.add_item(db, first, "Any other business", actor="test")
    assert store.move_item(db, item, second, actor="test") == []
    assert [i.title for i in queries.load_meeting(db, second).items] == ["Any other business"]
    assert queries.load_meeting(db, first).items == ()


@pytest.mark.parametrize("status, day, message", [
    ("decided", "2026-06-09", "has been decided, published or withdrawn"),
    ("draft", "2023-12-07", "falls under a different procurement regime"),
])
def test_a_move_that_cannot_be_right_is_refused_and_writes_nothing(db, status, day, message):
    committee = add_committee(db)
    decision = add_decision(db, committee, meeting_date="2026-05-12", status=status)
    target = _meeting(db, committee, day)
    item = queries.meeting_for_decision(db, decision).items[0]
    before = count(db, "audit_events")
    with pytest.raises(store.MeetingProblem, match=message):
        store.move_item(db, item.id, target, actor="test")
    assert count(db, "audit_events") == before
    assert queries.meeting_for_decision(db, decision).meeting_date.isoformat() == "2026-05-12"


def test_a_second_meeting_the_same_day_keeps_an_item_moved_to_it(db):
    committee = add_committee(db)
    decision = add_decision(db, committee, meeting_date="2026-05-12")
    morning = queries.meeting_for_decision(db, decision).id
    afternoon = _meeting(db, committee, "2026-05-12", starts="14:00")
    item = queries.meeting_for_decision(db, decision).items[0]
    store.move_item(db, item.id, afternoon, actor="test")
    # Placing the decision again (as any edit does) leaves it where it was put.
    store.place_decision(db, decision, now=NOW)
    assert queries.meeting_for_decision(db, decision).id == afternoon != morning
