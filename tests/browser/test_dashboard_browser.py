"""The governance dashboard in a real browser: charts drawn and named for assistive technology,
the numbers in tables beside them, the period filter with its error state, axe-clean."""
from __future__ import annotations

import os

import pytest
from PIL import Image

from .conftest import axe_violations, click_through, sign_in

pytestmark = pytest.mark.browser


def _shot(page, name: str) -> None:
    folder = os.environ.get("REGISTER_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_a_governance_lead_reads_the_figures_as_charts(page, tmp_path):
    sign_in(page, "governance")
    page.goto("/")
    click_through(page, "main a:has-text('See the governance dashboard')")
    assert page.title().startswith("Governance dashboard")
    # The whole demo: from its first meeting to its last.
    page.fill("#from-day", "1")
    page.fill("#from-month", "4")
    page.fill("#from-year", "2023")
    page.fill("#to-day", "31")
    page.fill("#to-month", "3")
    page.fill("#to-year", "2027")
    click_through(page, "button:has-text('Show the figures')")
    charts = page.locator("svg.app-figure__svg[role=img]")
    assert charts.count() == 6
    for key in ("choice", "route", "sign_off", "flagged", "late", "overdue"):
        drawing = page.locator(f"svg[data-chart={key}]")
        assert drawing.get_attribute("aria-labelledby") == f"chart-{key}-title chart-{key}-desc"
        box = drawing.bounding_box()
        assert box and 300 < box["width"] <= 1280 and box["height"] > 40, key
        table = page.locator(f"table[data-chart={key}]")
        assert table.is_visible() and table.locator("tbody tr").count() >= 1
    # The bars are drawn in colour, and each says its number.
    shot = tmp_path / "choice.png"
    page.locator("#figure-choice").screenshot(path=str(shot))
    with Image.open(shot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert sum(n for n, c in colours if c == (0x00, 0x5E, 0xB8)) > 300  # make: NHS blue
    assert sum(n for n, c in colours if c == (0x00, 0x7F, 0x3B)) > 300  # buy: NHS green
    assert axe_violations(page) == []
    _shot(page, "dashboard.png")
    # A committee on its own, then a date that does not exist: named, kept, still axe-clean.
    page.select_option("#committee", label="Primary Care Committee")
    click_through(page, "button:has-text('Show the figures')")
    assert "Primary Care Committee:" in page.inner_text("main")
    page.fill("#from-day", "31")
    page.fill("#from-month", "2")
    click_through(page, "button:has-text('Show the figures')")
    assert page.title().startswith("Error: ")
    assert page.locator(".nhsuk-error-summary").get_by_text(
        "Meeting date from must be a real date").is_visible()
    assert page.input_value("#from-day") == "31"
    assert axe_violations(page) == []
    _shot(page, "dashboard-error.png")


def test_on_a_phone_the_charts_shrink_to_the_screen(browser, server):
    context = browser.new_context(base_url=server, viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        sign_in(page, "auditor")
        page.goto("/reports/dashboard?from=2023-04-01&to=2027-03-31")
        box = page.locator("svg[data-chart=route]").bounding_box()
        assert box and box["width"] <= 375
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert axe_violations(page) == []
        _shot(page, "dashboard-phone.png")
    finally:
        context.close()
