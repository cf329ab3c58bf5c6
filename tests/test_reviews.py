"""The governance review: the queue, rulings, quorum, escalations, sign-off and its refusals,
material changes, exclusion, and the outcome of the item, by role."""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import threading
from types import SimpleNamespace

import pytest

from register import audit, timeutil
from register.db import connect
from register.decisions import access, flagging, lifecycle
from register.reviews import queries
from register.rules.rulings import RULINGS
from register.rules.workflow import NOT_SIGNED_OFF
from register.timeutil import today_uk

from .conftest import (
    PASSWORD,
    add_committee,
    add_decision,
    add_interest,
    add_member,
    add_organisation,
    add_person,
    add_user,
    data_version,
    sign_in,
)
from .reading import words as text


def hidden(response, name: str) -> str:
    """The value of a hidden input on the page."""
    page = response.get_data(as_text=True)
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page) or \
        re.search(rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', page)
    assert match, f"no hidden {name}"
    return html.unescape(match.group(1))


def checked(response, name: str) -> str | None:
    """The value of the checked radio button in a group."""
    page = response.get_data(as_text=True)
    for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', page):
        if "checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def user_id(db, username: str) -> int:
    return db.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()[0]


def status_of(db, decision_id: int) -> str:
    return db.execute("SELECT status FROM decisions WHERE id = ?", [decision_id]).fetchone()[0]


def events(db, action: str) -> list[dict]:
    return [dict(r) for r in db.query("SELECT * FROM audit_events WHERE action = ? ORDER BY seq",
                                      [action])]


@pytest.fixture
def world(db):
    """Worked example 1 made conflicted: a Primary Care Committee (lay chair, 2 more lay, 2
    executives, 2 GP partners; quorum 4 with a lay member) awarding a service to a member
    practice. One GP is a partner there (home practice), the other holds shares in it."""
    practice = add_organisation(db, "Riverside Surgery", ods_code="Y90001", is_member_practice=1)
    other_practice = add_organisation(db, "Hill Surgery", ods_code="Y90002", is_member_practice=1)
    chair = add_person(db, "Hugh Pemberton")
    vice = add_person(db, "Eleanor Fairweather")
    lay = add_person(db, "Kwame Mensah")
    exec1 = add_person(db, "Sian Llewelyn")
    exec2 = add_person(db, "Rajesh Kapoor")
    gp1 = add_person(db, "Dr Asha Patel", home_practice_id=practice)
    gp2 = add_person(db, "Dr Niamh O'Connor", home_practice_id=other_practice)
    add_interest(db, gp1, organisation_id=practice, organisation_name="", nature="Partner",
                 date_from="2020-01-01", declared_on="2020-01-05")
    add_interest(db, gp2, organisation_id=practice, organisation_name="", nature="Shareholder",
                 date_from="2021-01-01", declared_on="2021-01-05")
    committee = add_committee(db, quorum_min_voting=4, quorum_min_lay=1)
    add_member(db, committee, chair, role="chair", category="lay")
    add_member(db, committee, vice, role="vice_chair", category="lay")
    add_member(db, committee, lay, category="lay")
    add_member(db, committee, exec1, category="executive")
    add_member(db, committee, exec2, category="executive")
    add_member(db, committee, gp1, category="gp")
    add_member(db, committee, gp2, category="gp")
    voting = (chair, vice, lay, exec1, exec2, gp1, gp2)
    return SimpleNamespace(practice=practice, committee=committee, chair=chair, vice=vice,
                           lay=lay, exec1=exec1, exec2=exec2, gp1=gp1, gp2=gp2, voting=voting)


def submitted(db, world, *, committee=None, status="awaiting_review",
              submitted_at="2026-03-02T10:00:00+00:00", **over) -> int:
    """A flagged decision as the secretary submitted it, its flags current."""
    decision = add_decision(db, committee or world.committee, providers=(world.practice,),
                            participants=tuple((p, "voting") for p in world.voting),
                            status=status, submitted_at=submitted_at, **over)
    flagging.current_flags(db, decision)
    return decision


@pytest.fixture
def lead(as_role):
    """A governance lead with no part in the decision."""
    return as_role("governance")


def reference(db, decision_id: int) -> str:
    return db.execute("SELECT reference FROM decisions WHERE id = ?", [decision_id]).fetchone()[0]


def review_form(client, ref: str, **over) -> dict:
    """What the review page would send as it stands (proposals selected), with changes."""
    page = client.get(f"/reviews/{ref}")
    assert page.status_code == 200, text(page)[:500]
    data = {"version": hidden(page, "version"), "statement_digest": hidden(page, "statement_digest"),
            "conflicts_digest": hidden(page, "conflicts_digest")}
    for name in set(re.findall(r'name="(ruling_\d+)"', page.get_data(as_text=True))):
        data[name] = checked(page, name)
    data.update(over)
    return data


def sign_off_data(client, ref: str, **over) -> dict:
    return review_form(client, ref, **{"action": "sign_off", "password": PASSWORD, "confirm": "y",
                                       **over})


# ---- the queue -----------------------------------------------------------------------------

def test_queue_shows_age_in_working_days_and_overdue_with_a_frozen_date(db, world, lead,
                                                                          monkeypatch):
    on_time = submitted(db, world, submitted_at="2026-03-03T09:00:00+00:00")  # Tuesday
    late = submitted(db, world, submitted_at="2026-03-02T09:00:00+00:00")  # Monday
    monkeypatch.setattr(timeutil, "today_uk", lambda: dt.date(2026, 3, 9))  # next Monday
    page = lead.get("/reviews/")
    words = text(page)
    assert page.status_code == 200
    # Oldest submitted first.
    assert words.index(reference(db, late)) < words.index(reference(db, on_time))
    assert "5 working days" in words and "4 working days" in words
    assert "Overdue" not in words
    monkeypatch.setattr(timeutil, "today_uk", lambda: dt.date(2026, 3, 10))
    words = text(lead.get("/reviews/"))
    assert words.count("Overdue") == 1
    assert "6 working days Overdue" in words


def test_bank_holidays_do_not_count_towards_the_age(db, world, lead, monkeypatch):
    submitted(db, world, submitted_at="2026-04-02T09:00:00+00:00")  # Thursday before Easter
    monkeypatch.setattr(timeutil, "today_uk", lambda: dt.date(2026, 4, 7))
    assert "1 working day " in text(lead.get("/reviews/")) + " "


def test_queue_count_is_in_the_navigation_of_every_page_for_governance_leads(db, world, lead,
                                                                              as_role):
    submitted(db, world)
    submitted(db, world, status="escalated")
    add_decision(db, world.committee, status="ready_for_decision")  # nothing flagged
    assert "Governance queue (2)" in text(lead.get("/"))
    assert "Governance queue (2)" in text(lead.get("/people/"))
    assert "Governance queue" not in text(as_role("secretary").get("/"))


def test_the_menu_count_is_the_number_of_rows_in_the_queue(db, world, as_role):
    submitted(db, world)
    submitted(db, world, status="escalated")
    submitted(db, world, status="awaiting_ratification")
    lead = as_role("governance", person_id=world.voting[0])
    # The lead is excluded from two decisions' papers: neither the rows nor the count have them.
    for _ in range(2):
        db["decision_rulings"].insert({"decision_id": submitted(db, world),
                                       "person_id": world.voting[0], "ruling": "exclude_all",
                                       "ruled_at": "2026-03-02T10:00:00Z"})
    page = lead.get("/reviews/").get_data(as_text=True)
    rows = len(re.findall(r'<a href="/reviews/MOB-', page))
    assert rows == 3
    assert f"Governance queue ({rows})" in html.unescape(page)
    assert f"{rows} decisions in the queue" in text(lead.get("/reviews/"))


def test_queue_shows_the_number_of_conflicted_people(db, world, lead):
    ref = reference(db, submitted(db, world))
    row = re.search(rf"{ref}.*?</tr>", lead.get("/reviews/").get_data(as_text=True), re.S).group(0)
    assert re.sub(r"<[^>]+>", " ", row).split()[-1] == "2"


@pytest.mark.parametrize("role", ["secretary", "member", "auditor", "admin"])
def test_only_governance_leads_see_the_queue(as_role, role):
    assert as_role(role).get("/reviews/").status_code == 403


# ---- the review page -----------------------------------------------------------------------

def test_review_page_proposes_rulings_and_shows_the_quorum_with_its_arithmetic(db, world, lead):
    ref = reference(db, submitted(db, world))
    page = lead.get(f"/reviews/{ref}")
    words = text(page)
    assert checked(page, f"ruling_{world.gp1}") == "leave_item"
    assert checked(page, f"ruling_{world.gp2}") == "leave_item"
    assert "home practice stands to gain" in words.lower()
    assert "7 voting members present" in words
    assert "1 GP leaves the meeting for the item (home practice stands to gain)" in words
    assert "1 GP leaves the meeting for the item (direct interest)" in words
    assert "5 voting members remain; the rule needs at least 4" in words
    assert "3 lay members remain; the rule needs at least 1" in words
    assert "Quorate" in words and "The chair takes the item" in words
    assert "I, Governance Person (Governance lead), confirm" in words
    assert "Dr Asha Patel: must leave the meeting for the item" in words


@pytest.mark.parametrize(("policy", "ruling", "words"), [
    ("discuss_not_vote", "no_vote", "the committee's policy is that they may take part in the "
                                    "discussion but not vote"),
    ("leave", "leave_item", "the committee's policy is that they leave the meeting for the item"),
])
def test_a_scheme_for_every_practice_proposes_the_committees_common_interest_policy(
        db, world, lead, policy, ruling, words):
    """Direct Award B naming each member practice as a provider: the GP partner's home practice
    is paid like every other, so the committee's policy is proposed, with it as the reason."""
    db["committees"].update(world.committee, {"common_interest_policy": policy})
    decision = add_decision(db, world.committee, providers=(world.practice,),
                            participants=tuple((p, "voting") for p in world.voting),
                            status="awaiting_review", submitted_at="2026-03-02T10:00:00+00:00",
                            process="direct_award_b", offered_to_all_member_practices=1)
    flagging.current_flags(db, decision)
    page = lead.get(f"/reviews/{reference(db, decision)}")
    assert checked(page, f"ruling_{world.gp1}") == ruling
    assert f"A common interest: {words}" in text(page)


def test_quorum_endpoint_recounts_with_the_rulings_selected(db, world, lead):
    ref = reference(db, submitted(db, world))
    data = review_form(lead, ref)
    data[f"ruling_{world.gp1}"] = "note_only"
    result = lead.post(f"/reviews/{ref}/quorum", data=data).get_json()
    assert result["quorate"] is True
    assert "6 voting members remain; the rule needs at least 4" in result["arithmetic"]
    assert "Dr Asha Patel: note the interest, no further action." in result["statement"]
    assert result["digest"] != data["statement_digest"]


def test_sign_off_records_who_when_the_statement_and_the_content_hash(db, world, lead):
    decision = submitted(db, world)
    ref = reference(db, decision)
    response = lead.post(f"/reviews/{ref}", data=sign_off_data(lead, ref))
    assert response.status_code == 302 and response.headers["Location"].endswith("/reviews/")
    assert status_of(db, decision) == "signed_off"
    row = dict(next(iter(db.query("SELECT * FROM sign_offs WHERE decision_id = ?", [decision]))))
    assert row["signer_name"] == "Governance Person" and row["signer_role"] == "Governance lead"
    assert row["signed_at"].endswith("+00:00")
    assert "Dr Niamh O'Connor: must leave the meeting for the item" in row["statement"]
    snapshot = lifecycle.content_snapshot(db, decision)
    assert row["content_hash"] == hashlib.sha256(
        audit.canonical(snapshot).encode("utf-8")).hexdigest()
    assert snapshot["rulings"] == sorted([[world.gp1, "leave_item", 0],
                                          [world.gp2, "leave_item", 0]])
    page = text(lead.get(f"/reviews/{ref}"))
    assert "Signed off by Governance Person (Governance lead)" in page
    assert "GMT" in page or "BST" in page
    assert [e["action"] for e in audit.history(db, "decision", decision)][-2:] == \
        ["rulings", "sign_off"]


def test_a_typical_decision_clears_in_three_page_loads(db, world, lead):
    ref = reference(db, submitted(db, world))
    queue = lead.get("/reviews/")                                    # 1: the queue
    assert ref in text(queue)
    data = sign_off_data(lead, ref)                                  # 2: the review page
    after = lead.post(f"/reviews/{ref}", data=data, follow_redirects=True)  # 3: back to the queue
    assert "signed off" in text(after) and "There are no decisions waiting" in text(after)


def test_sign_off_needs_password_and_confirmation(db, world, lead):
    ref = reference(db, submitted(db, world))
    data = sign_off_data(lead, ref)
    del data["confirm"]
    data["password"] = ""
    words = text(lead.post(f"/reviews/{ref}", data=data))
    assert "Enter your password to sign off" in words
    assert "Confirm the statement to sign off" in words
    assert words.startswith("Error: ") or "Error: Review" in words


def test_a_changed_ruling_must_be_confirmed_against_the_new_statement(db, world, lead):
    decision = submitted(db, world)
    ref = reference(db, decision)
    data = sign_off_data(lead, ref, **{f"ruling_{world.gp2}": "no_vote"})
    response = lead.post(f"/reviews/{ref}", data=data)
    assert "The statement changed with the rulings you chose" in text(response)
    assert status_of(db, decision) == "awaiting_review"
    data["statement_digest"] = hidden(response, "statement_digest")
    assert lead.post(f"/reviews/{ref}", data=data).status_code == 302
    assert queries.ruling_for(db, decision, world.gp2) == "no_vote"
    # The record says, in words, what was proposed instead (it is printed in the audit PDFs).
    proposed, reason = db.execute(
        "SELECT proposed_ruling, reason FROM decision_rulings WHERE decision_id = ?"
        " AND person_id = ?", [decision, world.gp2]).fetchone()
    assert reason.startswith(f"Changed from the proposal, “{RULINGS[proposed]}”: ")
    assert f"({proposed})" not in reason


def test_wrong_password_is_refused_and_audited(db, world, lead):
    decision = submitted(db, world)
    ref = reference(db, decision)
    response = lead.post(f"/reviews/{ref}", data=sign_off_data(lead, ref, password="not it at all"))
    assert "The password is not correct" in text(response)
    assert db.execute("SELECT count(*) FROM sign_offs").fetchone()[0] == 0
    refused = events(db, "sign_off_refused")
    assert len(refused) == 1 and "password" in refused[0]["changes"]


def test_wrong_sign_off_passwords_count_towards_the_lockout_and_end_the_session(db, world, lead):
    decision = submitted(db, world)
    ref = reference(db, decision)
    data = sign_off_data(lead, ref, password="not it at all")
    for _ in range(10):
        assert "The password is not correct" in text(lead.post(f"/reviews/{ref}", data=data))
    eleventh = lead.post(f"/reviews/{ref}", data=data)
    assert eleventh.status_code == 302 and "/sign-in" in eleventh.location
    assert "too many attempts" in text(lead.get(eleventh.location))
    # The session has ended, and the right password does not sign back in from this address.
    assert lead.get(f"/reviews/{ref}").status_code == 302
    assert "too many attempts" in text(lead.post("/sign-in", data={"username": "governance",
                                                                  "password": PASSWORD}))
    assert db.execute("SELECT count(*) FROM sign_offs").fetchone()[0] == 0
    assert status_of(db, decision) == "awaiting_review"


def test_a_conflicted_governance_lead_is_refused_and_it_is_audited(db, world, as_role):
    decision = submitted(db, world)
    ref = reference(db, decision)
    conflicted = as_role("governance", person_id=world.gp1)
    page = conflicted.get(f"/reviews/{ref}")
    assert "You are conflicted on this decision" in text(page)
    assert 'name="password"' not in page.get_data(as_text=True)
    data = {"action": "sign_off", "password": PASSWORD, "confirm": "y",
            "version": "1", f"ruling_{world.gp1}": "note_only"}
    response = conflicted.post(f"/reviews/{ref}", data=data)
    assert response.status_code == 403
    assert "You are conflicted on this decision, so you cannot sign it off" in text(response)
    assert db.execute("SELECT count(*) FROM sign_offs").fetchone()[0] == 0
    assert status_of(db, decision) == "awaiting_review"
    [event] = events(db, "sign_off_refused")
    assert event["actor"] == "governance" and "conflicted" in event["changes"]


def test_the_decisions_author_cannot_sign_it_off(db, world, as_role):
    author = as_role("governance")
    decision = submitted(db, world, author_user_id=user_id(db, "governance"))
    ref = reference(db, decision)
    response = author.post(f"/reviews/{ref}", data={"action": "sign_off", "password": PASSWORD,
                                                     "confirm": "y"})
    assert response.status_code == 403
    assert "You wrote this decision, so you cannot sign it off" in text(response)
    assert "wrote this decision" in events(db, "sign_off_refused")[0]["changes"]


def test_the_clinical_lead_cannot_sign_it_off(db, world, as_role):
    clinical_lead = add_person(db, "Dr Lead")
    client = as_role("governance", person_id=clinical_lead)
    ref = reference(db, submitted(db, world, clinical_lead_id=clinical_lead))
    response = client.post(f"/reviews/{ref}", data={"action": "sign_off"})
    assert response.status_code == 403
    assert "clinical lead" in text(response)


@pytest.mark.parametrize("role", ["member", "secretary", "auditor", "admin"])
def test_other_roles_cannot_sign_off_and_the_attempt_is_audited(db, world, as_role, role):
    decision = submitted(db, world)
    ref = reference(db, decision)
    client = as_role(role)
    response = client.post(f"/reviews/{ref}", data={"action": "sign_off", "password": PASSWORD,
                                                     "confirm": "y"})
    assert response.status_code == 403
    assert status_of(db, decision) == "awaiting_review"
    [event] = events(db, "sign_off_refused")
    assert event["actor"] == role and "Only a governance lead" in event["changes"]
    assert client.get(f"/reviews/{ref}").status_code == 403


def test_a_replayed_sign_off_form_does_not_sign_twice(db, world, lead):
    decision = submitted(db, world)
    ref = reference(db, decision)
    data = sign_off_data(lead, ref)
    assert lead.post(f"/reviews/{ref}", data=data).status_code == 302
    again = lead.post(f"/reviews/{ref}", data=data)
    assert again.status_code == 409
    assert "This decision has already been signed off by Governance Person" in text(again)
    assert db.execute("SELECT count(*) FROM sign_offs").fetchone()[0] == 1


def test_two_leads_signing_at_once_record_exactly_one_sign_off(app, db, world, as_role):
    decision = submitted(db, world)
    ref = reference(db, decision)
    first = as_role("governance", username="lead-one")
    second = as_role("governance", username="lead-two")
    forms = [sign_off_data(first, ref), sign_off_data(second, ref)]
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def sign(index, client):
        barrier.wait()
        results[index] = client.post(f"/reviews/{ref}", data=forms[index])

    threads = [threading.Thread(target=sign, args=(i, c)) for i, c in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    check = connect(app.config["DATABASE"])
    assert check.execute("SELECT count(*) FROM sign_offs WHERE decision_id = ?",
                         [decision]).fetchone()[0] == 1
    codes = sorted(r.status_code for r in results)
    assert codes == [302, 409]
    loser = next(r for r in results if r.status_code == 409)
    signer = check.execute("SELECT signer_name FROM sign_offs").fetchone()[0]
    assert f"This decision has already been signed off by {signer}" in text(loser)
    check.close()


def test_the_partial_unique_index_refuses_a_second_sign_off_in_force(db, world):
    import sqlite3

    decision = submitted(db, world)
    uid = add_user(db, role="governance", username="x")
    row = {"decision_id": decision, "signer_user_id": uid, "signer_name": "A", "signer_role": "B",
           "statement": "s", "content_hash": "h", "signed_at": "2026-03-01T00:00:00+00:00"}
    db["sign_offs"].insert(row)
    with pytest.raises(sqlite3.IntegrityError):
        db["sign_offs"].insert(row)


# ---- out of order and by the wrong role ----------------------------------------------------

def test_transitions_out_of_order_are_refused_with_the_status_machines_message(db, world, lead,
                                                                               as_role):
    decision = submitted(db, world)
    ref = reference(db, decision)
    secretary = as_role("secretary")
    response = secretary.post(f"/reviews/{ref}/outcome", data={"outcome": "make"})
    assert response.status_code == 409 and NOT_SIGNED_OFF in text(response)
    response = secretary.post(f"/reviews/{ref}/publish")
    assert response.status_code == 409
    assert "Only a decided decision can be published" in text(response)
    response = lead.post(f"/reviews/{ref}/ratify", data={})
    assert response.status_code == 409 and "cannot be ratified" in text(response)
    draft = reference(db, submitted(db, world, status="draft"))
    response = lead.post(f"/reviews/{draft}", data={"action": "sign_off"})
    assert response.status_code == 409
    assert "This decision is still a draft, so it cannot be signed off" in text(response)
    assert status_of(db, decision) == "awaiting_review"


@pytest.mark.parametrize("role, method, path", [
    ("governance", "post", "outcome"), ("governance", "get", "outcome"),
    ("governance", "post", "publish"), ("member", "post", "withdraw"),
    ("governance", "post", "withdraw"), ("secretary", "post", "ratify"),
    ("secretary", "post", "quorum"), ("auditor", "post", "ratify"),
])
def test_wrong_roles_get_403(db, world, as_role, role, method, path):
    ref = reference(db, submitted(db, world))
    client = as_role(role)
    assert getattr(client, method)(f"/reviews/{ref}/{path}").status_code == 403


def test_return_for_more_information_needs_a_reason(db, world, lead, as_role):
    decision = submitted(db, world)
    ref = reference(db, decision)
    data = review_form(lead, ref, action="return")
    assert "Enter what more information is needed" in text(lead.post(f"/reviews/{ref}",
                                                                     data=data))
    data["return_reason"] = "Which practices will deliver it?"
    assert lead.post(f"/reviews/{ref}", data=data).status_code == 302
    assert status_of(db, decision) == "returned"
    event = audit.history(db, "decision", decision)[-1]
    assert event["action"] == "return" and event["changes"]["reason"] == data["return_reason"]
    # The board secretary sees what was asked, by whom, on the decision, its form and its check
    # page, and in its history; the words are escaped like all user text.
    secretary = as_role("secretary", username="sec2")
    for path in (f"/decisions/{ref}", f"/decisions/{ref}/edit", f"/decisions/{ref}/check"):
        page = text(secretary.get(path))
        assert "Returned for more information" in page, path
        assert "Which practices will deliver it?" in page, path
        assert "Governance Person returned this decision" in page, path
    assert "Returned for more information: “Which practices will deliver it?”" in text(
        secretary.get(f"/decisions/{ref}"))


def test_save_rulings_only_keeps_the_decision_in_the_queue(db, world, lead):
    decision = submitted(db, world)
    ref = reference(db, decision)
    data = review_form(lead, ref, action="save", **{f"ruling_{world.gp2}": "no_vote"})
    assert lead.post(f"/reviews/{ref}", data=data).status_code == 302
    assert status_of(db, decision) == "awaiting_review"
    assert queries.ruling_for(db, decision, world.gp2) == "no_vote"
    assert checked(lead.get(f"/reviews/{ref}"), f"ruling_{world.gp2}") == "no_vote"
    # The same form again is stale: the first save moved the version on.
    again = lead.post(f"/reviews/{ref}", data={**data, f"ruling_{world.gp2}": "leave_item"})
    assert "Someone else changed this decision" in text(again)
    assert queries.ruling_for(db, decision, world.gp2) == "no_vote"


def test_the_sole_expertise_exception_needs_reason_and_mitigation(db, world, lead):
    ref = reference(db, submitted(db, world))
    data = review_form(lead, ref, action="save", **{f"exception_{world.gp1}": "y",
                                                    f"ruling_{world.gp1}": "leave_item"})
    words = text(lead.post(f"/reviews/{ref}", data=data))
    # The exception lets them take part: it cannot go with leaving the meeting.
    assert ("The sole-expertise exception lets Dr Asha Patel take part, so it cannot go with "
            "‘must leave the meeting for the item’") in words
    data[f"ruling_{world.gp1}"] = "no_vote"
    words = text(lead.post(f"/reviews/{ref}", data=data))
    assert "Enter why Dr Asha Patel is the only one with the expertise needed" in words
    data[f"exception_reason_{world.gp1}"] = "The only GP with an anticoagulation special interest"
    words = text(lead.post(f"/reviews/{ref}", data=data))
    assert "Enter the steps taken so that no provider gains an unfair advantage" in words
    data[f"exception_mitigation_{world.gp1}"] = "Does not vote; evaluation scored independently"
    assert lead.post(f"/reviews/{ref}", data=data).status_code == 302


# ---- possible name matches -----------------------------------------------------------------

def test_a_possible_match_is_dismissed_with_a_reason_or_confirmed_into_a_conflict(db, world,
                                                                                 lead):
    company = add_organisation(db, "Go-To-Doc Ltd", kind="independent")
    decision = add_decision(db, world.committee, providers=(world.practice, company),
                            participants=tuple((p, "voting") for p in world.voting),
                            status="awaiting_review", submitted_at="2026-03-02T10:00:00+00:00")
    interest = add_interest(db, world.lay, organisation_name="GoToDoc Limited",
                            interest_type="non_financial_professional", nature="Adviser")
    flagging.current_flags(db, decision)
    ref = reference(db, decision)
    page = lead.get(f"/reviews/{ref}")
    assert "Possible matches by name" in text(page)
    assert "1 possible name match to confirm or dismiss" in text(lead.get("/reviews/"))
    key = f"match_{world.lay}_{interest}"
    data = review_form(lead, ref, action="save", **{key: "dismiss"})
    assert "Enter why this is not the same organisation" in text(lead.post(f"/reviews/{ref}",
                                                                          data=data))
    data[key] = "confirm"
    response = lead.post(f"/reviews/{ref}", data=data)
    words = text(response)
    assert "Check the ruling for Kwame Mensah: confirming the name match makes them conflicted" \
        in words
    assert checked(response, f"ruling_{world.lay}") == "no_vote"  # non-financial: no vote
    data[f"ruling_{world.lay}"] = "no_vote"
    data["version"] = hidden(response, "version")
    assert lead.post(f"/reviews/{ref}", data=data).status_code == 302
    assert db.execute("SELECT outcome FROM match_resolutions").fetchone()[0] == "confirmed"
    assert queries.ruling_for(db, decision, world.lay) == "no_vote"
    # Confirming links the interest to the organisation for good (issue 11): the decision now
    # sees a direct interest, not a possible one, and the queue counts Kwame Mensah as conflicted.
    linked = db.execute("SELECT organisation_id, version FROM interests WHERE id = ?",
                        [interest]).fetchone()
    assert tuple(linked) == (company, 2)
    decision_page = text(lead.get(f"/decisions/{ref}"))
    assert "Kwame Mensah holds an interest in Go-To-Doc Ltd" in decision_page
    assert "(possible conflict)" not in decision_page
    queue_page = text(lead.get("/reviews/"))
    assert "possible name match to confirm" not in queue_page


# ---- inquorate and escalations -------------------------------------------------------------

@pytest.fixture
def tight(db, world):
    """The same decision before a committee whose quorum is 6: losing both GPs leaves 5."""
    db.execute("UPDATE committees SET quorum_min_voting = 6 WHERE id = ?", [world.committee])
    return submitted(db, world)


def test_inquorate_sign_off_is_refused_until_an_escalation_is_recorded(db, world, lead, tight):
    ref = reference(db, tight)
    page = lead.get(f"/reviews/{ref}")
    words = text(page)
    assert "Inquorate" in words and "1 more voting member is needed" in words
    assert "The meeting would be inquorate" in words
    assert "Sign-off waits until an escalation is recorded" in words
    data = review_form(lead, ref, action="sign_off", password=PASSWORD, confirm="y")
    response = lead.post(f"/reviews/{ref}", data=data)
    assert "would be inquorate after these rulings (1 more voting member is needed" in \
        text(response)
    assert status_of(db, tight) == "awaiting_review"


def _escalate(lead, ref, **fields):
    return lead.post(f"/reviews/{ref}", data=review_form(lead, ref, action="escalate", **fields))


def _sign_after_escalation(lead, db, decision):
    ref = reference(db, decision)
    return lead.post(f"/reviews/{ref}", data=sign_off_data(lead, ref))


def test_defer_needs_a_later_meeting_date(db, world, lead, tight):
    ref = reference(db, tight)
    early = {"escalation": "defer", "new_meeting_date-day": "1", "new_meeting_date-month": "3",
             "new_meeting_date-year": "2026"}
    assert "must be after the original meeting on 10 March 2026" in text(_escalate(lead, ref,
                                                                                  **early))
    later = {**early, "new_meeting_date-day": "14", "new_meeting_date-month": "4"}
    assert _escalate(lead, ref, **later).status_code == 302
    assert status_of(db, tight) == "escalated"
    assert "Deferred to the meeting on 14 April 2026" in text(lead.get(f"/reviews/{ref}"))
    assert _sign_after_escalation(lead, db, tight).status_code == 302
    assert status_of(db, tight) == "signed_off"
    statement = db.execute("SELECT statement FROM sign_offs").fetchone()[0]
    assert "Deferred to the meeting on 14 April 2026" in statement


def test_refer_checks_a_committee_in_the_register_for_conflicts(db, world, lead, tight):
    ref = reference(db, tight)
    assert "different committee" in text(_escalate(lead, ref, escalation="refer",
                                                   referred_to="primary care committee"))
    other = add_committee(db, "Audit Committee", quorum_min_voting=2, quorum_min_lay=0)
    add_member(db, other, world.gp1, category="gp")  # a partner at the provider
    add_member(db, other, world.exec1, category="executive")
    add_member(db, other, world.vice, category="lay")
    assert _escalate(lead, ref, escalation="refer", referred_to="Audit committee").status_code == 302
    row = db.execute("SELECT kind, details FROM escalations").fetchone()
    details = json.loads(row[1])
    assert row[0] == "refer" and details["referred_to"] == "Audit Committee"
    assert [c["name"] for c in details["conflicted"]] == ["Dr Asha Patel"]
    assert "Dr Asha Patel (must leave the meeting for the item)" in text(lead.get(f"/reviews/{ref}"))


def test_refer_to_a_committee_that_would_be_inquorate_too_is_refused(db, world, lead, tight):
    other = add_committee(db, "Finance Committee", quorum_min_voting=2, quorum_min_lay=0)
    add_member(db, other, world.gp1, category="gp")
    add_member(db, other, world.exec1, category="executive")
    words = text(_escalate(lead, reference(db, tight), escalation="refer",
                           referred_to="Finance Committee"))
    assert "The Finance Committee would be inquorate on this decision too" in words
    assert status_of(db, tight) == "awaiting_review"


def test_refer_to_the_partner_organisation(db, world, lead, tight):
    ref = reference(db, tight)
    assert _escalate(lead, ref, escalation="refer",
                     referred_to="NHS Northvale Integrated Care Board").status_code == 302
    assert status_of(db, tight) == "escalated"


def test_co_opted_members_must_not_be_conflicted_and_must_restore_quorum(db, world, lead, tight):
    ref = reference(db, tight)
    outsider_gp = add_person(db, "Dr Outside Area")
    partner = add_person(db, "Dr Riverside Partner", home_practice_id=world.practice)
    words = text(_escalate(lead, ref, escalation="co_opt", co_opt_person_1=str(partner),
                           co_opt_category_1="gp"))
    assert "Dr Riverside Partner is conflicted on this decision, so cannot be co-opted" in words
    words = text(_escalate(lead, ref, escalation="co_opt", co_opt_person_1=str(outsider_gp)))
    assert "Select the category of the member to co-opt" in words
    words = text(_escalate(lead, ref, escalation="co_opt", co_opt_person_1=str(outsider_gp),
                           co_opt_category_1="gp", co_opt_person_2=str(outsider_gp),
                           co_opt_category_2="gp"))
    assert "This person is already chosen above: choose each member to co-opt once" in words
    assert _escalate(lead, ref, escalation="co_opt", co_opt_person_1=str(outsider_gp),
                     co_opt_category_1="gp").status_code == 302
    page = text(lead.get(f"/reviews/{ref}"))
    assert "Co-opted Dr Outside Area (GP)" in page
    assert "6 voting members remain; the rule needs at least 6" in page
    assert "including 1 co-opted for the item: Dr Outside Area (GP)" in page
    assert "How the decision will be taken" in page
    assert "The meeting would be inquorate" not in page
    assert _sign_after_escalation(lead, db, tight).status_code == 302
    assert status_of(db, tight) == "signed_off"


def test_chair_action_waits_for_ratification_at_a_quorate_meeting(db, world, lead, tight,
                                                                  as_role):
    ref = reference(db, tight)
    words = text(_escalate(lead, ref, escalation="chair_action", chair_person=str(world.gp1),
                           officer_person=str(world.exec1)))
    assert "Dr Asha Patel is conflicted on this decision" in words
    assert _escalate(lead, ref, escalation="chair_action", chair_person=str(world.chair),
                     officer_person=str(world.exec1)).status_code == 302
    assert _sign_after_escalation(lead, db, tight).status_code == 302
    assert status_of(db, tight) == "awaiting_ratification"
    secretary = as_role("secretary")
    response = secretary.post(f"/reviews/{ref}/outcome", data={})
    assert response.status_code == 409
    page = lead.get(f"/reviews/{ref}")
    assert "Record the ratification" in text(page)
    response = lead.post(f"/reviews/{ref}/ratify", data={
        "meeting_date-day": "14", "meeting_date-month": "4", "meeting_date-year": "2026"})
    assert "Confirm the ratifying meeting was quorate" in text(response)
    tomorrow = today_uk() + dt.timedelta(days=1)
    response = lead.post(f"/reviews/{ref}/ratify", data={
        "meeting_date-day": str(tomorrow.day), "meeting_date-month": str(tomorrow.month),
        "meeting_date-year": str(tomorrow.year), "quorate": "y"})
    assert "The ratifying meeting must have taken place: enter a date today or earlier" in \
        text(response)
    assert status_of(db, tight) == "awaiting_ratification"
    assert lead.post(f"/reviews/{ref}/ratify", data={
        "meeting_date-day": "14", "meeting_date-month": "4", "meeting_date-year": "2026",
        "quorate": "y"}).status_code == 302
    assert status_of(db, tight) == "signed_off"
    assert db.execute("SELECT ratified_meeting_date FROM escalations").fetchone()[0] == \
        "2026-04-14"
    assert secretary.get(f"/reviews/{ref}/outcome").status_code == 200


def test_a_quorate_meeting_has_nothing_to_escalate(db, world, lead):
    ref = reference(db, submitted(db, world))
    words = text(_escalate(lead, ref, escalation="defer"))
    assert "nothing to escalate" in words


# ---- material change -----------------------------------------------------------------------

def _signed(db, world, lead):
    decision = submitted(db, world)
    ref = reference(db, decision)
    assert lead.post(f"/reviews/{ref}", data=sign_off_data(lead, ref)).status_code == 302
    return decision, ref


def test_a_new_interest_voids_the_sign_off_and_returns_it_to_the_queue(db, world, lead):
    decision, ref = _signed(db, world, lead)
    add_interest(db, world.lay, organisation_id=world.practice, organisation_name="",
                 nature="Spouse is practice manager", is_indirect=1,
                 associate_relationship="spouse", date_from="2024-01-01",
                 declared_on="2024-01-05")
    page = text(lead.get(f"/reviews/{ref}"))
    assert "Sign-off voided" in page
    assert "The decision changed after it was signed off: the conflicts flagged" in page
    assert status_of(db, decision) == "awaiting_review"
    row = db.execute("SELECT voided_at, void_reason FROM sign_offs").fetchone()
    assert row[0] and "conflicts flagged" in row[1]
    assert ref in text(lead.get("/reviews/"))
    # The application itself voids it, on noticing the change.
    assert events(db, "void_sign_off")[0]["actor"] == "system"
    # Signed off again, the voided sign-off is history behind a link, not a warning.
    new_ruling = {f"ruling_{world.lay}": "leave_item"}
    response = lead.post(f"/reviews/{ref}", data=sign_off_data(lead, ref, **new_ruling))
    assert response.status_code == 302
    page = text(lead.get(f"/reviews/{ref}"))
    assert "Earlier sign-offs voided (1)" in page
    assert "Sign-off voided" not in page


def test_the_decision_page_shows_the_status_after_a_change_voids_the_sign_off(db, world, lead,
                                                                             as_role):
    decision, ref = _signed(db, world, lead)
    add_interest(db, world.lay, organisation_id=world.practice, organisation_name="",
                 nature="Spouse is practice manager", is_indirect=1,
                 associate_relationship="spouse", date_from="2024-01-01",
                 declared_on="2024-01-05")
    # The first page opened after the change already shows where the decision now stands.
    page = as_role("secretary", username="sec3").get(f"/decisions/{ref}").get_data(as_text=True)
    assert "Awaiting governance review" in page
    assert "Record the outcome" not in page
    assert status_of(db, decision) == "awaiting_review"


def test_a_changed_value_voids_the_sign_off_naming_the_value(db, world, lead):
    decision, ref = _signed(db, world, lead)
    db.execute("UPDATE decisions SET total_value_pence = 2000000 WHERE id = ?", [decision])
    reasons = lifecycle.refresh(db, [decision])
    assert reasons == ["The decision changed after it was signed off: the value."]
    assert status_of(db, decision) == "awaiting_review"
    assert lifecycle.refresh(db, [decision]) == []


def test_nothing_changed_leaves_the_sign_off_in_force(db, world, lead):
    decision, _ref = _signed(db, world, lead)
    assert lifecycle.refresh(db, [decision]) == []
    assert status_of(db, decision) == "signed_off"


def test_a_provider_change_voids_a_chair_action_awaiting_ratification(db, world, lead, tight):
    ref = reference(db, tight)
    _escalate(lead, ref, escalation="chair_action", chair_person=str(world.chair),
              officer_person=str(world.exec1))
    _sign_after_escalation(lead, db, tight)
    assert status_of(db, tight) == "awaiting_ratification"
    trust = add_organisation(db, "Northvale Hospitals", kind="trust", ods_code="R9A")
    db["decision_providers"].insert({"decision_id": tight, "organisation_id": trust})
    lifecycle.refresh(db, [tight])
    assert db.execute("SELECT void_reason FROM sign_offs WHERE decision_id = ?",
                      [tight]).fetchone()[0] == \
        "The decision changed after it was signed off: the providers."
    assert status_of(db, tight) == "awaiting_review"
    assert queries.current_escalation(db, tight) is None


def test_a_void_is_made_once_by_the_write_that_changed_the_decision(db, world, lead):
    """The write that changes the facts voids the sign-off; reading afterwards changes nothing."""
    decision, ref = _signed(db, world, lead)
    add_interest(db, world.exec1, organisation_id=world.practice, organisation_name="",
                 date_from="2024-01-01", declared_on="2024-01-05")
    assert status_of(db, decision) == "awaiting_review"
    version = data_version(db)
    assert "Sign-off voided" in text(lead.get(f"/reviews/{ref}"))
    assert data_version(db) == version
    assert db.execute("SELECT count(*) FROM sign_offs WHERE voided_at IS NOT NULL").fetchone()[0] \
        == 1
    assert len(events(db, "void_sign_off")) == 1
    assert lifecycle.refresh(db, [decision]) == []


def test_a_decision_flagged_after_submission_joins_the_queue(db, world, lead):
    lay_only = add_committee(db, "Lay Committee", quorum_min_voting=1, quorum_min_lay=0)
    trust = add_organisation(db, "Northvale Hospitals", kind="trust", ods_code="R9A")
    decision = add_decision(db, lay_only, providers=(trust,), participants=((world.lay, "voting"),),
                            status="ready_for_decision", submitted_at="2026-03-02T10:00:00+00:00")
    assert status_of(db, decision) == "ready_for_decision"
    add_interest(db, world.lay, organisation_id=trust, organisation_name="",
                 date_from="2024-01-01", declared_on="2024-01-05")
    # The write that declared the interest moved it into the queue.
    assert status_of(db, decision) == "awaiting_review"
    moved = events(db, "flags_raised")
    assert moved and "Conflicts were flagged after it was submitted" in str(moved[-1]["changes"])
    assert reference(db, decision) in text(lead.get("/reviews/"))


# ---- exclusion -----------------------------------------------------------------------------

def test_a_person_excluded_from_the_papers_cannot_open_the_decision(db, world, lead, as_role):
    decision, ref = _signed(db, world, lead)
    gp1, lay = (SimpleNamespace(id=None, person_id=p, can=lambda _c: True)
                for p in (world.gp1, world.lay))
    assert access.excluded_ids(db, gp1) == set()
    db.execute("UPDATE decision_rulings SET ruling = 'exclude_all' WHERE person_id = ?",
               [world.gp1])
    assert access.excluded_ids(db, gp1) == {decision}
    assert access.excluded_ids(db, lay) == set()
    assert access.excluded_ids(db, access.Viewer(sees_all=True)) == set()
    excluded_secretary = as_role("secretary", person_id=world.gp1)
    response = excluded_secretary.get(f"/reviews/{ref}/outcome")
    assert response.status_code == 403
    words = text(response)
    assert "You are excluded from this decision" in words
    assert "Riverside Surgery" not in words and "Dr Niamh" not in words
    # The decision page, its JSON and the register keep the details from them too.
    page = excluded_secretary.get(f"/decisions/{ref}")
    assert page.status_code == 403
    assert "You are excluded from this decision" in text(page)
    assert "Riverside Surgery" not in text(page)
    assert excluded_secretary.get(f"/decisions/{ref}.json").status_code == 403
    # The register names it only to say they are excluded; its title is not there.
    title = db["decisions"].get(decision)["title"]
    register = text(excluded_secretary.get("/decisions/register"))
    assert f"not listed here: {ref}" in register and title not in register
    assert title in text(lead.get("/decisions/register"))


# ---- the outcome ---------------------------------------------------------------------------

@pytest.fixture
def ready(db, world, lead, as_role):
    """A signed-off decision (both GPs must leave) and the secretary to record its outcome."""
    decision, ref = _signed(db, world, lead)
    return SimpleNamespace(decision=decision, ref=ref, secretary=as_role("secretary"))


def outcome_data(world, **over) -> dict:
    data = {"outcome": "make", "awarded_provider": str(world.practice), "votes_for": "4",
            "votes_against": "1", "votes_abstaining": "0"}
    for person in world.voting:
        if person not in (world.gp1, world.gp2):
            data[f"present_{person}"] = "y"
    data.update(over)
    return data


def test_an_outcome_waits_for_the_meeting(db, world, ready, monkeypatch):
    # Signed off a week before its meeting of 10 March 2026.
    monkeypatch.setattr(timeutil, "today_uk", lambda: dt.date(2026, 3, 3))
    page = text(ready.secretary.get(f"/reviews/{ready.ref}/outcome"))
    assert "The meeting is on 10 March 2026" in page
    data = outcome_data(world, version=_version(db, ready.decision))
    words = text(ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=data))
    assert "record the outcome on or after that day, when it is known" in words
    assert db.execute("SELECT count(*) FROM decision_outcomes").fetchone()[0] == 0


def test_outcome_form_starts_with_ruled_out_people_absent(db, world, ready):
    page = ready.secretary.get(f"/reviews/{ready.ref}/outcome").get_data(as_text=True)
    assert re.search(rf'name="present_{world.lay}"[^>]*checked', page)
    assert not re.search(rf'name="present_{world.gp1}"[^>]*checked', page)


def test_recording_the_outcome_decides_it_then_it_can_be_published(db, world, ready):
    response = ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=outcome_data(
        world, version=str(db.execute("SELECT version FROM decisions WHERE id = ?",
                                      [ready.decision]).fetchone()[0])))
    assert response.status_code == 302, text(response)
    assert status_of(db, ready.decision) == "decided"
    page = text(ready.secretary.get(f"/reviews/{ready.ref}/outcome"))
    assert "4 for, 1 against, 0 abstaining" in page
    # Direct award C has a standstill: the award confirmation notice comes before publishing,
    # and it, not a typed field, says where the award was published.
    refused = ready.secretary.post(f"/reviews/{ready.ref}/publish", data={
        "published_where": "Find a Tender, notice 2026/S 000-123456"})
    assert refused.status_code == 400
    assert "Record the award confirmation notice before publishing" in text(refused)
    assert status_of(db, ready.decision) == "decided"
    for kind, day in (("intention", "11"), ("award", "24")):
        assert ready.secretary.post(f"/decisions/{ready.ref}/notices/{kind}", data={
            "published_on[day]": day, "published_on[month]": "3", "published_on[year]": "2026",
            "published_where": f"Find a Tender, notice 2026/S 000-12345{day}"},
        ).status_code == 302
    assert ready.secretary.post(f"/reviews/{ready.ref}/publish", data={
        "published_where": "ignored: the notice says where"}).status_code == 302
    assert status_of(db, ready.decision) == "published"
    published = db.execute("SELECT award_published_where, award_published_on FROM decisions"
                           " WHERE id = ?", [ready.decision]).fetchone()
    assert tuple(published) == ("Find a Tender, notice 2026/S 000-1234524", "2026-03-24")
    again = ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=outcome_data(world))
    assert again.status_code == 409


