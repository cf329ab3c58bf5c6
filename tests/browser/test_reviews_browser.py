"""A secretary submits a flagged decision, a governance lead rules and signs it off in the
review page, and the secretary records the outcome; the accessibility rules on each page."""
from __future__ import annotations

import datetime as dt

import pytest

from register.db import connect
from register.decisions.access import Viewer
from register.reviews.queries import queue_count
from register.timeutil import today_uk, utcnow_iso

from .conftest import axe_violations, click_through, sign_in

pytestmark = pytest.mark.browser


def one(db, sql: str, *params) -> int:
    return db.execute(sql, list(params)).fetchone()[0]


def complete_draft(live_app) -> dict:
    """A complete draft in the demo consortium awarding minor surgery to Brookside Surgery, where
    Dr Niamh O'Connor is a partner: the Primary Care Committee's members take part."""
    db = connect(live_app.config["DATABASE"])
    today = today_uk()
    committee = one(db, "SELECT id FROM committees WHERE name = 'Primary Care Committee'")
    brookside = one(db, "SELECT id FROM organisations WHERE ods_code = 'Y90002'")
    now = utcnow_iso()
    decision = db["decisions"].insert({
        "reference": f"MOB-{today.year}-0900", "title": "Minor surgery at Brookside Surgery",
        "description": "Minor surgery procedures in general practice", "choice": "make",
        "contract_kind": "new", "regime": "psr", "process": "direct_award_c",
        "total_value_pence": 12_000_000, "annual_value_pence": 4_000_000,
        "contract_start": (today + dt.timedelta(days=30)).isoformat(),
        "contract_end": (today + dt.timedelta(days=3 * 365)).isoformat(),
        "clinical_lead_id": one(db, "SELECT id FROM people WHERE name = 'Dr Ahmed Siddiqui'"),
        "contract_manager_id": one(db, "SELECT id FROM people WHERE name = 'Fiona McAllister'"),
        "committee_id": committee, "meeting_date": today.isoformat(),
        "decision_process": "Discussed and decided by a vote of the members present",
        "awarded_provider_id": brookside,
        "justification": "The practice already provides the service to its patients",
        "route_reasons": "Brookside is meeting the current contract and will go on doing so",
        "selection_criteria": "Accounts, insurance and CQC rating checked",
        "exclusions": "Declaration against the grounds for exclusion checked",
        "status": "draft", "author_user_id": one(db, "SELECT id FROM users WHERE username = "
                                                    "'secretary'"),
        "created_at": now, "updated_at": now, "version": 1}).last_pk
    db["decision_providers"].insert({"decision_id": decision, "organisation_id": brookside})
    for member in db.query("SELECT person_id, voting FROM committee_members WHERE committee_id = ?",
                           [committee]):
        db["decision_participants"].insert({
            "decision_id": decision, "person_id": member["person_id"],
            "role": "voting" if member["voting"] else "attendee"})
    db["decision_options"].insert_all([
        {"decision_id": decision, "position": 0, "description": "Brookside Surgery provides it",
         "outcome": "chosen", "reason": ""},
        {"decision_id": decision, "position": 1, "description": "The community trust provides it",
         "outcome": "rejected", "reason": "Longer waits and travel for patients"}])
    db["decision_criteria"].insert_all([
        {"decision_id": decision, "criterion": key, "weight": weight,
         "how_applied": "Scored by the evaluation panel"}
        for key, weight in (("quality_innovation", 30), ("value", 30),
                            ("integration_collaboration_sustainability", 20),
                            ("access_inequalities_choice", 10), ("social_value", 10))])
    reference = one(db, "SELECT reference FROM decisions WHERE id = ?", decision)
    oconnor = one(db, "SELECT id FROM people WHERE name = 'Dr Niamh O''Connor'")
    db.close()
    return {"reference": reference, "oconnor": oconnor, "brookside": brookside}


def sign_out(page) -> None:
    click_through(page, "button:has-text('Sign out')")


