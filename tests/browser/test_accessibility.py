"""axe-core WCAG 2.2 AA rules on every page each role can reach, and on form error states."""
from __future__ import annotations

import hashlib
import re
from urllib.parse import urldefrag, urlparse

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations, click_through, sign_in

pytestmark = pytest.mark.browser

# Pages that only download files, or leave the HTML app.
NOT_HTML = (".csv", ".json", ".pdf", ".xlsx", ".ics", ".docx", "/lookup", "/export")
MAX_PAGES_PER_ROLE = 60


# Pages whose markup (less the per-request form tokens) one role's crawl has checked already: a
# page another role sees exactly alike is not checked twice. Keyed by content, so the order the
# roles run in changes only the time taken, never what is checked.
CHECKED_MARKUP: dict[str, list[dict]] = {}
TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*"|(value=")[^"]*("[^>]*name="csrf_token")')


def markup_key(page) -> str:
    """The page's markup with its CSRF tokens blanked, hashed."""
    html = TOKEN.sub(lambda m: (m.group(1) or m.group(2)) + '"' + (m.group(3) or ""),
                     page.content())
    return hashlib.sha256(html.encode()).hexdigest()


def crawl(page, server: str, limit: int) -> tuple[list[str], dict[str, list[dict]]]:
    """Follow same-site links breadth-first from the home page, running the accessibility rules on
    each page as it is visited; returns the paths visited and the violations found on each."""
    seen: list[str] = []
    failures: dict[str, list[dict]] = {}
    shapes: set[str] = set()
    queue = ["/"]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        # /people/3 and /people/4 share a template: checking one of each shape is enough.
        shape = re.sub(r"\d+", "N", path)
        if path in seen or shape in shapes:
            continue
        shapes.add(shape)
        page.goto(path)
        seen.append(path)
        key = markup_key(page)
        if key not in CHECKED_MARKUP:
            CHECKED_MARKUP[key] = axe_violations(page)
        if CHECKED_MARKUP[key]:
            failures[path] = CHECKED_MARKUP[key]
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            url = urlparse(urldefrag(href)[0])
            if url.netloc != urlparse(server).netloc:
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            # One page of each list is enough; sort and page links repeat the same template.
            if any(mark in url.path for mark in NOT_HTML) or "page=" in url.query \
                    or "sort=" in url.query or url.path.startswith("/static"):
                continue
            if target not in seen and target not in queue:
                queue.append(target)
    return seen, failures


def test_sign_in_page_has_no_violations(page):
    page.goto("/sign-in")
    assert axe_violations(page) == []
    click_through(page, "button:has-text('Sign in')")
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []


@pytest.mark.parametrize("role", ["admin", "secretary", "governance", "member", "auditor",
                                  "reviewer"])
def test_every_reachable_page_has_no_violations(page, server, role):
    sign_in(page, role)
    visited, failures = crawl(page, server, MAX_PAGES_PER_ROLE)
    assert len(visited) > 3
    assert failures == {}


def test_public_register_date_control_and_its_error_state(page):
    page.goto("/public/interests")
    assert axe_violations(page) == []
    page.fill("#on-day", "31")
    page.fill("#on-month", "2")
    page.fill("#on-year", "2026")
    click_through(page, "button:has-text('Show the register')")
    assert page.title().startswith("Error: ")
    assert page.locator(".nhsuk-error-summary").get_by_text(
        "The date must be a real date").is_visible()
    assert page.input_value("#on-day") == "31"
    assert axe_violations(page) == []
    page.fill("#on-day", "1")
    page.fill("#on-month", "1")
    click_through(page, "button:has-text('Show the register')")
    assert not page.title().startswith("Error: ")
    assert page.get_by_text("as the register stood at the end of 1 January 2026").is_visible()


def test_independent_reviewer_pages_have_no_violations(page, server):
    """The committee setting, the queue's reviewer column and the independent reviewer's work."""
    sign_in(page, "admin")
    page.goto("/committees/")
    click_through(page, "a:has-text('Governing Body')")
    assert "Eleanor Fairweather" in page.inner_text("main")
    assert axe_violations(page) == []
    click_through(page, "a:has-text('Change the independent reviewer')")
    assert page.title().startswith("Independent reviewer for the Governing Body")
    assert axe_violations(page) == []
    page.context.clear_cookies()
    sign_in(page, "governance")
    page.goto("/reviews/")
    assert "Independent reviewer" in page.inner_text("main")
    assert axe_violations(page) == []
    page.context.clear_cookies()
    sign_in(page, "reviewer")
    page.goto("/")
    assert "Decisions for you to review" in page.inner_text("main")
    assert axe_violations(page) == []
    click_through(page, "main li a:has-text('Online GP consultations')")
    assert "/reviews/" in page.url and page.locator("input[name=password]").count() == 1
    assert axe_violations(page) == []


def test_public_register_of_decisions_and_its_error_state(page):
    page.goto("/public/decisions")
    assert axe_violations(page) == []
    page.locator(".nhsuk-card__heading a").first.click()
    assert "/public/decisions/" in page.url
    assert axe_violations(page) == []
    page.goto("/public/decisions")
    page.fill("#from-day", "31")
    page.fill("#from-month", "2")
    page.fill("#from-year", "2026")
    click_through(page, "button:has-text('Show decisions')")
    assert page.title().startswith("Error: ")
    assert page.locator(".nhsuk-error-summary").get_by_text(
        "Meeting date from must be a real date").is_visible()
    assert page.input_value("#from-day") == "31"
    assert axe_violations(page) == []


def test_a_board_audit_pack_is_built_in_the_background_and_downloaded(page):
    """The pack form leads to a progress page (status text, refreshing itself), then the file."""
    from register.reports import pack_jobs

    sign_in(page, "secretary")
    page.goto("/reports/pack")
    page.select_option("#committee_id", index=1)
    page.fill("#date_from-year", "2020")
    click_through(page, "button:has-text('Print the pack')")
    assert "/reports/pack/jobs/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() in (
        "Building the board audit pack", "Your board audit pack is ready")
    assert axe_violations(page) == []
    pack_jobs.wait(page.url.rsplit("/", 1)[-1], timeout=600)
    # The building page refreshes itself (reloading it by hand as well races that refresh).
    expect(page.get_by_role("heading", level=1)).to_have_text("Your board audit pack is ready",
                                                              timeout=30_000)
    page.wait_for_load_state()
    assert axe_violations(page) == []
    with page.expect_download() as download:
        page.click("a:has-text('Download the pack (PDF)')")
    assert download.value.suggested_filename.startswith("audit-pack-")
