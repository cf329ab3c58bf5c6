"""The chair's briefing and the minutes' wording in a real browser: axe-clean, and the minutes'
copy button copies the plain text (or, where the clipboard is refused, selects it)."""
from __future__ import annotations

from register.db import connect
from register.meetings import store
from register.timeutil import utcnow_iso

from .conftest import axe_violations, sign_in


def _meeting_with_a_flagged_decision(app) -> int:
    db = connect(app.config["DATABASE"])
    decision = db.execute("SELECT id FROM decisions WHERE conflict_count > 0"
                          " ORDER BY reference LIMIT 1").fetchone()[0]
    store.place_decision(db, decision, now=utcnow_iso())
    db.conn.commit()
    meeting = db.execute("SELECT meeting_id FROM agenda_items WHERE decision_id = ?",
                         [decision]).fetchone()[0]
    db.close()
    return meeting


def test_the_secretary_reads_the_briefing_and_copies_the_minutes_wording(page, live_app):
    meeting = _meeting_with_a_flagged_decision(live_app)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, "secretary")
    page.goto(f"/meetings/{meeting}/briefing")
    assert page.locator("h1").text_content() == "Chair's conflicts briefing"
    assert page.locator("text=What to say").first.is_visible()
    assert axe_violations(page) == []
    page.goto(f"/meetings/{meeting}/minutes")
    button = page.locator("#copy-minutes")
    button.wait_for(state="visible")
    box = page.locator("#minutes-text")
    wording = box.input_value()
    assert wording.startswith("Declarations of interest: ")
    button.click()
    status = page.locator("#copy-minutes-status")
    page.wait_for_function("() => document.getElementById('copy-minutes-status').textContent")
    if status.text_content().startswith("Copied"):
        assert page.evaluate("() => navigator.clipboard.readText()") == wording
    else:  # the clipboard refused: the text is selected for the reader to copy
        assert page.evaluate("() => { const t = document.getElementById('minutes-text');"
                             " return t.selectionEnd - t.selectionStart; }") == len(wording)
    assert axe_violations(page) == []


def test_without_javascript_the_wording_is_there_to_select(browser, server, live_app):
    meeting = _meeting_with_a_flagged_decision(live_app)
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "secretary")
    page.goto(f"/meetings/{meeting}/minutes")
    assert page.locator("#copy-minutes").is_hidden()
    assert page.locator("#minutes-text").input_value().startswith("Declarations of interest: ")
    context.close()
