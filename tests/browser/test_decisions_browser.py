"""A secretary records a decision awarding a service to a member practice through the task list
and sees the flag; the full form shows only the sections the route records."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from register.timeutil import today_uk

from .conftest import axe_violations, click_through, sign_in

pytestmark = pytest.mark.browser


def fill_date(page, prefix: str, day: dt.date) -> None:
    page.fill(f"#{prefix}-day", str(day.day))
    page.fill(f"#{prefix}-month", str(day.month))
    page.fill(f"#{prefix}-year", str(day.year))


def open_task(page, section: str) -> None:
    """Follow a section's link on the task list to its page."""
    click_through(page, f"#task-list a[href$='/sections/{section}']")
    assert page.title().split(" – ")[0] != "Task list"


def save_and_return(page) -> None:
    click_through(page, "button:has-text('Save and return')")
    assert page.url.endswith("/check"), page.inner_text("main")[:500]


def status_of(page, section: str) -> str:
    return page.inner_text(f"#task-{section}-status").strip()


def test_recording_a_decision_through_the_task_list_shows_the_conflict(page, tmp_path):
    shots = Path(os.environ.get("REGISTER_SCREENSHOTS") or tmp_path)
    today = today_uk()
    sign_in(page, "secretary")
    click_through(page, "a.nhsuk-header__navigation-link:has-text('Decisions')")
    click_through(page, "text=Record a decision")
    assert page.title().startswith("Record a decision")
    assert axe_violations(page) == []

    # The first step asks only for what identifies the decision, and its route.
    page.fill("#title", "Minor surgery at Brookside Surgery")
    page.select_option("#committee_id", label="Primary Care Committee")
    fill_date(page, "meeting_date", today)
    page.check("#choice")
    page.select_option("#regime_process", value="psr:direct_award_c")
    click_through(page, "button:has-text('Continue')")
    assert page.url.endswith("/check")
    assert page.title().startswith("Task list for decision")
    reference = page.url.split("/")[-2]
    # Direct award C lists its own parts; a competitive process's scores are not asked for.
    assert status_of(page, "service") == "Incomplete"
    assert status_of(page, "contract") == "Not started"
    assert status_of(page, "key_criteria") == "Not started"
    assert page.locator("#task-assessments-status").count() == 0
    assert page.get_by_role("button", name="Submit decision").count() == 0
    assert axe_violations(page) == []
    page.screenshot(path=str(shots / "task-list.png"), full_page=True)

    open_task(page, "service")
    page.fill("#description", "Minor surgery procedures in general practice")
    page.check("#contract_kind")
    save_and_return(page)
    assert status_of(page, "service") == "Completed"

    # A mistake first: the error summary and the field say what is wrong; nothing is lost.
    open_task(page, "contract")
    page.fill("#total_value", "NaN")
    click_through(page, "button:has-text('Save and return')")
    assert page.title().startswith("Error: ")
    assert page.locator(".nhsuk-error-summary").get_by_text(
        "Enter the estimated total value in pounds and pence, like 125000.50").is_visible()
    assert page.input_value("#total_value") == "NaN"
    assert axe_violations(page) == []
    page.screenshot(path=str(shots / "section-page.png"), full_page=True)
    page.fill("#total_value", "120,000")
    page.fill("#annual_value", "40000")
    fill_date(page, "contract_start", today + dt.timedelta(days=30))
    fill_date(page, "contract_end", today + dt.timedelta(days=3 * 365))
    page.select_option("#clinical_lead_id", label="Dr Ahmed Siddiqui")
    page.select_option("#contract_manager_id", label="Fiona McAllister")
    save_and_return(page)
    assert status_of(page, "contract") == "Completed"

    # The committee's members are ticked as taking part; the secretary unticks anyone absent.
    open_task(page, "people")
    assert page.get_by_label("Dr Niamh O'Connor", exact=True).is_checked()
    page.fill("#decision_process", "Discussed and decided by a vote of the members present")
    save_and_return(page)

    open_task(page, "providers")
    # Providers are suggested as you type, and chosen with the arrow keys and Enter.
    box = page.locator("#providers-0")
    box.press_sequentially("Brook", delay=50)
    suggestion = page.locator("#providers-0-suggestions [role=option]",
                              has_text="Brookside Surgery (Y90002)")
    suggestion.wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    names = page.locator("#providers-0-suggestions [role=option]").all_inner_texts()
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "providers-0-suggestions-0"
    if len(names) > 1:  # down again, then back up: the highlight follows the keys
        box.press("ArrowDown")
        assert box.get_attribute("aria-activedescendant") == "providers-0-suggestions-1"
        box.press("ArrowUp")
    for _ in range(names.index("Brookside Surgery (Y90002)")):
        box.press("ArrowDown")
    box.press("Enter")  # chooses the suggestion; the form is not sent
    assert box.input_value() == "Brookside Surgery (Y90002)"
    assert page.url.endswith(f"/decisions/{reference}/sections/providers")
    assert box.get_attribute("aria-expanded") == "false"
    assert page.locator("#providers-0-suggestions").is_hidden()
    page.select_option("#awarded_provider", label="Brookside Surgery (Y90002)")
    save_and_return(page)

    open_task(page, "options")
    page.fill("#options-0-description", "Brookside Surgery provides it")
    page.select_option("#options-0-outcome", value="chosen")
    page.fill("#options-1-description", "The community trust provides it")
    page.select_option("#options-1-outcome", value="rejected")
    page.fill("#options-1-reason", "Longer waits and travel for patients")
    save_and_return(page)

    open_task(page, "route_reasons")
    page.fill("#route_reasons", "Brookside is meeting the current contract and will go on doing so")
    save_and_return(page)
    open_task(page, "key_criteria")
    for key, weight in (("quality_innovation", "30"), ("value", "30"),
                        ("integration_collaboration_sustainability", "20"),
                        ("access_inequalities_choice", "10"), ("social_value", "10")):
        page.fill(f"#weight_{key}", weight)
        page.fill(f"#applied_{key}", "Scored by the evaluation panel")
    save_and_return(page)
    open_task(page, "selection_criteria")
    page.fill("#selection_criteria", "Accounts, insurance and CQC rating checked")
    save_and_return(page)
    open_task(page, "exclusions")
    page.fill("#exclusions", "Declaration against the grounds for exclusion checked")
    save_and_return(page)
    open_task(page, "justification")
    page.fill("#justification", "The practice already provides the service to its patients")
    save_and_return(page)

    statuses = page.locator(".nhsuk-task-list__status").all_inner_texts()
    assert [status.strip() for status in statuses] == ["Completed"] * 11
    conflicts = page.locator("main")
    assert conflicts.get_by_text("Brookside Surgery (Y90002) is a member practice").is_visible()
    assert conflicts.get_by_text(
        "Dr Niamh O'Connor's home practice is Brookside Surgery (Y90002)").is_visible()
    assert page.locator(".nhsuk-tag--red", has_text="Home practice stands to gain").count() >= 1
    assert axe_violations(page) == []

    click_through(page, "button:has-text('Submit decision')")
    assert page.url.endswith(f"/decisions/{reference}")
    assert page.get_by_text("Awaiting governance review").first.is_visible()
    assert page.get_by_text(
        "Dr Niamh O'Connor's home practice is Brookside Surgery (Y90002)").is_visible()
    assert page.get_by_text("£120,000.00").is_visible()
    assert axe_violations(page) == []


