"""Each role's home page is its to-do list, read in the browser on the demo consortium."""
from __future__ import annotations

import pytest

from .conftest import axe_violations, click_through, sign_in

pytestmark = pytest.mark.browser

# (role, a card its to-do list must show, where that card leads)
EXPECTED = [
    ("governance", "Decisions waiting for a conflicts review", "/reviews/"),
    ("secretary", "Outcomes to record", "/decisions/"),
    ("member", "Declarations returned to you for changes", "/interests/person/"),
    ("auditor", "Decisions this quarter", "/reports"),
    ("admin", "Emails not yet sent", "/outbox"),
]


@pytest.mark.parametrize("role, card, leads_to", EXPECTED)
def test_each_roles_home_page_is_its_to_do_list(page, role, card, leads_to):
    sign_in(page, role)
    page.goto("/")
    todo = page.locator("#todo")
    assert todo.is_visible()
    link = todo.get_by_role("link", name=card)
    assert link.is_visible()
    count = link.locator("xpath=ancestor::div[contains(@class,'nhsuk-card__content')]"
                         ).locator("p.nhsuk-heading-l").inner_text()
    assert count.strip().isdigit()
    assert axe_violations(page) == []
    click_through(page, f"#todo a:has-text('{card}')")
    assert leads_to in page.url
