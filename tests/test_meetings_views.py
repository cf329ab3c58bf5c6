"""Meetings through the pages: the list, a meeting's page and what remains to prepare, creating
and editing a meeting and its bad input, items, reordering, moving an item after rulings, the
declarations item and the invitation read back with icalendar; by role."""
# The fixtures `world` and `lead` come from the review tests, imported below.
# ruff: noqa: F811
from __future__ import annotations

import datetime as dt
import re

import pytest
from icalendar import Calendar

from register import timeutil
from register.meetings import queries
from tests.conftest import add_committee, add_decision, add_person, count, data_version
from tests.test_reviews import (  # noqa: F401  (fixtures)
    _signed,
    lead,
    reference,
    status_of,
    submitted,
    text,
    world,
)

TODAY = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """The meetings of the fixtures (10 March 2026) are upcoming."""
    monkeypatch.setattr(timeutil, "today_uk", lambda: TODAY)
    from register.meetings import views
    monkeypatch.setattr(views, "today_uk", lambda: TODAY)


def meeting_of(db, decision_id):
    return queries.meeting_for_decision(db, decision_id)


def meeting_form(committee, **over):
    data = {"committee_id": str(committee), "meeting_date-day": "14",
            "meeting_date-month": "4", "meeting_date-year": "2026", "starts_at": "10:00",
            "ends_at": "12:30", "place": "Board room, Riverside House", "link": "",
            "chair_person_id": "", "secretary_person_id": ""}
    data.update(over)
    return data


# ---- the list and the page ---------------------------------------------------------------------

def test_the_list_shows_upcoming_and_past_meetings_per_committee(db, world, as_role):
    decision = submitted(db, world)
    other = add_committee(db, "Governing Body")
    add_decision(db, other, title="Community beds", meeting_date="2026-02-10")
    page = text(as_role("secretary").get("/meetings/"))
    upcoming, past = page.split("Past meetings", 1)
    assert "10 March 2026" in upcoming and "Primary Care Committee" in upcoming
    assert "10 February 2026" in past and "Governing Body" in past
    only = text(as_role("governance").get(f"/meetings/?committee={other}"))
    assert "Primary Care Committee" not in only.split("Upcoming meetings", 1)[1]
    assert meeting_of(db, decision) is not None


def test_a_member_sees_only_the_meetings_of_their_own_committees(db, world, as_role):
    submitted(db, world)
    other = add_committee(db, "Governing Body")
    board_decision = add_decision(db, other, title="Community beds", meeting_date="2026-03-20")
    member = as_role("member", person_id=world.gp1)
    page = text(member.get("/meetings/"))
    assert "Primary Care Committee" in page and "Governing Body" not in page
    board_meeting = meeting_of(db, board_decision)
    assert member.get(f"/meetings/{board_meeting.id}").status_code == 403
    assert member.get(f"/meetings/{board_meeting.id}/invitation.ics").status_code == 403
    stranger = as_role("member", username="stranger")
    assert "There are no upcoming meetings" in text(stranger.get("/meetings/"))


def test_the_meeting_page_shows_the_agenda_and_what_needs_the_governance_lead(db, world,
                                                                              as_role):
    decision = submitted(db, world)
    meeting = meeting_of(db, decision)
    page = text(as_role("secretary").get(f"/meetings/{meeting.id}"))
    ref = reference(db, decision)
    assert f"1 {ref} : Community anticoagulation service Awaiting governance review" in page
    assert "Needs the governance lead" in page
    assert f"Item 1, {ref}: 2 of 2 conflicted people not yet ruled on; needs the governance " \
        "lead before the meeting" in page
    assert "Set the start time" in page
    assert "Prepare this meeting" in page


def _conflict_the_chair(db, world):
    from tests.conftest import add_interest
    add_interest(db, world.chair, organisation_id=world.practice, organisation_name="",
                 nature="Spouse is a partner", is_indirect=1, associate_relationship="spouse",
                 date_from="2020-01-01", declared_on="2020-01-05")


def test_who_takes_the_chair_is_not_known_until_the_chair_is_ruled_on(db, world, as_role):
    _conflict_the_chair(db, world)
    decision = submitted(db, world)
    meeting = meeting_of(db, decision)
    page = text(as_role("secretary").get(f"/meetings/{meeting.id}"))
    assert "the chair, Hugh Pemberton, is conflicted; who takes the chair for the item is not " \
        "known until the conflicts are ruled on" in page
    assert "Eleanor Fairweather, the vice-chair, takes the chair" not in page


