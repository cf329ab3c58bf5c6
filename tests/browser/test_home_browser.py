"""Each role's home page is its to-do list, read in the browser on the demo consortium: one
server and one browser for every role; each card shows a count, and each link lands on the page
that holds those items (where that page counts them too, the two agree)."""
from __future__ import annotations

import re
import threading

import pytest
from werkzeug.serving import make_server

from register import create_app
from register.db import connect, migrate

from .conftest import axe_violations, click_through, sign_in

pytestmark = pytest.mark.browser

OWN = {"Declarations returned to you for changes": "Your declarations of interest"}
# role -> {card: the heading of the page its link leads to}; no card from another role's list.
EXPECTED = {
    "governance": {"Decisions waiting for a conflicts review": "Governance queue",
                   "Declarations waiting for your approval": "Declarations waiting for approval",
                   "Still to answer Governing Body declarations": "Governing Body declarations",
                   "Breaches open": "Breaches register", **OWN},
    "secretary": {"Drafts to finish": "Decisions",
                  "Decisions returned for more information": "Decisions",
                  "Outcomes to record": "Decisions",
                  "Contracts ending within 6 months": "Contracts coming up for renewal",
                  "Annual declaration to confirm": "Your declarations of interest", **OWN},
    "member": {"Campaign to answer: Governing Body declarations":
               "Your declarations of interest", **OWN},
    "auditor": {"Decisions this quarter": "Reports", "Breaches open": "Breaches register",
                "Annual declaration to confirm": "Your declarations of interest", **OWN},
    "admin": {"Emails not yet sent": "Outbox",
              "Annual declaration to confirm": "Your declarations of interest", **OWN},
    "reviewer": {**OWN},
}


@pytest.fixture(scope="module")
def home_server(tmp_path_factory):
    """The demo consortium served once for every role's home page (nothing here writes)."""
    folder = tmp_path_factory.mktemp("homes")
    app = create_app({"TESTING": True, "DATABASE": str(folder / "register.sqlite3"),
                      "SECRET_KEY": "browser-test-secret-key-long-enough-to-sign"})
    db = connect(app.config["DATABASE"])
    migrate(db)
    from register.demo import load_demo

    load_demo(db)
    db.close()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=5)


def cards(page) -> list[tuple[int, str, str, str]]:
    """The to-do list as (count, label, link, hint)."""
    found = []
    for item in page.locator("#todo li").all():
        link = item.locator("a.nhsuk-card__link")
        hint = item.locator(".nhsuk-card__description")
        found.append((int(item.locator("p.nhsuk-heading-l").inner_text().strip()),
                      link.inner_text().strip(), link.get_attribute("href"),
                      hint.inner_text().strip() if hint.count() else ""))
    return found


def label_of(label: str, expected: dict[str, str]) -> str:
    """The expected card a label is (campaign cards end with the campaign's year)."""
    return next(key for key in expected if label == key or label.startswith(key + " "))


def rows(page, pattern: str = "") -> int:
    body = page.locator("main table tbody tr")
    return body.filter(has_text=re.compile(pattern)).count() if pattern else body.count()


def test_each_roles_home_page_is_its_own_to_do_list_and_every_link_lands(browser, home_server):
    for role, expected in EXPECTED.items():
        context = browser.new_context(base_url=home_server,
                                      viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10000)
        sign_in(page, role)
        page.goto("/")
        todo = cards(page)
        assert sorted(label_of(label, expected) for _, label, _, _ in todo) == sorted(expected), \
            (role, todo)
        assert axe_violations(page) == [], role
        for count, label, href, hint in todo:
            page.goto("/")
            click_through(page, f"#todo a.nhsuk-card__link:text-is('{label}')")
            assert page.url == home_server + href, (role, label)
            heading = page.locator("h1").inner_text()
            assert heading.startswith(expected[label_of(label, expected)]), (role, label, heading)
            # Where the page counts the same items, it agrees with the card.
            if label == "Breaches open":
                assert rows(page) == count
            elif label == "Emails not yet sent":
                assert count > 0 and rows(page, "Waiting to be sent|Not sent yet|Gave up") == count
            elif label.startswith("Still to answer"):
                assert page.locator("#progress").inner_text().startswith(hint.split(" have")[0])
                assert rows(page, "Not yet") == count > 0
            elif label == "Contracts ending within 6 months":
                assert rows(page) == count
            elif label == "Declarations waiting for your approval":
                assert rows(page) == count
            elif label.startswith("To confirm your declarations"):
                assert count == 1 and hint.startswith("by ")
                assert page.get_by_role(
                    "button", name="Confirm my declarations are complete").is_visible()
        if role == "reviewer":
            # The independent reviewer's home also lists the decisions that come to her.
            page.goto("/")
            click_through(page, "main a[href^='/reviews/MOB-']")
            assert page.locator("h1").inner_text().startswith("Review the conflicts")
        context.close()
