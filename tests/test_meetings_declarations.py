"""The declarations item of a meeting (who declared what for each item, who left the room when,
pre-filled from the register and kept in step with the outcome) and the invitation read back
with icalendar."""
# The fixtures `world` and `lead` come from the review tests, imported below.
# ruff: noqa: F811
from __future__ import annotations

import datetime as dt
import re

import pytest
from icalendar import Calendar

from register import timeutil
from register.meetings import queries, store
from tests.conftest import add_person, count, data_version
from tests.test_reviews import (  # noqa: F401  (fixtures)
    _signed,
    lead,
    status_of,
    submitted,
    text,
    world,
)

TODAY = dt.date(2026, 3, 12)  # two days after the fixtures' meeting


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(timeutil, "today_uk", lambda: TODAY)
    from register.meetings import views
    monkeypatch.setattr(views, "today_uk", lambda: TODAY)


@pytest.fixture
def ruled(db, world, lead):
    """The fixture's decision signed off, both GPs ruled out of the room; the meeting at 10:00."""
    decision, ref = _signed(db, world, lead)
    meeting = queries.meeting_for_decision(db, decision)
    store.update_meeting(db, meeting.id, meeting.version, {
        "meeting_date": meeting.meeting_date, "starts_at": "10:00", "ends_at": "12:00",
        "place": "Board room", "link": "https://meet.example.nhs.uk/pcc",
        "chair_person_id": None, "secretary_person_id": None}, actor="test")
    store.add_item(db, meeting.id, "Any other business", actor="test")
    return queries.load_meeting(db, meeting.id), decision, ref


def _rulings(db, decision):
    return {r[0]: r[1] for r in db.execute(
        "SELECT person_id, ruling FROM decision_rulings WHERE decision_id = ?", [decision])}


def _form(page_html: str) -> dict[str, str]:
    """What the declarations form would send as it stands."""
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page_html):
        data[name] = value
    for name in re.findall(r'<input[^>]*name="(declared_\d+)"[^>]*checked', page_html):
        data[name] = "y"
    for name in [n for n in data if n.startswith("declared_")]:
        if not re.search(rf'name="{name}"[^>]*checked', page_html):
            del data[name]
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page_html,
                                 re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = chosen.group(1) if chosen else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>',
                                 page_html, re.S):
        data[name] = body.strip()
    return data


def test_the_form_is_prefilled_from_the_conflicts_the_register_found(db, world, ruled, as_role):
    meeting, decision, _ref = ruled
    item = meeting.items[0]
    page = as_role("secretary").get(f"/meetings/{meeting.id}/declarations/{item.id}")
    assert page.status_code == 200
    data = _form(page.get_data(as_text=True))
    assert data[f"declared_{world.gp1}"] == "y" and data[f"declared_{world.gp2}"] == "y"
    assert f"declared_{world.lay}" not in data
    assert data[f"interest_{world.gp1}"]  # the partnership on the register
    assert "Riverside Surgery" in text(page)


def test_a_departure_is_recorded_and_shown_on_the_declarations_item(db, world, ruled, as_role):
    meeting, decision, _ref = ruled
    item = meeting.items[0]
    client = as_role("secretary")
    url = f"/meetings/{meeting.id}/declarations/{item.id}"
    data = _form(client.get(url).get_data(as_text=True))
    data.update({f"left_at_{world.gp1}": "10:40", f"words_{world.gp1}": "Partner at Riverside"})
    response = client.post(url, data=data)
    assert response.status_code == 302, text(response)[:2000]
    stored = {d.person_id: d for d in queries.load_meeting(db, meeting.id).items[0].declarations}
    assert stored[world.gp1].left_at == "10:40" and stored[world.gp1].returned_at is None
    assert stored[world.gp1].words == "Partner at Riverside" and stored[world.gp1].declared
    assert set(stored) == {world.gp1, world.gp2}
    overview = text(client.get(f"/meetings/{meeting.id}/declarations"))
    assert "Dr Asha Patel Yes Partner at Riverside 10:40 Did not come back" in overview
    event = next(db.query("SELECT * FROM audit_events WHERE action = 'record_declarations'"))
    assert event["entity"] == "agenda_item" and "10:40" in event["changes"]


