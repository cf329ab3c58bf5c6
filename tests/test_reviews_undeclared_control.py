"""A possible undeclared interest found through Companies House, settled like a name match."""
from __future__ import annotations

from register.decisions import flagging
from register.imports.writers import import_file

from .conftest import add_decision, add_organisation
from .test_companies_house import PSC
from .test_reviews import checked, hidden, lead, reference, review_form, text, world  # noqa: F401


def psc_decision(db, world):  # noqa: F811
    """Go-To-Doc Ltd, controlled by Helen Carter (April 1975), proposed for a decision in which
    Helen Carter, a lay member, votes; she has declared nothing about it."""
    company = add_organisation(db, "Go-To-Doc Ltd", kind="independent",
                               companies_house_number="09990002")
    db.execute("UPDATE people SET name = 'Helen Carter', birth_month = 4, birth_year = 1975"
               " WHERE id = ?", [world.lay])
    with PSC.open(encoding="utf-8") as stream:
        assert import_file(db, "psc", stream, actor="tester").ok
    decision = add_decision(db, world.committee, providers=(world.practice, company),
                            participants=tuple((p, "voting") for p in world.voting),
                            status="awaiting_review", submitted_at="2026-03-02T10:00:00+00:00")
    return decision, company


def test_shown_with_its_source_and_confirmed_into_a_conflict(db, world, lead):  # noqa: F811
    decision, _company = psc_decision(db, world)
    rules = [f["rule"] for f in flagging.current_flags(db, decision)
             if f["person_id"] == world.lay]
    assert rules == ["POSSIBLE_UNDECLARED_INTEREST"]
    ref = reference(db, decision)
    decision_page = text(lead.get(f"/decisions/{ref}"))
    assert "Companies House: person with significant control of Go-To-Doc Ltd, notified 3 " \
           "March 2021, 25-50% of shares, 25-50% of voting rights" in decision_page
    psc_id = db.execute("SELECT id FROM company_pscs WHERE surname = 'Carter'").fetchone()[0]
    key = f"match_{world.lay}_-{psc_id}"
    data = review_form(lead, ref, action="save", **{key: "confirm"})
    response = lead.post(f"/reviews/{ref}", data=data)
    assert "confirming the name match makes them conflicted" in text(response)
    assert "Confirm: it is the same person" in text(lead.get(f"/reviews/{ref}"))
    assert checked(response, f"ruling_{world.lay}") == "leave_item"
    data[f"ruling_{world.lay}"] = "leave_item"
    data["version"] = hidden(response, "version")
    assert lead.post(f"/reviews/{ref}", data=data).status_code == 302
    row = db.execute("SELECT interest_id, outcome FROM match_resolutions").fetchone()
    assert tuple(row) == (-psc_id, "confirmed")


def test_dismissed_with_a_reason(db, world, lead):  # noqa: F811
    decision, _company = psc_decision(db, world)
    ref = reference(db, decision)
    psc_id = db.execute("SELECT id FROM company_pscs WHERE surname = 'Carter'").fetchone()[0]
    key = f"match_{world.lay}_-{psc_id}"
    data = review_form(lead, ref, action="save", **{
        key: "dismiss", f"match_reason_{world.lay}_-{psc_id}": "A different Helen Carter"})
    assert lead.post(f"/reviews/{ref}", data=data).status_code == 302
    assert tuple(db.execute("SELECT outcome, reason FROM match_resolutions").fetchone()) == (
        "dismissed", "A different Helen Carter")
