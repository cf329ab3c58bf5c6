"""The secretary prepares a meeting: creates it, adds items, reorders them, opens the
declarations item and records a departure."""
from __future__ import annotations

import datetime as dt

import pytest

from register.db import connect
from register.meetings import queries
from register.timeutil import today_uk

from .conftest import axe_violations, click_through, sign_in

pytestmark = pytest.mark.browser


def test_preparing_a_meeting(page, live_app):
    day = today_uk() + dt.timedelta(days=45)
    sign_in(page, "secretary")
    page.goto("/meetings/")
    assert page.title().startswith("Meetings")
    assert axe_violations(page) == []
    click_through(page, "a:has-text('Create a meeting')")
    page.select_option("#committee_id", label="Primary Care Committee")
    page.fill("#meeting_date-day", str(day.day))
    page.fill("#meeting_date-month", str(day.month))
    page.fill("#meeting_date-year", str(day.year))
    # A time that is not HH:MM is refused, keeping what was typed.
    page.fill("#starts_at", "half nine")
    page.fill("#place", "Committee room 2, Northvale House")
    click_through(page, "button:has-text('Save the meeting')")
    assert page.title().startswith("Error: ")
    assert page.locator(".nhsuk-error-summary").get_by_text(
        "The start time must be a time of day").is_visible()
    assert page.input_value("#place") == "Committee room 2, Northvale House"
    assert axe_violations(page) == []
    page.fill("#starts_at", "09:30")
    page.fill("#ends_at", "11:00")
    click_through(page, "button:has-text('Save the meeting')")
    assert "Meeting created" in page.inner_text("main")
    assert "This meeting has no items on its agenda yet" in page.inner_text("main")
    meeting_url = page.url

    for title in ("Any other business", "Minutes of the last meeting"):
        click_through(page, "a:has-text('Add an item')")
        page.fill("#title", title)
        click_through(page, "button:has-text('Add the item')")
    assert axe_violations(page) == []
    rows = page.locator("#agenda ~ div table tbody tr")
    assert rows.nth(0).inner_text().startswith("1\tAny other business")
    click_through(page, "#agenda ~ div table tbody tr:nth-child(2) button:has-text('Up')")
    rows = page.locator("#agenda ~ div table tbody tr")
    assert rows.nth(0).inner_text().startswith("1\tMinutes of the last meeting")
    assert rows.nth(1).inner_text().startswith("2\tAny other business")

    click_through(page, "a:has-text('The declarations item')")
    assert page.title().startswith("Declarations of interest")
    assert axe_violations(page) == []
    click_through(page, "a:has-text('Record the declarations for item 2')")
    left = page.locator("input[name^='left_at_']").first
    name = left.get_attribute("name")
    person_id = int(name.rsplit("_", 1)[1])
    # Leaving before the meeting began is refused, keeping what was typed.
    left.fill("09:00")
    click_through(page, "button:has-text('Save the declarations')")
    assert page.title().startswith("Error: ")
    assert "the meeting started at 09:30, so the item had not started" in page.inner_text(
        ".nhsuk-error-summary")
    assert page.input_value(f"input[name='{name}']") == "09:00"
    assert axe_violations(page) == []
    page.fill(f"input[name='{name}']", "10:40")
    page.fill(f"input[name='returned_at_{person_id}']", "10:55")
    click_through(page, "button:has-text('Save the declarations')")
    assert "Declarations recorded for item 2" in page.inner_text("main")
    assert "10:40" in page.inner_text("main") and "10:55" in page.inner_text("main")

    db = connect(live_app.config["DATABASE"])
    try:
        meeting = queries.load_meeting(db, int(meeting_url.rsplit("/", 1)[1]))
    finally:
        db.close()
    assert [i.title for i in meeting.items] == ["Minutes of the last meeting",
                                                "Any other business"]
    (entry,) = meeting.items[1].declarations
    assert (entry.person_id, entry.left_at, entry.returned_at) == (person_id, "10:40", "10:55")
