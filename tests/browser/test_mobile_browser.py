"""On a phone-sized screen, wide tables scroll inside their own box and never widen the page."""
from __future__ import annotations

import pytest

from .conftest import sign_in

pytestmark = pytest.mark.browser

PAGES = ["/accounts", "/committees/", "/people/", "/organisations/", "/interests/",
         "/decisions/", "/decisions/register", "/reviews/", "/import/formats",
         "/search/?q=" + "a" * 200]


def test_no_page_is_wider_than_a_phone(page):
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, "admin")
    wide = {}
    for path in [*PAGES, "/committees/1"]:  # the demo's first committee
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            wide[path] = width
    assert wide == {}