@pytest.mark.parametrize(("ruling", "expected"), [
    ("leave_item", "the chair, Hugh Pemberton, is conflicted, so Eleanor Fairweather, the "
                   "vice-chair, takes the chair for the item"),
    ("no_vote", "the chair, Hugh Pemberton, is conflicted, so Eleanor Fairweather, the "
                "vice-chair, takes the chair for the item"),
    ("note_only", "the chair, Hugh Pemberton, has an interest, but the ruling lets them take "
                  "the chair for the item"),
])
def test_who_takes_the_chair_follows_the_ruling_on_the_chair(db, world, as_role, lead, ruling,
                                                             expected):
    from tests.test_reviews import review_form
    _conflict_the_chair(db, world)
    decision = submitted(db, world)
    ref = reference(db, decision)
    data = review_form(lead, ref, **{f"ruling_{world.chair}": ruling, "action": "save"})
    assert lead.post(f"/reviews/{ref}", data=data).status_code == 302
    meeting = meeting_of(db, decision)
    secretary = as_role("secretary")
    page = text(secretary.get(f"/meetings/{meeting.id}"))
    assert expected in page
    assert "not known until the conflicts are ruled on" not in page
    # One rule says why the governance lead is needed: the checklist and the briefing agree.
    assert f"Item 1, {ref}: ruled on, but not yet signed off by the governance lead" in page
    briefing = text(secretary.get(f"/meetings/{meeting.id}/briefing"))
    assert "Ruled on, but not yet signed off by the governance lead" in briefing