BAD_DEPARTURES = [
    ({"left_at": "9:30"}, "Dr Asha Patel cannot have left for the item at 09:30: the meeting "
                          "started at 10:00, so the item had not started"),
    ({"left_at": "10:40", "returned_at": "10:20"},
     "The time Dr Asha Patel came back (10:20) must be after the time they left (10:40)"),
    ({"left_at": "ten forty"}, "Enter the time Dr Asha Patel left the room as a time of day, "
                               "like 14:30 or 2:30pm"),
    ({"returned_at": "11:00"}, "Enter the time Dr Asha Patel left the room, like 14:30"),
    ({"left_at": "12:30"}, "Dr Asha Patel cannot have left at 12:30: the meeting ended at 12:00"),
]


@pytest.mark.parametrize("change, message", BAD_DEPARTURES)
def test_a_departure_that_cannot_be_right_is_refused_keeping_what_was_typed(
        db, world, ruled, as_role, change, message):
    meeting, _decision, _ref = ruled
    item = meeting.items[0]
    client = as_role("secretary")
    url = f"/meetings/{meeting.id}/declarations/{item.id}"
    data = _form(client.get(url).get_data(as_text=True))
    data.update({f"{key}_{world.gp1}": value for key, value in change.items()})
    before = data_version(db)
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert text(response).strip().startswith("Error: Declarations for item 1")
    for value in change.values():
        assert f'value="{value}"' in response.get_data(as_text=True)
    assert data_version(db) == before and count(db, "item_declarations") == 0


def test_the_declarations_agree_with_the_outcome_attendance(db, world, ruled, as_role):
    meeting, decision, _ref = ruled
    item = meeting.items[0]
    db["outcome_attendance"].insert({"decision_id": decision, "person_id": world.gp1,
                                     "present": 0, "vote": None, "left_at": "10:35",
                                     "left_stage": "discussion"})
    db["outcome_attendance"].insert({"decision_id": decision, "person_id": world.lay,
                                     "present": 1, "vote": "for"})
    client = as_role("secretary")
    url = f"/meetings/{meeting.id}/declarations/{item.id}"
    data = _form(client.get(url).get_data(as_text=True))
    assert data[f"left_at_{world.gp1}"] == "10:35"  # from the outcome
    data[f"left_at_{world.gp1}"] = "10:50"
    data[f"left_at_{world.lay}"] = "10:45"
    response = client.post(url, data=data)
    words = text(response)
    assert "The outcome of the item records Dr Asha Patel leaving at 10:35: record the same " \
        "time here, or correct the outcome" in words
    assert "The outcome of the item records Kwame Mensah present for the vote, but here they " \
        "left at 10:45 and did not come back" in words
    data[f"left_at_{world.gp1}"] = "10:35"
    data[f"returned_at_{world.lay}"] = "10:55"
    assert client.post(url, data=data).status_code == 302


def test_a_declaration_not_on_the_register_goes_through_the_existing_route(db, world, ruled,
                                                                           as_role):
    meeting, decision, ref = ruled
    item = meeting.items[0]
    client = as_role("secretary")
    page = client.get(f"/meetings/{meeting.id}/declarations/{item.id}").get_data(as_text=True)
    link = f"/decisions/{ref}/declared-at-meeting?meeting_item={item.id}"
    assert link in page
    response = client.post(link, data={
        "person_id": str(world.lay), "organisation_id": "", "organisation_name":
        "Quayside Physio Ltd", "organisation_business": "Physiotherapy",
        "interest_type": "financial", "nature": "Spouse is a director", "directness": "indirect",
        "associate_relationship": "spouse", "date_from-day": "1", "date_from-month": "1",
        "date_from-year": "2025", "consent": "yes"})
    assert response.status_code == 302, text(response)[:3000]
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}/declarations/{item.id}")
    interest = next(db.query("SELECT * FROM interests WHERE declared_at_decision_id = ?",
                             [decision]))
    assert interest["approval"] == "pending" and interest["person_id"] == world.lay
    data = _form(client.get(f"/meetings/{meeting.id}/declarations/{item.id}")
                 .get_data(as_text=True))
    assert data[f"declared_{world.lay}"] == "y"
    assert data[f"interest_{world.lay}"] == str(interest["id"])