def start_on_the_full_form(page, title: str) -> None:
    """The first step, then the page with every section at once."""
    sign_in(page, "secretary")
    click_through(page, "a.nhsuk-header__navigation-link:has-text('Decisions')")
    click_through(page, "text=Record a decision")
    page.fill("#title", title)
    page.select_option("#committee_id", label="Primary Care Committee")
    fill_date(page, "meeting_date", today_uk())
    page.check("#choice")
    page.select_option("#regime_process", value="psr:direct_award_c")
    click_through(page, "button:has-text('Continue')")
    click_through(page, "text=change everything on one page")
    assert page.url.endswith("/edit")


def test_key_criteria_are_asked_only_for_the_routes_that_assess_them(page):
    start_on_the_full_form(page, "Anticoagulation monitoring in every practice")
    criteria = page.locator("#key-criteria")
    page.select_option("#regime_process", value="psr:direct_award_c")
    assert criteria.is_visible()
    page.fill("#weight_value", "40")
    page.select_option("#regime_process", value="psr:direct_award_b")
    assert criteria.is_hidden()
    assert page.locator("#weight_value").is_disabled()
    # Saved as a draft under direct award B, the weight typed earlier is not sent or kept.
    click_through(page, "button:has-text('Save draft')")
    assert not page.title().startswith("Error: ")
    page.select_option("#regime_process", value="psr:most_suitable_provider")
    assert criteria.is_visible()
    assert page.input_value("#weight_value") == ""
    assert axe_violations(page) == []


def test_the_form_shows_only_the_sections_the_route_records(page):
    start_on_the_full_form(page, "Community ophthalmology service")
    sections = {name: page.locator(f"#{name}") for name in (
        "route-reasons-section", "key-criteria", "selection-section", "exclusions-section",
        "scores-section")}
    shown = {
        "psr:competitive_process": {"route-reasons-section", "key-criteria", "selection-section",
                                    "exclusions-section", "scores-section"},
        "psr:direct_award_b": {"route-reasons-section", "exclusions-section"},
        "psr:urgent_award": {"route-reasons-section"},
        "psr:most_suitable_provider": {"route-reasons-section", "key-criteria",
                                       "selection-section", "exclusions-section"},
    }
    for route, visible in shown.items():
        page.select_option("#regime_process", value=route)
        assert {name for name, section in sections.items() if section.is_visible()} == visible
    # A score typed under a competitive process is not sent once the route no longer scores.
    page.select_option("#regime_process", value="psr:competitive_process")
    page.fill("#score_out_of", "100")
    page.fill("#providers-0", "Y90002")
    page.fill("#scores-0-score", "81")
    page.select_option("#regime_process", value="psr:direct_award_b")
    assert page.locator("#scores-0-score").is_disabled()
    click_through(page, "button:has-text('Save draft')")
    assert not page.title().startswith("Error: "), page.inner_text("main")[:500]
    assert axe_violations(page) == []