def _version(db, decision):
    return str(db.execute("SELECT version FROM decisions WHERE id = ?", [decision]).fetchone()[0])


def test_a_vote_from_someone_ruled_out_of_the_vote_is_refused(db, world, ready):
    data = outcome_data(world, version=_version(db, ready.decision),
                        **{f"present_{world.gp1}": "y", f"vote_{world.gp1}": "for"})
    words = text(ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=data))
    assert "Dr Asha Patel was ruled out of the vote (must leave the meeting for the item), so " \
           "their vote cannot be recorded" in words
    assert status_of(db, ready.decision) == "signed_off"


def test_a_proxy_vote_for_a_conflicted_member_is_refused(db, world, ready):
    data = outcome_data(world, version=_version(db, ready.decision),
                        **{f"vote_{world.lay}": "for", f"proxy_{world.lay}": str(world.gp2)})
    words = text(ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=data))
    assert "Dr Niamh O'Connor is conflicted on this decision, and a conflicted member may not " \
           "hand their vote to anyone" in words
    assert status_of(db, ready.decision) == "signed_off"


def test_a_conflicted_member_casting_a_proxy_vote_is_refused(db, world, ready):
    data = outcome_data(world, version=_version(db, ready.decision),
                        **{f"present_{world.gp1}": "y", f"proxy_{world.gp1}": str(world.lay)})
    words = text(ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=data))
    assert "Dr Asha Patel was ruled out of the vote, so cannot cast a vote for anyone" in words


