"""Each role's home page is its to-do list: counts and links of what waits on that person."""
from __future__ import annotations

import pytest

from .conftest import add_committee, add_decision, add_interest
from .reading import words as text


@pytest.fixture
def waiting(db):
    committee = add_committee(db)
    add_decision(db, committee, status="draft")
    add_decision(db, committee, status="returned", submitted_at="2026-03-01T10:00:00+00:00")
    waiting = add_decision(db, committee, submitted_at="2026-03-02T10:00:00+00:00")
    # As a flagged decision stands once submitted (set directly: it has no conflicts here).
    db.execute("UPDATE decisions SET status = 'awaiting_review' WHERE id = ?", [waiting])
    db["breaches"].insert({"kind": "other", "detail": "x", "recorded_at": "2026-03-03T10:00:00",
                           "found_on": "2026-03-03"})
    return committee


def test_the_governance_leads_list(as_role, db, waiting):
    member = as_role("member")
    add_interest(db, member.person_id, approval="pending")
    page = text(as_role("governance").get("/"))
    assert "Your to-do list" in page
    assert "1 Decisions waiting for a conflicts review" in page
    assert "1 Declarations waiting for your approval" in page
    assert "1 Breaches open" in page


def test_the_secretarys_list(as_role, waiting):
    page = text(as_role("secretary").get("/"))
    assert "1 Drafts to finish" in page
    assert "1 Decisions returned for more information" in page
    assert "Contracts ending within 6 months" in page


def test_a_members_list_names_a_declaration_returned_to_them(as_role, db):
    member = as_role("member")
    add_interest(db, member.person_id, approval="returned", approval_note="Full name please")
    page = text(member.get("/"))
    assert "1 Declarations returned to you for changes" in page
    assert "1 Annual declaration to confirm" in page


def test_the_auditors_and_administrators_lists(as_role, waiting):
    assert "Breaches open" in text(as_role("auditor").get("/"))
    assert "Emails not yet sent" in text(as_role("admin").get("/"))
