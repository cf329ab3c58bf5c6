"""The published register of interests: a web page, CSV and PDF that need no sign-in."""
from __future__ import annotations

import csv
import io

import pytest

from .test_pdf_support import NAMES, build_consortium, page_texts


@pytest.fixture
def consortium(db):
    return build_consortium(db, extra_decisions=0)


def test_page_needs_no_sign_in_and_shows_what_is_published(client, consortium):
    response = client.get("/public/interests?on=2026-04-01")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Register of interests" in html
    assert "Riverside Surgery" in html
    assert "Recent Federation Ltd" in html  # ended two months before: still published
    assert "Old Federation Ltd" not in html  # ended more than six months before
    assert "Mistake Ltd" not in html  # withdrawn
    assert "Staff Only Ltd" not in html and "Ola Nordmann" not in html  # not a decision-maker
    assert "Withheld" in html
    assert "Secret Clinic Ltd" not in html and "Safety of a family member" not in html
    assert "Spouse is a director" not in html
    assert "Siân Prŷs" in html  # decision-maker with nothing declared is listed
    assert "&lt;b&gt;bold&lt;/b&gt;" in html  # typed markup is shown, not obeyed


def test_six_month_rule_moves_with_the_date(client, consortium):
    # 31 January 2026 + 6 months = 31 July 2026: published on that day, gone the day after.
    assert "Recent Federation Ltd" in client.get("/public/interests?on=2026-07-31").get_data(
        as_text=True)
    assert "Recent Federation Ltd" not in client.get("/public/interests?on=2026-08-01").get_data(
        as_text=True)


def test_search_by_name(client, consortium):
    html = client.get("/public/interests?on=2026-04-01&q=wójcik").get_data(as_text=True)
    assert NAMES["gp1"] in html
    assert NAMES["chair"] not in html


def test_csv_has_bom_and_neutralised_formulas(client, consortium):
    response = client.get("/public/interests.csv?on=2026-04-01")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Name", "Current position(s)", "Organisation"]
    zofia = next(r for r in rows if r[0] == NAMES["exec"])
    assert zofia[2] == "'=HYPERLINK(\"x\")"
    assert zofia[3] == "'+Consulting"
    assert zofia[6] == "'-Shareholder"
    withheld = next(r for r in rows if r[0] == NAMES["lay"])
    assert withheld[2] == "Withheld" and set(withheld[3:]) == {""}
    assert not any("Secret Clinic" in cell for row in rows for cell in row)
    assert not any("Old Federation" in cell for row in rows for cell in row)


def test_pdf_download(client, consortium):
    response = client.get("/public/interests.pdf?on=2026-04-01")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = " ".join(" ".join(page_texts(response.data)).split())
    assert "Register of interests, 1 April 2026" in text
    assert "Withheld" in text and "Secret Clinic Ltd" not in text
    assert "Old Federation Ltd" not in text
    assert NAMES["gp2"] in text
    assert "Page 1 of" in text


def test_a_bad_date_falls_back_to_today(client, consortium):
    assert client.get("/public/interests?on=not-a-date").status_code == 200