def test_a_ruled_out_person_present_is_recorded_as_a_breach(db, world, ready):
    data = outcome_data(world, version=_version(db, ready.decision),
                        **{f"present_{world.gp1}": "y"})
    # First the secretary is asked to confirm: a breach is for good, a mis-tick is not.
    first = ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=data)
    assert first.status_code == 200
    assert ("Dr Asha Patel was ruled out of the room but is ticked as present. If that is what "
            "happened, tick the box to record it as a breach" in text(first))
    assert 'name="confirm_breach"' in first.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM breaches").fetchone()[0] == 0
    assert status_of(db, ready.decision) != "decided"
    data["confirm_breach"] = "y"
    response = ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=data,
                                    follow_redirects=True)
    words = text(response)
    assert "1 breach recorded" in words
    assert "Dr Asha Patel was recorded as present for the vote but was ruled out of the room" in \
        words
    assert status_of(db, ready.decision) == "decided"
    assert db.execute("SELECT person_id, kind FROM breaches").fetchone() == \
        (world.gp1, "present_when_ruled_out")


def test_totals_must_equal_the_individual_votes(db, world, ready):
    votes = {f"vote_{p}": "for" for p in (world.chair, world.vice, world.lay)}
    data = outcome_data(world, version=_version(db, ready.decision), **votes)
    words = text(ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=data))
    assert "The votes for (4) must equal the individual votes recorded (3)" in words
    assert "The votes against (1) must equal the individual votes recorded (0)" in words
    data.update(votes_for="3", votes_against="0")
    assert ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=data).status_code == 302
    rows = db.execute("SELECT count(*) FROM outcome_attendance WHERE vote = 'for'").fetchone()
    assert rows[0] == 3