def test_an_item_that_is_not_a_decision_takes_declarations_too(db, world, ruled, as_role):
    meeting, _decision, _ref = ruled
    aob = meeting.items[1]
    client = as_role("secretary")
    url = f"/meetings/{meeting.id}/declarations/{aob.id}"
    data = _form(client.get(url).get_data(as_text=True))
    data.update({f"declared_{world.exec1}": "y", f"words_{world.exec1}": "Trustee of a charity"})
    assert client.post(url, data=data).status_code == 302
    (entry,) = queries.load_meeting(db, meeting.id).items[1].declarations
    assert (entry.person_name, entry.interest_id, entry.words) == (
        "Sian Llewelyn", None, "Trustee of a charity")


# ---- the invitation ----------------------------------------------------------------------------

def _event(response):
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    return event


def test_the_general_invitation_has_the_agenda_titles_in_uk_time_and_names_no_one(
        db, world, ruled, as_role):
    meeting, _decision, ref = ruled
    event = _event(as_role("secretary").get(f"/meetings/{meeting.id}/invitation.ics"))
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert (start.isoformat(), end.isoformat()) == ("2026-03-10T10:00:00+00:00",
                                                    "2026-03-10T12:00:00+00:00")
    assert str(start.tzinfo) == "Europe/London"
    assert str(event["LOCATION"]) == "Board room"
    assert str(event["URL"]) == "https://meet.example.nhs.uk/pcc"
    description = str(event["DESCRIPTION"])
    assert "1. Community anticoagulation service" in description
    assert "2. Any other business" in description
    assert "must leave" not in description
    for name in ("Patel", "O'Connor", "Pemberton"):
        assert name not in description
    assert "Riverside" not in description  # no papers


def test_a_members_own_invitation_says_which_item_they_must_leave(db, world, ruled, as_role):
    meeting, decision, _ref = ruled
    assert _rulings(db, decision)[world.gp1] in ("leave_item", "exclude_all")
    member = as_role("member", person_id=world.gp1)
    description = str(_event(member.get(f"/meetings/{meeting.id}/invitation.ics"))
                      ["DESCRIPTION"])
    assert "Dr Asha Patel: you must leave the meeting for item 1" in description
    # The secretary asks for the member's invitation; another member may not.
    secretary = as_role("secretary")
    asked = str(_event(secretary.get(f"/meetings/{meeting.id}/invitation.ics"
                                     f"?person={world.gp1}"))["DESCRIPTION"])
    assert "Dr Asha Patel: you must leave the meeting for item 1" in asked
    lay = as_role("member", username="lay-member", person_id=world.lay)
    assert lay.get(f"/meetings/{meeting.id}/invitation.ics?person={world.gp1}").status_code \
        == 403
    assert "must leave" not in str(_event(lay.get(f"/meetings/{meeting.id}/invitation.ics"))
                                   ["DESCRIPTION"])