def submit(page, button: str) -> None:
    """Click a submit button and wait for the page it leads to."""
    click_through(page, f"button:has-text('{button}')")


def test_secretary_submits_lead_rules_and_signs_off_secretary_records_outcome(page, live_app):
    from playwright.sync_api import expect

    from register.db import connect

    draft = complete_draft(live_app)
    reference, oconnor = draft["reference"], draft["oconnor"]
    db = connect(live_app.config["DATABASE"])
    # The menu counts what the queue lists for this lead (see reviews/queries.py).
    lead = db.execute("SELECT id, person_id FROM users WHERE username = 'governance'").fetchone()
    waiting = queue_count(db, Viewer(sees_all=True, user_id=lead[0], person_id=lead[1]))
    db.close()

    # The secretary checks the draft and submits it: conflicts were found.
    sign_in(page, "secretary")
    page.goto(f"/decisions/{reference}/check")
    submit(page, "Submit decision")
    assert page.url.endswith(f"/decisions/{reference}")
    sign_out(page)

    # The governance lead sees the count, opens the queue, then the review page.
    sign_in(page, "governance")
    queue_link = page.locator("a.nhsuk-header__navigation-link",
                              has_text=f"Governance queue ({waiting + 1})")
    assert queue_link.is_visible()
    with page.expect_navigation():
        queue_link.click()
    assert page.url.endswith("/reviews/")
    assert page.get_by_role("link", name=reference).is_visible()
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("link", name=reference).click()
    assert page.url.endswith(f"/reviews/{reference}")
    assert page.title().startswith(f"Review the conflicts on {reference}")
    leave = page.locator(f"input[name='ruling_{oconnor}'][value='leave_item']")
    assert leave.is_checked()
    quorum = page.locator("#quorum")
    assert "6 voting members remain" in quorum.inner_text()
    assert axe_violations(page) == []

    # Changing a ruling recounts the quorum and rewrites the statement on the page.
    page.locator(f"input[name='ruling_{oconnor}'][value='note_only']").check()
    expect(quorum).to_contain_text("7 voting members remain")
    expect(page.locator("#statement")).to_contain_text("note the interest, no further action")
    leave.check()
    expect(quorum).to_contain_text("6 voting members remain")
    expect(page.locator("#statement")).to_contain_text("must leave the meeting for the item")

    # A mistake first: signing without the password or the confirmation.
    submit(page, "Save rulings and sign off")
    assert page.title().startswith("Error: ")
    assert page.locator(".nhsuk-error-summary").get_by_text(
        "Enter your password to sign off").is_visible()
    assert axe_violations(page) == []
    from register.demo import DEMO_PASSWORD

    page.fill("#password", DEMO_PASSWORD)
    page.check("#confirm")
    submit(page, "Save rulings and sign off")
    assert page.url.endswith("/reviews/")
    assert page.get_by_text(f"{reference} signed off").is_visible()
    assert page.get_by_role("link", name=reference).count() == 0  # it has left the queue
    assert page.locator("a.nhsuk-header__navigation-link",
                        has_text=f"Governance queue ({waiting})").is_visible()
    sign_out(page)

    # The secretary records the outcome: O'Connor left the room and did not vote.
    sign_in(page, "secretary")
    page.goto(f"/reviews/{reference}/outcome")
    assert not page.locator(f"#present_{oconnor}").is_checked()
    assert axe_violations(page) == []
    submit(page, "Record the outcome")
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []
    page.locator("input[name='outcome'][value='make']").check()
    page.select_option("#awarded_provider", value=str(draft["brookside"]))
    page.fill("#votes_for", "5")
    page.fill("#votes_against", "1")
    page.fill("#votes_abstaining", "0")
    # She left before the discussion (typed in the wrong shape first), and the chair refused her
    # offer to hand her vote to Rajesh Kapoor: the reason comes from the rules.
    page.get_by_text("Dr Niamh O'Connor left the room for the item").click()
    page.fill(f"#left_at_{oconnor}", "2.70pm")
    page.locator(f"input[name='left_stage_{oconnor}'][value='discussion']").check()
    page.get_by_text("Record a proxy vote the chair refused").click()
    page.select_option("#refused_for_1", value=str(oconnor))
    page.select_option("#refused_to_1", label="Rajesh Kapoor")
    assert axe_violations(page) == []
    submit(page, "Record the outcome")
    assert page.title().startswith("Error: ")
    message = ("Enter the time Dr Niamh O'Connor left the room as a time of day, like 14:30 or "
               "2:30pm")
    assert page.locator(".nhsuk-error-summary").get_by_text(message).is_visible()
    assert page.locator(f"#left_at_{oconnor}").input_value() == "2.70pm"  # kept, and shown
    assert page.locator("#refused_reason_1").input_value().startswith(
        "Dr Niamh O'Connor is conflicted on this decision")
    assert axe_violations(page) == []
    page.fill(f"#left_at_{oconnor}", "2.20pm")  # read as 14:20
    submit(page, "Record the outcome")
    assert page.url.endswith(f"/reviews/{reference}/outcome")
    assert page.get_by_text("it is decided").is_visible()
    assert page.get_by_text("5 for, 1 against, 0 abstaining").is_visible()
    assert page.get_by_text("Left at 14:20, before the discussion").is_visible()
    assert page.get_by_text("Carried out: left the room at 14:20, before the discussion"
                            ).is_visible()
    assert page.locator("caption", has_text="Proxy votes the chair refused").is_visible()
    assert axe_violations(page) == []
    # Direct award C has a standstill: publishing waits for the award confirmation notice,
    # which can follow only once the standstill after the intention notice has ended.
    assert page.get_by_text("This route has a standstill").is_visible()
    submit(page, "Publish the decision")
    assert page.title().startswith("Error: ")
    assert page.locator(".nhsuk-error-summary").get_by_text(
        "Record the award confirmation notice before publishing").is_visible()
    assert axe_violations(page) == []
    page.goto(f"/decisions/{reference}")
    assert page.locator("a", has_text="Record the intention to award notice").is_visible()