@pytest.mark.parametrize("field, value, message", [
    ("outcome", "", "Select whether the service is made, bought or mixed"),
    ("votes_for", "", "Enter the number of votes for, or 0"),
    ("votes_against", "two", "The number of votes against must be a whole number, like 3"),
    ("awarded_provider", "999", "Select one of the providers proposed"),
])
def test_outcome_bad_input(db, world, ready, field, value, message):
    data = outcome_data(world, version=_version(db, ready.decision), **{field: value})
    response = ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=data)
    assert message in text(response) and text(response).startswith("Error: ") is False
    assert "Error: Record the outcome" in response.get_data(as_text=True)
    assert status_of(db, ready.decision) == "signed_off"


def test_withdraw_needs_a_reason_and_is_refused_after_the_decision(db, world, ready):
    ref = ready.ref
    words = text(ready.secretary.post(f"/reviews/{ref}/withdraw",
                                      data={"version": _version(db, ready.decision)}))
    assert "Enter why the decision is being withdrawn" in words
    assert ready.secretary.post(f"/reviews/{ref}/withdraw", data={
        "version": _version(db, ready.decision), "reason": "Service no longer needed"}
    ).status_code == 302
    assert status_of(db, ready.decision) == "withdrawn"
    assert ready.secretary.post(f"/reviews/{ref}/withdraw", data={
        "reason": "again"}).status_code == 409