def test_the_decision_and_review_pages_link_to_the_meeting_for_its_readers(db, world, as_role,
                                                                          lead):
    other = add_decision(db, world.committee, title="Community beds", meeting_date="2026-03-10")
    decision = submitted(db, world)
    ref = reference(db, decision)
    meeting = meeting_of(db, decision)
    item = next(i for i in meeting.items if i.decision_id == decision)
    assert item.position == 2 and other in meeting.decision_ids
    words = "Meeting: Primary Care Committee, 10 March 2026 (item 2)"
    href = f'href="/meetings/{meeting.id}#item-{item.id}"'
    for client, url in ((as_role("secretary"), f"/decisions/{ref}"), (lead, f"/reviews/{ref}"),
                        (as_role("member", person_id=world.gp1), f"/decisions/{ref}")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert words in text(response) and href in response.get_data(as_text=True), url
    # A reader who may not read the committee's meetings is given no link.
    from types import SimpleNamespace
    stranger = SimpleNamespace(id=999, person_id=add_person(db, name="Stranger"),
                               can=lambda capability: capability == "read_decisions")
    assert queries.meeting_link(db, stranger, decision) is None
    assert queries.meeting_link(db, SimpleNamespace(
        id=998, person_id=world.gp1, can=lambda capability: capability == "read_decisions"),
        decision) == queries.MeetingLink(meeting.id, item.id, "Primary Care Committee",
                                         dt.date(2026, 3, 10), 2)


def test_a_withdrawn_decision_is_left_out_of_what_remains_to_prepare(db, world, as_role):
    _conflict_the_chair(db, world)
    decision = submitted(db, world)
    db.execute("UPDATE decisions SET status = 'withdrawn' WHERE id = ?", [decision])
    meeting = meeting_of(db, decision)
    page = text(as_role("secretary").get(f"/meetings/{meeting.id}"))
    checklist = page.split("Prepare this meeting", 1)[1]
    assert reference(db, decision) not in checklist and "chair" not in checklist


def test_a_meeting_with_no_items_says_so_plainly(db, world, as_role):
    client = as_role("secretary")
    response = client.post("/meetings/new", data=meeting_form(world.committee))
    assert response.status_code == 302
    meeting_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert "This meeting has no items on its agenda yet" in text(client.get(
        f"/meetings/{meeting_id}"))
    assert "This meeting has no items on its agenda, so there is nothing to declare for yet" \
        in text(client.get(f"/meetings/{meeting_id}/declarations"))
    ics = Calendar.from_ical(client.get(f"/meetings/{meeting_id}/invitation.ics").data)
    assert "The agenda has no items yet." in str(ics.walk("VEVENT")[0]["DESCRIPTION"])


# ---- creating and editing ----------------------------------------------------------------------

def test_creating_a_meeting_by_hand_is_audited(db, world, as_role):
    chair = add_person(db, "Guest Chair")
    client = as_role("secretary")
    response = client.post("/meetings/new", data=meeting_form(
        world.committee, chair_person_id=str(chair), link="https://meet.example.nhs.uk/pcc"))
    assert response.status_code == 302
    meeting = queries.load_meeting(db, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert (meeting.meeting_date, meeting.starts_at, meeting.ends_at, meeting.place,
            meeting.link, meeting.chair_name, meeting.chair_chosen) == (
        dt.date(2026, 4, 14), "10:00", "12:30", "Board room, Riverside House",
        "https://meet.example.nhs.uk/pcc", "Guest Chair", True)
    event = next(db.query("SELECT * FROM audit_events WHERE entity = 'meeting'"))
    assert event["action"] == "create" and event["actor"] == "secretary"


BAD_MEETINGS = [
    ({"starts_at": ""}, "Enter the start time, like 10:00"),
    ({"starts_at": "10 o'clock"}, "The start time must be a time of day, like 09:30, 14:05 or "
                                  "2:05pm"),
    ({"ends_at": "25:00"}, "The end time must be a time of day"),
    ({"ends_at": "09:00"}, "The end time must be after the start time (10:00)"),
    ({"link": "http://meet.example.nhs.uk"}, "Enter the video call link as a web address "
                                             "starting with https://"),
    ({"meeting_date-day": "31", "meeting_date-month": "2"}, "real date"),
    ({"committee_id": ""}, "Choose the committee that meets"),
]


def test_times_typed_the_twelve_hour_way_are_kept_as_24_hour_times(db, world, as_role):
    client = as_role("secretary")
    response = client.post("/meetings/new", data=meeting_form(
        world.committee, starts_at="9.30am", ends_at="12:15 pm"))
    assert response.status_code == 302
    meeting = queries.load_meeting(db, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert (meeting.starts_at, meeting.ends_at) == ("09:30", "12:15")
    assert "09:30 to 12:15" in text(client.get(f"/meetings/{meeting.id}"))


@pytest.mark.parametrize("change, message", BAD_MEETINGS)
def test_bad_meeting_input_gets_a_clear_message_and_keeps_what_was_typed(db, world, as_role,
                                                                         change, message):
    client = as_role("secretary")
    before = data_version(db)
    response = client.post("/meetings/new", data=meeting_form(world.committee, **change))
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert page.startswith("Error: ") or "There is a problem" in page
    assert "Board room, Riverside House" in response.get_data(as_text=True)
    assert data_version(db) == before and count(db, "meetings") == 0


def test_two_meetings_of_one_committee_at_the_same_time_are_refused(db, world, as_role):
    client = as_role("secretary")
    assert client.post("/meetings/new", data=meeting_form(world.committee)).status_code == 302
    before = count(db, "audit_events")
    response = client.post("/meetings/new", data=meeting_form(world.committee, place="Room 2"))
    assert response.status_code == 200
    assert "The Primary Care Committee already has a meeting on 14 April 2026 at 10:00: change " \
        "the date or the start time, or edit that meeting" in text(response)
    assert "Room 2" in response.get_data(as_text=True)
    assert count(db, "meetings") == 1 and count(db, "audit_events") == before


def test_editing_a_meeting_sets_its_time_and_keeps_the_date_of_its_decisions(db, world, as_role):
    decision = submitted(db, world)
    meeting = meeting_of(db, decision)
    client = as_role("secretary")
    data = meeting_form(world.committee, **{"meeting_date-day": "10", "meeting_date-month": "3",
                                            "version": str(meeting.version)})
    assert client.post(f"/meetings/{meeting.id}/edit", data=data).status_code == 302
    assert queries.load_meeting(db, meeting.id).starts_at == "10:00"
    moved = client.post(f"/meetings/{meeting.id}/edit", data={
        **data, "meeting_date-day": "11", "version": str(meeting.version + 1)})
    assert "The date of a meeting with decisions on its agenda cannot change here" in \
        text(moved)
    assert queries.load_meeting(db, meeting.id).meeting_date == dt.date(2026, 3, 10)
    stale = client.post(f"/meetings/{meeting.id}/edit", data={**data, "place": "Elsewhere"})
    assert "Someone else changed this meeting" in text(stale)


# ---- the agenda --------------------------------------------------------------------------------

def _hand_meeting(client, committee, **over):
    response = client.post("/meetings/new", data=meeting_form(committee, **over))
    assert response.status_code == 302, text(response)[:800]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_items_are_added_and_reordered_with_post_buttons(db, world, as_role):
    client = as_role("secretary")
    meeting_id = _hand_meeting(client, world.committee)
    for title in ("Minutes of the last meeting", "Any other business", "Apologies"):
        assert client.post(f"/meetings/{meeting_id}/items/new",
                           data={"title": title}).status_code == 302
    empty = client.post(f"/meetings/{meeting_id}/items/new", data={"title": "  "})
    assert "Enter the title of the item" in text(empty)
    items = queries.load_meeting(db, meeting_id).items
    assert client.post(f"/meetings/{meeting_id}/items/{items[2].id}/reorder",
                       data={"direction": "up"}).status_code == 302
    assert client.post(f"/meetings/{meeting_id}/items/{items[2].id}/reorder",
                       data={"direction": "up"}).status_code == 302
    assert [i.title for i in queries.load_meeting(db, meeting_id).items] == [
        "Apologies", "Minutes of the last meeting", "Any other business"]
    top = client.post(f"/meetings/{meeting_id}/items/{items[2].id}/reorder",
                      data={"direction": "up"}, follow_redirects=True)
    assert "Item 1 is already first" in text(top)
    assert client.get(f"/meetings/{meeting_id}/items/{items[0].id}/reorder").status_code == 405
    actions = [r[0] for r in db.execute(
        "SELECT action FROM audit_events WHERE entity = 'agenda_item' ORDER BY seq")]
    assert actions == ["create", "create", "create", "reorder", "reorder"]


def test_a_post_without_its_token_is_refused(csrf_app):
    from register.db import connect
    from tests.conftest import add_user, sign_in

    handle = connect(csrf_app.config["DATABASE"])
    committee = add_committee(handle)
    decision = add_decision(handle, committee)
    item = queries.meeting_for_decision(handle, decision).items[0]
    add_user(handle, role="secretary", username="sec")
    client = csrf_app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    client.post("/sign-in", data={"username": "sec", "password": "correct horse battery",
                                  "csrf_token": token.group(1)})
    for url, data in ((f"/meetings/{item.meeting_id}/items/{item.id}/reorder",
                       {"direction": "down"}),
                      (f"/meetings/{item.meeting_id}/items/new", {"title": "Apologies"}),
                      ("/meetings/new", meeting_form(committee))):
        response = client.post(url, data=data)
        assert response.status_code == 400, url
        assert "Your form could not be sent" in text(response)
    assert count(handle, "agenda_items") == 1 and count(handle, "meetings") == 1
    assert sign_in  # the helper signs in without a token; this test signs in with one
    handle.close()


def test_moving_an_item_after_rulings_says_they_are_reviewed_again_and_does_so(db, world, lead,
                                                                               as_role):
    decision, ref = _signed(db, world, lead)
    assert status_of(db, decision) == "signed_off"
    meeting = meeting_of(db, decision)
    client = as_role("secretary")
    later = _hand_meeting(client, world.committee, **{"meeting_date-day": "21"})
    item = meeting.items[0]
    url = f"/meetings/{meeting.id}/items/{item.id}/move"
    assert "21 April 2026, 10:00 to 12:30" in text(client.get(url))
    before = data_version(db)
    confirm = client.post(url, data={"meeting_id": str(later)})
    words = text(confirm)
    assert "The decision's meeting date changes" in words
    assert "its rulings (" in words and "will be reviewed again" in words
    assert "goes back to the governance queue" in words
    assert data_version(db) == before  # the confirm page writes nothing
    done = client.post(url, data={"meeting_id": str(later), "confirm": "yes"})
    assert done.status_code == 302
    assert db.execute("SELECT meeting_date FROM decisions WHERE id = ?",
                      [decision]).fetchone()[0] == "2026-04-21"
    assert status_of(db, decision) == "awaiting_review"
    assert meeting_of(db, decision).id == later
    assert ref in text(lead.get("/reviews/"))
    assert "no items on its agenda" in text(client.get(f"/meetings/{meeting.id}"))
    change = next(db.query("SELECT * FROM audit_events WHERE entity = 'decision' AND"
                           " action = 'update' ORDER BY seq DESC"))
    assert "2026-04-21" in change["changes"]


def test_an_item_moves_only_to_a_meeting_of_the_same_committee(db, world, as_role):
    decision = submitted(db, world)
    meeting = meeting_of(db, decision)
    other = add_committee(db, "Governing Body")
    client = as_role("secretary")
    elsewhere = _hand_meeting(client, other)
    response = client.post(f"/meetings/{meeting.id}/items/{meeting.items[0].id}/move",
                           data={"meeting_id": str(elsewhere)})
    assert response.status_code == 400
    assert "Choose the meeting to move the item to" in text(response)
    assert meeting_of(db, decision).id == meeting.id


# ---- every route, every role -------------------------------------------------------------------

ROLE_ROUTES = {
    # route: the roles that get the page (the others are refused with 403)
    "/meetings/": {"admin", "secretary", "governance", "auditor", "member"},
    "/meetings/{m}": {"admin", "secretary", "governance", "auditor", "member"},
    "/meetings/{m}/invitation.ics": {"admin", "secretary", "governance", "auditor", "member"},
    "/meetings/new": {"admin", "secretary"},
    "/meetings/{m}/edit": {"admin", "secretary"},
    "/meetings/{m}/items/new": {"admin", "secretary"},
    "/meetings/{m}/items/{i}/move": {"admin", "secretary"},
    "/meetings/{m}/declarations": {"admin", "secretary", "governance", "auditor"},
    "/meetings/{m}/declarations/{i}": {"secretary"},
}


@pytest.mark.parametrize("role", ["admin", "secretary", "governance", "auditor", "member"])
def test_every_meeting_route_answers_each_role_as_its_capabilities_say(db, world, as_role, role):
    decision = submitted(db, world)
    meeting = meeting_of(db, decision)
    item = meeting.items[0]
    # The member sits on the committee; every role's person does, so nothing turns on that.
    client = as_role(role, person_id=world.gp1)
    before = data_version(db)
    for route, allowed in ROLE_ROUTES.items():
        url = route.format(m=meeting.id, i=item.id)
        status = client.get(url).status_code
        assert status == (200 if role in allowed else 403), (role, url, status)
    assert data_version(db) == before  # reading writes nothing
    reorder = client.post(f"/meetings/{meeting.id}/items/{item.id}/reorder",
                          data={"direction": "down"})
    assert reorder.status_code == (302 if role in ("admin", "secretary") else 403)
    created = client.post("/meetings/new", data=meeting_form(world.committee))
    assert created.status_code == (302 if role in ("admin", "secretary") else 403)
    assert count(db, "meetings") == (2 if role in ("admin", "secretary") else 1)
    assert client.get("/meetings/999999").status_code == 404


# ---- the home page's upcoming meetings ---------------------------------------------------------

def test_the_home_page_lists_the_next_meetings_with_what_needs_the_governance_lead(db, world,
                                                                                   as_role):
    submitted(db, world)
    add_decision(db, world.committee, title="Community beds", meeting_date="2026-02-10")
    for day in ("2026-04-14", "2026-05-12", "2026-06-09"):
        add_decision(db, world.committee, title="Podiatry", meeting_date=day)
    for role in ("secretary", "governance", "admin"):
        page = text(as_role(role).get("/"))
        card = page.split("Upcoming meetings", 1)[1].split("All meetings", 1)[0]
        assert "Primary Care Committee, 10 March 2026 (1 item)" in card, role
        assert "1 item needs the governance lead before the meeting" in card, role
        # The next three only, soonest first; past meetings are not upcoming.
        assert card.index("10 March 2026") < card.index("14 April 2026") \
            < card.index("12 May 2026"), role
        assert "9 June 2026" not in card and "10 February 2026" not in card, role


def test_a_member_sees_their_committees_next_meeting_and_the_items_they_must_leave(db, world,
                                                                                  as_role, lead):
    from tests.test_reviews import review_form
    decision = submitted(db, world)
    ref = reference(db, decision)
    data = review_form(lead, ref, **{f"ruling_{world.gp1}": "leave_item", "action": "save"})
    assert lead.post(f"/reviews/{ref}", data=data).status_code == 302
    member = as_role("member", person_id=world.gp1)
    page = text(member.get("/"))
    line = ("Dr Asha Patel: you must leave the meeting for item 1, Community anticoagulation "
            "service (the ruling on your conflict of interest).")
    card = page.split("Upcoming meetings", 1)[1].split("All meetings", 1)[0]
    assert "Primary Care Committee, 10 March 2026" in card and line in card
    assert "governance lead" not in card
    # The same words as the member's invitation: one owner.
    meeting = meeting_of(db, decision)
    ics = Calendar.from_ical(member.get(f"/meetings/{meeting.id}/invitation.ics").data)
    event = next(iter(ics.walk("VEVENT")))
    assert line in str(event["description"])
    # A member of no committee sees no card; another committee member has nothing to leave.
    assert "Upcoming meetings" not in text(as_role("member", username="stranger").get("/"))
    other = text(as_role("member", username="kwame", person_id=world.lay).get("/"))
    assert "Primary Care Committee, 10 March 2026" in other and "must leave" not in other