def test_an_inquorate_review_asks_for_an_escalation_accessibly(page, live_app):
    from register.decisions import lifecycle

    draft = complete_draft(live_app)
    db = connect(live_app.config["DATABASE"])
    # A quorum of 7 voting members: with Dr O'Connor leaving the room, 6 remain.
    db.execute("UPDATE committees SET quorum_min_voting = 7 WHERE name = 'Primary Care Committee'")
    db.execute("UPDATE decisions SET status = 'awaiting_review', submitted_at = ? WHERE reference = ?",
               [utcnow_iso(), draft["reference"]])
    lifecycle.refresh_all(db)
    db.close()
    sign_in(page, "governance")
    page.goto(f"/reviews/{draft['reference']}")
    assert page.get_by_text("1 more voting member is needed").first.is_visible()
    assert page.get_by_role("heading", name="The meeting would be inquorate").is_visible()
    assert axe_violations(page) == []
    page.locator("input[name='escalation'][value='defer']").check()
    assert page.locator("#new_meeting_date-day").is_visible()
    submit(page, "Save rulings and record the escalation")
    assert page.title().startswith("Error: ")
    assert page.locator(".nhsuk-error-summary").get_by_text(
        "Enter the date of the meeting the decision is deferred to").is_visible()
    assert axe_violations(page) == []
    later = today_uk() + dt.timedelta(days=28)
    page.fill("#new_meeting_date-day", str(later.day))
    page.fill("#new_meeting_date-month", str(later.month))
    page.fill("#new_meeting_date-year", str(later.year))
    submit(page, "Save rulings and record the escalation")
    assert page.get_by_text("Escalation recorded").first.is_visible()
    assert page.locator("#password").is_visible()
    assert axe_violations(page) == []
