"""Approval before publication: a member's new or changed declaration waits for a governance
lead; the public register shows only what was approved (the approved version of a changed one);
the member hears by email; a start date more than a year ahead is questioned."""
from __future__ import annotations

import datetime as dt

import pytest

from register.timeutil import today_uk

from .conftest import count
from .reading import words as text
from .test_interests import date_parts, form_data


@pytest.fixture
def member(as_role, db):
    client = as_role("member")
    db.execute("UPDATE people SET is_decision_maker = 1 WHERE id = ?", [client.person_id])
    return client


def declare(client, **over):
    response = client.post("/interests/declare", data=form_data(**over))
    assert response.status_code == 302, text(response)[:800]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def public(app) -> str:
    return text(app.test_client().get("/public/interests"))


def test_a_members_declaration_waits_then_is_published_once_approved(app, db, member, as_role):
    interest = declare(member)
    assert db.execute("SELECT approval FROM interests").fetchone()[0] == "pending"
    assert "Go-To-Doc Ltd" not in public(app)
    assert "Waiting for a governance lead's approval" in text(member.get(f"/interests/{interest}"))

    lead = as_role("governance")
    assert "Go-To-Doc Ltd" in text(lead.get("/interests/approvals"))
    version = db.execute("SELECT version FROM interests").fetchone()[0]
    missing = lead.post(f"/interests/{interest}/approval",
                        data={"decision": "approve_with_note", "note": "", "version": version})
    assert "Enter the note of the action taken" in text(missing)
    done = lead.post(f"/interests/{interest}/approval",
                     data={"decision": "approve_with_note", "version": version,
                           "note": "Agreed she leaves the meeting for Go-To-Doc items"})
    assert done.status_code == 302
    assert db.execute("SELECT approval FROM interests").fetchone()[0] is None
    assert "Go-To-Doc Ltd" in public(app)
    [message] = list(db.query("SELECT * FROM outbox"))
    assert message["subject"] == "Your declaration of interests was approved"
    assert "Go-To-Doc" not in message["body"]  # the email names no register content


def test_a_changed_declaration_keeps_its_approved_reading_on_the_public_register(app, db, member,
                                                                               as_role):
    interest = declare(member)
    lead = as_role("governance")
    lead.post(f"/interests/{interest}/approval",
              data={"decision": "approve", "note": "",
                    "version": db.execute("SELECT version FROM interests").fetchone()[0]})
    version = db.execute("SELECT version FROM interests").fetchone()[0]
    changed = member.post(f"/interests/{interest}/edit",
                          data=form_data(nature="Director and shareholder", version=version))
    assert changed.status_code == 302
    page = public(app)
    assert "Shareholder" in page and "Director and shareholder" not in page
    assert db.execute("SELECT approval FROM interests").fetchone()[0] == "pending"


def test_a_returned_declaration_says_why_and_the_member_hears(app, db, member, as_role):
    interest = declare(member)
    lead = as_role("governance")
    version = db.execute("SELECT version FROM interests").fetchone()[0]
    no_reason = lead.post(f"/interests/{interest}/approval",
                          data={"decision": "return", "note": "", "version": version})
    assert "Say why the declaration is returned" in text(no_reason)
    lead.post(f"/interests/{interest}/approval",
              data={"decision": "return", "note": "Give the company's full name",
                    "version": version})
    page = text(member.get(f"/interests/{interest}"))
    assert "Returned for changes" in page and "Give the company's full name" in page
    assert list(db.query("SELECT subject FROM outbox"))[-1]["subject"] == \
        "Your declaration of interests was returned"
    assert "Go-To-Doc Ltd" not in public(app)


def test_what_a_secretary_records_for_someone_else_is_approved_at_once(app, db, as_role, member):
    secretary = as_role("secretary")
    response = secretary.post("/interests/declare", data=form_data(
        person_id=str(member.person_id)))
    assert response.status_code == 302
    assert db.execute("SELECT approval FROM interests").fetchone()[0] is None
    assert "Go-To-Doc Ltd" in public(app)


def test_a_lead_cannot_approve_their_own_and_others_cannot_approve(db, as_role, member):
    lead = as_role("governance")
    own = declare(lead, person_id=str(lead.person_id))
    version = db.execute("SELECT version FROM interests WHERE id = ?", [own]).fetchone()[0]
    refused = lead.post(f"/interests/{own}/approval", data={"decision": "approve",
                                                            "version": version})
    assert refused.status_code == 403
    assert "You cannot approve your own declaration" in text(refused)
    assert member.get("/interests/approvals").status_code == 403
    assert as_role("secretary").get("/interests/approvals").status_code == 403


def test_a_start_date_more_than_a_year_ahead_is_questioned_and_kept(db, member):
    ahead = today_uk() + dt.timedelta(days=400)
    response = member.post("/interests/declare", data=form_data(**date_parts("date_from", ahead)))
    assert response.status_code == 200
    assert "The start date is more than a year away" in text(response)
    assert f'value="{ahead.year}"' in response.get_data(as_text=True)
    assert count(db, "interests") == 0
    confirmed = member.post("/interests/declare", data=form_data(
        **date_parts("date_from", ahead), confirm_future_start="y"))
    assert confirmed.status_code == 302


def test_a_declaration_made_at_the_meeting_joins_the_register_and_the_decisions_flags(
        app, db, as_role):
    from register.decisions import flagging

    from .conftest import add_committee, add_decision, add_organisation, add_person

    provider = add_organisation(db, "Go-To-Doc Ltd", kind="independent",
                                companies_house_number="09990002")
    committee = add_committee(db)
    gp = add_person(db, "Dr Sam Whitfield", email="sam@example.nhs.uk")
    decision = add_decision(db, committee, providers=(provider,), participants=((gp, "voting"),),
                            status="ready_for_decision", meeting_date="2026-03-10",
                            submitted_at="2026-03-01T10:00:00+00:00")
    reference = db.execute("SELECT reference FROM decisions WHERE id = ?",
                           [decision]).fetchone()[0]
    assert not [f for f in flagging.current_flags(db, decision) if f["person_id"] == gp]
    secretary = as_role("secretary")
    assert "Record a declaration made at the meeting" in text(
        secretary.get(f"/decisions/{reference}"))
    response = secretary.post(f"/decisions/{reference}/declared-at-meeting", data=form_data(
        person_id=str(gp), organisation_id=str(provider), organisation_name="",
        nature="Shareholder, declared at the meeting"))
    assert response.status_code == 302, text(response)[:800]
    row = dict(next(db.query("SELECT * FROM interests")))
    assert (row["approval"], row["declared_at_decision_id"], row["declared_on"]) == \
        ("pending", decision, "2026-03-10")
    rules = {f["rule"] for f in flagging.current_flags(db, decision) if f["person_id"] == gp}
    assert "DIRECT_INTEREST" in rules
    page = text(secretary.get(f"/decisions/{reference}"))
    assert "Dr Sam Whitfield: Go-To-Doc Ltd" in page and "waiting for approval" in page
    assert "Shareholder, declared at the meeting" not in public(app)
    # Only people taking part can be named.
    other = add_person(db, "Not There", email="not.there@example.nhs.uk")
    refused = secretary.post(f"/decisions/{reference}/declared-at-meeting",
                             data=form_data(person_id=str(other)))
    assert "Choose the person declaring the interest" in text(refused)
