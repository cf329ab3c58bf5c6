"""A secretary records a GP's move of practice and sees the history on the person and
organisation pages."""
from __future__ import annotations

import os

import pytest

from .conftest import axe_violations, click_through, sign_in

pytestmark = pytest.mark.browser


def _shot(page, name: str) -> None:
    folder = os.environ.get("REGISTER_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_secretary_records_a_move_of_practice(page, live_app):
    from register.db import connect

    db = connect(live_app.config["DATABASE"])
    gp, name, practice = db.execute(
        "SELECT people.id, people.name, organisations.name FROM people JOIN organisations"
        " ON organisations.id = people.home_practice_id ORDER BY people.id LIMIT 1").fetchone()
    other = db.execute("SELECT name, ods_code FROM organisations WHERE kind = 'practice'"
                       " AND name <> ? ORDER BY name LIMIT 1", [practice]).fetchone()
    db.close()
    sign_in(page, "secretary")
    page.goto(f"/people/{gp}")
    click_through(page, "text=Moved practice")
    # A mistake first: no practice, no date.
    click_through(page, "button:has-text('Save move')")
    assert page.title().startswith("Error: ")
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert "Choose the practice they moved to" in summary
    assert axe_violations(page) == []
    page.select_option("#practice_id", label=f"{other[0]} ({other[1]})")
    page.fill("#date_from-day", "1")
    page.fill("#date_from-month", "7")
    page.fill("#date_from-year", "2025")
    click_through(page, "button:has-text('Save move')")
    assert page.url.endswith(f"/people/{gp}")
    history = page.locator("table", has_text="Still there").inner_text()
    assert practice in history and other[0] in history
    assert "30 June 2025" in history and "1 July 2025" in history
    assert axe_violations(page) == []
    _shot(page, "person-history.png")
    page.click(f"table >> text={other[0]}")
    page.wait_for_load_state()
    assert name in page.locator("main").inner_text()
    assert "from 1 July 2025 (still there)" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    _shot(page, "organisation-history.png")