def test_a_sign_off_form_without_a_csrf_token_is_refused(csrf_app):
    db = connect(csrf_app.config["DATABASE"])
    person = add_person(db, "Lead Person")
    add_user(db, role="governance", username="lead", person_id=person)
    committee = add_committee(db)
    decision = add_decision(db, committee, status="awaiting_review")
    ref = reference(db, decision)
    db.close()
    client = csrf_app.test_client()
    page = client.get("/sign-in")
    token = hidden(page, "csrf_token")
    client.post("/sign-in", data={"username": "lead", "password": PASSWORD, "csrf_token": token})
    assert client.post(f"/reviews/{ref}", data={"action": "sign_off"}).status_code == 400
    assert sign_in  # the helper is shared with the other tests


# ---- a sign-off that meets a changed decision ------------------------------------------------

CHANGED_WORDS = "The conflicts changed since you opened this page: review them again"


@pytest.mark.parametrize("action", ["sign_off", "save", "escalate"])
def test_a_form_sent_after_the_conflicts_changed_is_refused_cleanly_and_audited(db, world, lead,
                                                                                action):
    """A new conflicted person (a lay member's spouse's shares) appears between opening the page
    and sending it: the form has no ruling for them. Refused whole, in words, never a 500."""
    decision = submitted(db, world)
    ref = reference(db, decision)
    data = sign_off_data(lead, ref, action=action)
    add_interest(db, world.lay, organisation_id=world.practice, organisation_name="",
                 nature="Spouse holds shares", is_indirect=1, associate_relationship="spouse",
                 date_from="2020-01-01", declared_on="2020-01-05")
    response = lead.post(f"/reviews/{ref}", data=data)
    assert response.status_code == 409
    page = text(response)
    assert CHANGED_WORDS in page
    assert f'name="ruling_{world.lay}"' in response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM sign_offs").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM decision_rulings").fetchone()[0] == 0
    refusals = [e for e in audit.history(db, "decision", decision)
                if e["action"] in ("sign_off_refused", "review_refused")]
    assert refusals and CHANGED_WORDS in refusals[-1]["changes"]["reason"]
    # Sent again from the page as it now stands, it goes through.
    again = lead.post(f"/reviews/{ref}", data=sign_off_data(lead, ref))
    assert again.status_code == 302


