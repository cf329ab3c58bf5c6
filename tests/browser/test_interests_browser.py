"""A board member declares an interest through the real form and sees it in the register."""
from __future__ import annotations

import pytest

from .conftest import axe_violations, click_through, sign_in

pytestmark = pytest.mark.browser


def test_member_declares_an_interest_and_sees_it(page):
    sign_in(page, "member")
    click_through(page, "text=Declare an interest")
    # First, a mistake: nothing chosen, an impossible date.
    page.fill("#date_from-day", "31")
    page.fill("#date_from-month", "2")
    page.fill("#date_from-year", "2026")
    click_through(page, "button:has-text('Declare this interest')")
    assert page.title().startswith("Error: ")
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert "must be a real date" in summary
    assert page.input_value("#date_from-day") == "31"  # what was typed is kept
    assert axe_violations(page) == []

    page.fill("#organisation_name", "Brightwater <Clinics> & Co")
    page.fill("#organisation_business", "Private dermatology clinics")
    page.check("input[name='interest_type'][value='financial']")
    # The follow-on questions appear only once the answer they follow from is chosen.
    assert not page.locator("#associate_relationship").is_visible()
    assert not page.locator("#withheld_reason").is_visible()
    page.check("input[name='directness'][value='indirect']")
    page.fill("#associate_relationship", "Spouse")
    page.check("input[name='consent'][value='no']")
    assert page.locator("#withheld_reason").is_visible()
    page.fill("#nature", "My spouse is a director")
    page.fill("#date_from-day", "2")
    page.fill("#date_from-month", "11")
    page.fill("#date_from-year", "2026")
    page.check("input[name='consent'][value='yes']")
    assert not page.locator("#withheld_reason").is_visible()
    click_through(page, "button:has-text('Declare this interest')")
    assert not page.title().startswith("Error: ")
    body = page.locator("main").inner_text()
    assert "Brightwater <Clinics> & Co" in body  # shown literally, not as markup
    assert "Spouse" in body

    # The member's own page lists it.
    page.goto("/interests/")
    assert "Brightwater <Clinics> & Co" in page.locator("main").inner_text()

    # The governance lead sees it in the whole register.
    page.context.clear_cookies()
    sign_in(page, "governance")
    page.goto("/interests/?name=O%27Connor")
    text = page.locator("main").inner_text()
    assert "Brightwater <Clinics> & Co" in text
    assert axe_violations(page) == []


def test_governance_lead_settles_free_text_interests(page):
    sign_in(page, "governance")
    click_through(page, "text=held as free text")
    assert page.title().startswith("Interests held as free text")
    assert axe_violations(page) == []
    # Ticked, but no organisation chosen: the problem is named, the tick is kept.
    first = page.locator("input[name='settle']").first
    interest_id = first.get_attribute("value")
    first.check()
    click_through(page, "button:has-text('Settle the ticked interests')")
    assert page.title().startswith("Error: ")
    assert "or mark it as not a registered organisation" in page.locator(
        ".nhsuk-error-summary").inner_text()
    assert page.locator(f"#settle-{interest_id}").is_checked()
    assert axe_violations(page) == []
    page.check(f"input[name='choice_{interest_id}'][value='not_registered']")
    click_through(page, "button:has-text('Settle the ticked interests')")
    assert "1 marked as not a registered organisation" in page.locator("body").inner_text()
    assert page.locator(f"#settle-{interest_id}").count() == 0


def test_member_picks_a_registered_organisation_by_its_number_as_they_type(page, live_app):
    sign_in(page, "member")
    page.goto("/interests/declare")
    # Typing a Companies House number suggests the provider registered under it.
    page.fill("#organisation_name", "99000005")
    option = page.locator("#organisation_name-suggestions [role=option]")
    option.first.wait_for(state="visible")
    assert option.first.inner_text() == "Saltmouth Home Care Ltd (99000005)"
    page.press("#organisation_name", "ArrowDown")
    page.press("#organisation_name", "Enter")
    assert page.input_value("#organisation_name") == "Saltmouth Home Care Ltd (99000005)"
    page.check("input[name='interest_type'][value='financial']")
    page.check("input[name='directness'][value='direct']")
    page.fill("#nature", "Paid clinical adviser")
    page.fill("#date_from-day", "2")
    page.fill("#date_from-month", "1")
    page.fill("#date_from-year", "2026")
    page.check("input[name='consent'][value='yes']")
    assert axe_violations(page) == []
    click_through(page, "button:has-text('Declare this interest')")
    assert not page.title().startswith("Error: ")
    assert "Saltmouth Home Care Ltd" in page.locator("main").inner_text()
    from register.db import connect

    db = connect(live_app.config["DATABASE"])
    try:
        row = next(db.query("SELECT interests.organisation_id, organisations.name FROM interests"
                            " JOIN organisations ON organisations.id = organisation_id"
                            " WHERE nature = 'Paid clinical adviser'"))
    finally:
        db.close()
    assert row["name"] == "Saltmouth Home Care Ltd"
