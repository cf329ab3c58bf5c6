"""The secretary records a contract modification and sees it on the decision page; the renewal
list opens from the navigation."""
from __future__ import annotations

import pytest

from register.timeutil import today_uk

from .conftest import axe_violations, click_through, sign_in
from .test_decisions_browser import fill_date

pytestmark = pytest.mark.browser

DERMATOLOGY = "Community dermatology clinics led by GPs with an extended role"


def test_recording_a_modification_shows_it_on_the_decision_page(page):
    sign_in(page, "secretary")
    page.goto("/decisions/register?q=dermatology")
    click_through(page, f"a:has-text('{DERMATOLOGY[:30]}'), a:has-text('MOB-2026-0001')")
    assert "Contract modifications" in page.content()
    click_through(page, "text=Record a contract modification")
    assert page.title().startswith("Record a contract modification")
    assert axe_violations(page) == []

    # A 30% rise on ground (e) is refused with the reason; what was typed is kept.
    fill_date(page, "modified_on", today_uk())
    page.fill("#what_changed", "Two more community clinics in Eastbridge")
    page.fill("#value_after", "1482000")
    page.get_by_label("(e) Not substantial", exact=False).check()
    click_through(page, "button:has-text('Record the modification')")
    assert page.title().startswith("Error: ")
    assert page.locator(".nhsuk-error-summary").get_by_text(
        "Ground (e) allows a lifetime value change under 25%", exact=False).is_visible()
    assert page.input_value("#what_changed") == "Two more community clinics in Eastbridge"
    assert axe_violations(page) == []

    page.get_by_label("(a) Clearly provided for", exact=False).check()
    click_through(page, "button:has-text('Record the modification')")
    table = page.locator("#modifications + p + .app-table-wrap table")
    assert table.get_by_text("Two more community clinics in Eastbridge").is_visible()
    assert table.get_by_text("£1,240,000.00 to £1,482,000.00").is_visible()
    assert table.get_by_text("Notice due by", exact=False).is_visible()
    assert axe_violations(page) == []


def test_the_renewal_list_opens_from_the_navigation(page):
    sign_in(page, "governance")
    click_through(page, "a.nhsuk-header__navigation-link:has-text('Renewals')")
    assert page.title().startswith("Contracts coming up for renewal")
    rows = page.locator("table.nhsuk-table tbody tr")
    assert rows.count() >= 2
    assert page.get_by_text("Minor surgery (joint injections", exact=False).is_visible()
    assert axe_violations(page) == []
    page.fill("#months", "0")
    click_through(page, "button:has-text('Show contracts')")
    assert page.title().startswith("Error: ")
    assert page.locator(".nhsuk-error-summary").get_by_text(
        "Enter the number of months as a whole number from 1 to 60").is_visible()
