"""A live server on a free port and a real Chromium driven by Playwright, with CSRF on."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from register import create_app
from register.db import connect, migrate

CHROMIUM = os.environ.get("REGISTER_CHROMIUM", "/usr/bin/chromium")
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def _chromium_missing() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        return (f"Chromium not found at {CHROMIUM}. Install it with `sudo apt-get install chromium` "
                "(Debian/Ubuntu), or set REGISTER_CHROMIUM to its path.")
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed: run `make test` (it installs requirements-dev.txt)."
    return None


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run; under CI a missing browser fails instead of skipping."""
    problem = _chromium_missing()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_app(tmp_path):
    """The app with CSRF on and the demo consortium loaded, on a fresh database file."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "browser-test-secret-key-long-enough-to-sign",
        "DATABASE": str(tmp_path / "register.sqlite3"),
    })
    db = connect(app.config["DATABASE"])
    migrate(db)
    from register.demo import load_demo

    load_demo(db)
    db.close()
    return app


@pytest.fixture
def server(live_app):
    """Serve the app on 127.0.0.1 and a free port in a thread; yields its base URL."""
    httpd = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, server):
    """A fresh browser context and page for each test (no shared cookies)."""
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def sign_in(page, username: str, password: str | None = None) -> None:
    """Sign in through the real form."""
    from register.demo import DEMO_PASSWORD

    page.goto("/sign-in")
    page.fill("#username", username)
    page.fill("#password", password or DEMO_PASSWORD)
    click_through(page, "button:has-text('Sign in')")


def click_through(page, selector: str) -> None:
    """Click something that loads a new page and wait until that page has loaded.

    Waiting for the URL or the load state alone can return while the old page, or a new page whose
    body has not been parsed yet, is still there; expect_navigation waits for the new document."""
    with page.expect_navigation():
        page.click(selector)


def axe_violations(page) -> list[dict]:
    """Run the axe-core WCAG 2.2 AA rules on the current page; returns the violations."""
    page.evaluate(AXE_SOURCE + "\n;true")
    return page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))",
        AXE_TAGS,
    )