def test_a_form_without_the_conflicts_it_was_built_for_is_refused(db, world, lead):
    decision = submitted(db, world)
    ref = reference(db, decision)
    data = sign_off_data(lead, ref)
    del data["conflicts_digest"]
    response = lead.post(f"/reviews/{ref}", data=data)
    assert response.status_code == 409 and CHANGED_WORDS in text(response)
    assert db.execute("SELECT count(*) FROM sign_offs").fetchone()[0] == 0


def test_sign_offs_racing_interest_edits_never_fail_with_a_server_error(app, db, world, as_role):
    """Sign-offs sent while another user's declarations change the conflicts, in two threads:
    every answer is a sign-off or a refusal in words, and every refusal is audited."""
    from register.interests import queries as interest_queries

    leads = [as_role("governance", username=f"lead{n}") for n in range(2)]
    writer = SimpleNamespace(id=None, person_id=None, actor="racer")
    answers: list[int] = []
    for round_ in range(12):
        decision = submitted(db, world)
        ref = reference(db, decision)
        data = sign_off_data(leads[round_ % 2], ref)
        interest = add_interest(db, world.exec1 if round_ % 2 else world.exec2,
                                organisation_id=None, organisation_name="Unrelated Ltd",
                                date_from="2020-01-01", declared_on="2020-01-05")

        def change(interest=interest):
            local = connect(app.config["DATABASE"])
            try:
                row = dict(local["interests"].get(interest))
                values = {k: row[k] for k in interest_queries.EDITABLE_FIELDS}
                values.update(organisation_id=world.practice, organisation_name="")
                interest_queries.update_interest(local, interest, row["version"], values,
                                                 user=writer)
            finally:
                local.close()

        thread = threading.Thread(target=change)
        thread.start()
        response = leads[round_ % 2].post(f"/reviews/{ref}", data=data)
        thread.join()
        answers.append(response.status_code)
        if response.status_code != 302:
            # Refused (the conflicts changed first) or shown again with what to correct (once
            # both executives are conflicted the meeting is inquorate): nothing signed.
            assert "There is a problem" in text(response)
            assert not db.execute("SELECT 1 FROM sign_offs WHERE decision_id = ?",
                                  [decision]).fetchone()
    assert set(answers) <= {200, 302, 409}, answers
    assert 409 in answers
    refusals = db.execute("SELECT count(*) FROM audit_events WHERE action = 'sign_off_refused'"
                          ).fetchone()[0]
    assert refusals == answers.count(409)
    assert audit.verify(db).ok