def test_an_excluded_member_sees_no_title_of_the_item_anywhere(db, world, ruled, as_role):
    meeting, decision, ref = ruled
    db.execute("UPDATE decision_rulings SET ruling = 'exclude_all' WHERE decision_id = ?"
               " AND person_id = ?", [decision, world.gp1])
    member = as_role("member", person_id=world.gp1)
    description = str(_event(member.get(f"/meetings/{meeting.id}/invitation.ics"))
                      ["DESCRIPTION"])
    assert "anticoagulation" not in description
    assert f"1. {ref} (excluded from its papers)" in description
    assert "you must leave the meeting for item 1" in description
    page = text(member.get(f"/meetings/{meeting.id}"))
    assert "anticoagulation" not in page and f"{ref} (you are excluded from this item)" in page


def test_no_get_writes(db, world, ruled, as_role):
    meeting, _decision, _ref = ruled
    item = meeting.items[0]
    before = data_version(db)
    for role in ("secretary", "governance", "admin", "auditor"):
        client = as_role(role, username=f"reader-{role}", person_id=add_person(
            db, f"Reader {role}"))
        before = data_version(db)
        for url in ("/meetings/", f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/edit",
                    f"/meetings/{meeting.id}/declarations",
                    f"/meetings/{meeting.id}/declarations/{item.id}",
                    f"/meetings/{meeting.id}/items/new",
                    f"/meetings/{meeting.id}/items/{item.id}/move",
                    f"/meetings/{meeting.id}/invitation.ics", "/meetings/new"):
            client.get(url)
        assert data_version(db) == before, role


def test_the_outcome_refuses_someone_the_declarations_item_records_leaving(db, world, ruled,
                                                                         as_role):
    from tests.test_reviews import _version, outcome_data
    meeting, decision, ref = ruled
    item = meeting.items[0]
    secretary = as_role("secretary")
    url = f"/meetings/{meeting.id}/declarations/{item.id}"
    data = _form(secretary.get(url).get_data(as_text=True))
    data.update({f"left_at_{world.lay}": "10:40", f"declared_{world.lay}": "y",
                 f"words_{world.lay}": "Trustee of a patient charity"})
    assert secretary.post(url, data=data).status_code == 302
    typed = outcome_data(world, version=_version(db, decision), votes_for="3",
                         votes_against="1")
    response = secretary.post(f"/reviews/{ref}/outcome", data=typed)
    assert response.status_code == 200
    words = text(response)
    message = ("The declarations item records Kwame Mensah leaving the meeting for this item "
               "at 10:40 and not coming back, so they cannot be recorded present for the vote: "
               "untick present, or correct the declarations item")
    assert words.count(message) == 2  # in the error summary and at the box
    html = response.get_data(as_text=True)
    assert re.search(rf'name="present_{world.lay}"[^>]*checked', html)  # kept as typed
    assert re.search(r'name="votes_for"[^>]*value="3"', html)
    assert db.execute("SELECT count(*) FROM decision_outcomes").fetchone()[0] == 0
    assert status_of(db, decision) == "signed_off"
    # Unticked, the outcome agrees with the declarations item and is recorded.
    del typed[f"present_{world.lay}"]
    response = secretary.post(f"/reviews/{ref}/outcome", data=typed)
    assert response.status_code == 302, text(response)[:3000]
    assert status_of(db, decision) == "decided"


def test_the_outcome_rule_is_the_declarations_rule_the_other_way_round():
    from register.rules.meetings import item_departure_problems, outcome_attendance_problems
    attendance = [{"person_id": 1, "present": 1, "vote": None},
                  {"person_id": 2, "present": 0, "vote": None},
                  {"person_id": 3, "present": 1, "vote": "for"}]
    said = [(1, "Dr A", "10:40", None), (2, "Dr B", "10:40", None), (3, "Dr C", "10:40", "10:55")]
    assert set(outcome_attendance_problems(said, attendance)) == {1}
    for person_id, name, left, back in said:
        row = next(a for a in attendance if a["person_id"] == person_id)
        refused = item_departure_problems(name, left, back, starts_at="10:00",
                                          outcome=row)[0] is not None
        assert refused == (person_id in outcome_attendance_problems(said, attendance))
