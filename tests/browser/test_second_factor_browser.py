"""A governance lead sets up the second factor in a real browser (sent there by the first sign-in,
key read from the page, code from an authenticator), keeps the recovery codes, and signs in again
with password and code; the accessibility rules on each page."""
from __future__ import annotations

import time

import pyotp
import pytest

from .conftest import axe_violations, click_through, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_app(live_app):
    """The demo register as a live one is: administrators and governance leads need the factor."""
    live_app.config["REQUIRE_MFA"] = True
    return live_app


def fresh_code(secret: str, after_step: int | None = None) -> tuple[str, int]:
    """The code now, waiting for the next step if `after_step` is the current one (a code is
    accepted once) or if the step is about to end."""
    while True:
        now = time.time()
        step = int(now) // 30
        if now % 30 < 25 and step != after_step:
            return pyotp.TOTP(secret).at(now), step
        time.sleep(0.5)


def test_a_governance_lead_sets_up_and_signs_in_with_a_code(page, tmp_path):
    sign_in(page, "governance")
    assert page.url.endswith("/account/second-factor/set-up")
    assert page.locator("h1").inner_text() == "Set up your second factor"
    assert page.locator("img[alt^='QR code']").is_visible()
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "set-up.png"), full_page=True)
    page.click("text=I cannot scan the code")
    secret = page.locator("#setup-key").inner_text().replace(" ", "")

    page.fill("#code", "000000")
    click_through(page, "button:has-text('Turn on second factor')")
    assert page.title().startswith("Error: ")
    assert "The code is not correct" in page.locator(".nhsuk-error-summary").inner_text()

    code, step = fresh_code(secret)
    page.fill("#code", code)
    click_through(page, "button:has-text('Turn on second factor')")
    assert page.url.endswith("/account/second-factor/recovery-codes")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "recovery-codes.png"), full_page=True)
    click_through(page, "text=I have kept my codes, continue")
    page.goto("/reviews/")
    assert page.locator("h1").count() == 1 and "/reviews/" in page.url

    click_through(page, "button:has-text('Sign out')")
    sign_in(page, "governance")
    assert page.url.endswith("/sign-in/code")
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "code.png"), full_page=True)
    page.fill("#code", code)  # the code already used to set up: refused
    click_through(page, "button:has-text('Continue')")
    assert "already been used" in page.locator(".nhsuk-error-summary").inner_text()
    page.screenshot(path=str(tmp_path / "code-error.png"), full_page=True)
    page.fill("#code", fresh_code(secret, after_step=step)[0])
    click_through(page, "button:has-text('Continue')")
    page.goto("/reviews/")
    assert "/reviews/" in page.url and "sign-in" not in page.url


def test_a_member_is_not_sent_to_set_up(page, tmp_path):
    sign_in(page, "member")
    assert "second-factor" not in page.url
    page.goto("/account")
    assert page.locator("a:has-text('Set up a second factor')").is_visible()
    page.screenshot(path=str(tmp_path / "my-account.png"), full_page=True)
