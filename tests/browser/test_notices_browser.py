"""The secretary records a decision's intention to award notice and sees the standstill end."""
from __future__ import annotations

import datetime as dt

import pytest

from register.db import connect
from register.rules import standstill
from register.timeutil import today_uk

from .conftest import axe_violations, click_through, sign_in

pytestmark = pytest.mark.browser


def fill_date(page, prefix: str, day: dt.date) -> None:
    page.fill(f"#{prefix}-day", str(day.day))
    page.fill(f"#{prefix}-month", str(day.month))
    page.fill(f"#{prefix}-year", str(day.year))


def _decided_without_notice(live_app) -> str:
    db = connect(live_app.config["DATABASE"])
    try:
        return db.execute(
            "SELECT reference FROM decisions WHERE status = 'decided' AND regime = 'psr'"
            " AND process IN ('direct_award_c', 'most_suitable_provider', 'competitive_process')"
            " AND id NOT IN (SELECT decision_id FROM decision_notices) ORDER BY reference"
        ).fetchone()[0]
    finally:
        db.close()


def test_recording_an_intention_notice_shows_the_standstill_end(page, live_app):
    reference = _decided_without_notice(live_app)
    today = today_uk()
    end = standstill.standstill_end(today)
    sign_in(page, "secretary")
    page.goto(f"/decisions/{reference}")
    assert page.locator("#notices").is_visible()
    click_through(page, "a:has-text('Record the intention to award notice')")
    assert page.title().startswith("Intention to award notice")
    assert axe_violations(page) == []

    # A standstill shortened by hand is refused, and what was typed is kept.
    fill_date(page, "published_on", today)
    page.fill("#published_where", "https://www.find-tender.service.gov.uk/Notice/TEST-1")
    fill_date(page, "standstill_end", today + dt.timedelta(days=1))
    click_through(page, "button:has-text('Save the notice')")
    assert page.title().startswith("Error: ")
    assert page.locator(".nhsuk-error-summary").get_by_text(
        f"The standstill ends {standstill.long_day(end)}").is_visible()
    assert page.input_value("#published_where") == \
        "https://www.find-tender.service.gov.uk/Notice/TEST-1"
    assert axe_violations(page) == []

    page.fill("#standstill_end-day", "")
    page.fill("#standstill_end-month", "")
    page.fill("#standstill_end-year", "")
    click_through(page, "button:has-text('Save the notice')")
    assert page.url.split("#")[0].endswith(f"/decisions/{reference}")
    section = page.locator("main")
    assert section.get_by_text(
        f"Standstill ends {standstill.long_day(end)}, 8 working days from today").is_visible()
    assert section.get_by_text("Record a representation").is_visible()
    assert axe_violations(page) == []
