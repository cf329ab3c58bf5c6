"""On a phone-sized screen, wide tables scroll inside their own box and never widen the page."""
from __future__ import annotations

import pytest

from .conftest import sign_in

pytestmark = pytest.mark.browser

PAGES = ["/accounts", "/committees/", "/people/", "/organisations/", "/interests/",
         "/decisions/", "/decisions/register", "/reviews/", "/import/formats",
         "/search/?q=" + "a" * 200]
# Pages a governance lead reads, with the demo's records: the registers the public reads, the
# renewals and the annual summary among them (their tables once widened the page).
GOVERNANCE_PAGES = ["/reviews/", "/contracts/renewals", "/reports/annual-summary",
                    "/public/interests", "/public/decisions", "/public/gifts-and-hospitality",
                    "/people/1", "/organisations/1", "/meetings/", "/decisions/MOB-2026-0011",
                    "/reviews/MOB-2026-0014"]


def _wider_than_a_phone(page, paths, *, readable: bool) -> dict[str, int]:
    wide = {}
    for path in paths:
        response = page.goto(path)
        assert response.ok or not readable, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            wide[path] = width
    return wide


def test_no_page_is_wider_than_a_phone(page):
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, "admin")
    # The demo's first committee too.
    assert _wider_than_a_phone(page, [*PAGES, "/committees/1"], readable=False) == {}


def test_no_page_a_governance_lead_reads_is_wider_than_a_phone(page):
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, "governance")
    assert _wider_than_a_phone(page, GOVERNANCE_PAGES, readable=True) == {}


# On a desktop screen every table fits beside the page's margins, without its scroll box: only
# the full register of procurement decisions (one column for each of the law's fields) scrolls.
DESKTOP_PAGES = [*GOVERNANCE_PAGES, "/interests/free-text", "/interests/", "/decisions/",
                 "/people/", "/organisations/", "/campaigns/", "/breaches/", "/gifts/"]


def test_on_a_desktop_only_the_full_register_scrolls_sideways(page):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, "governance")
    scrolling = {}
    for path in [*DESKTOP_PAGES, "/decisions/register"]:
        assert page.goto(path).ok, path
        boxes = page.evaluate("""() => [...document.querySelectorAll('.app-table-wrap')]
            .filter(box => box.scrollWidth > box.clientWidth + 1)
            .map(box => box.getAttribute('aria-label'))""")
        if boxes:
            scrolling[path] = boxes
    assert scrolling == {"/decisions/register": [
        "Register of procurement decisions, scrolls sideways"]}
