"""The annual summary of the organisation's use of the Provider Selection Regime."""
from __future__ import annotations

import csv
import io

import pytest

from register.decisions.record import load_records
from register.reports import annual
from register.rules import publication

from .conftest import add_committee, add_decision, data_version
from .test_pdf_support import NAMES, build_consortium, flat, page_texts, reader


@pytest.fixture
def year(db):
    """Financial year 2025/26: one flagged direct award C (the consortium's, £10,000) and one
    published competitive process (£20,000); around them decisions that must not count."""
    world = build_consortium(db, extra_decisions=2)  # two still ready for decision
    trust = db.execute("SELECT id FROM organisations WHERE ods_code = 'RX1'").fetchone()[0]
    body = add_committee(db, "Governing Body")
    add_decision(db, body, reference="MOB-2025-0001", title="Community diagnostics",
                 process="competitive_process", meeting_date="2025-05-01", status="published",
                 total_value_pence=2_000_000, awarded_provider_id=trust,
                 contract_start="2025-10-01", contract_end="2027-09-30",
                 award_published_where="Find a Tender", providers=(trust,))
    add_decision(db, body, reference="MOB-2026-0200", title="Next year's urgent award",
                 process="urgent_award", meeting_date="2026-04-02", status="decided")
    add_decision(db, body, reference="MOB-2025-0300", title="Old regime tender",
                 regime="pcr2013", process="competitive_tender", meeting_date="2025-06-01",
                 status="published")
    add_decision(db, body, reference="MOB-2025-0400", title="Withdrawn plan",
                 process="most_suitable_provider", meeting_date="2025-07-01", status="withdrawn")
    return world


def test_financial_years():
    assert publication.financial_year_of(publication.dt.date(2026, 3, 31)) == 2025
    assert publication.financial_year_of(publication.dt.date(2026, 4, 1)) == 2026
    assert publication.financial_year_label(2025) == "2025/26"
    assert publication.financial_year_label(2099) == "2099/00"
    for typed in ("2025", "2025/26", "2025-2026", " 2025 / 26 "):
        assert publication.parse_financial_year(typed) == 2025
    for typed, message in (("2025/27", "must follow each other"), ("last year", "like 2025"),
                           ("1999", "from 2013 onwards")):
        with pytest.raises(ValueError, match=message):
            publication.parse_financial_year(typed)


def test_the_years_figures(db, year):
    ids = [r[0] for r in db.execute("SELECT id FROM decisions").fetchall()]
    summary = annual.summarise(load_records(db, ids), 2025)
    assert summary.decisions == 2
    assert [a.reference for a in summary.awards] == ["MOB-2025-0001", "MOB-2026-0001"]
    routes = {line.process: line for line in summary.routes}
    assert list(routes) == ["direct_award_a", "direct_award_b", "direct_award_c",
                            "most_suitable_provider", "competitive_process", "urgent_award"]
    assert (routes["direct_award_c"].count, routes["direct_award_c"].value_pence,
            routes["direct_award_c"].awards) == (1, 1_000_000, 1)
    assert (routes["competitive_process"].count,
            routes["competitive_process"].value_pence) == (1, 2_000_000)
    assert routes["urgent_award"].count == 0 and routes["most_suitable_provider"].count == 0
    assert summary.total_value_text == "£30,000.00"
    assert summary.decisions_with_conflicts == 1
    assert summary.people_conflicted == 2
    assert dict(summary.rulings) == {"May take part in the discussion but not the vote": 1,
                                     "Must leave the meeting for the item": 1}
    assert summary.not_ruled == 0 and summary.signed_off == 1
    # The next year holds the urgent award only.
    following = annual.summarise(load_records(db, ids), 2026)
    assert [a.reference for a in following.awards] == ["MOB-2026-0200"]


def test_page_for_governance_roles_only(as_role, db, year):
    lead = as_role("governance", username="lead")
    before = data_version(db)
    response = lead.get("/reports/annual-summary?year=2025/26")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Use of the Provider Selection Regime, 2025/26" in html
    assert "1 April 2025 to 31 March 2026" in html
    assert "£30,000.00" in html and "MOB-2025-0001" in html
    assert "MOB-2025-0300" not in html and "MOB-2026-0200" not in html
    assert "Must leave the meeting for the item" in html and NAMES["gp2"] in html
    assert data_version(db) == before
    member = as_role("member", username="member1")
    assert member.get("/reports/annual-summary").status_code == 403
    assert member.get("/reports/annual-summary.csv").status_code == 403


def test_a_bad_year_is_named(as_role, year):
    auditor = as_role("auditor", username="aud")
    response = auditor.get("/reports/annual-summary?year=2025/27")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<title>Error: " in html and "must follow each other" in html
    assert 'value="2025/27"' in html
    assert auditor.get("/reports/annual-summary.csv?year=soon").status_code == 400


def test_csv(as_role, year):
    response = as_role("secretary", username="sec").get("/reports/annual-summary.csv?year=2025")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "2025-26" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[1] == annual.ROUTE_COLUMNS
    routes = {row[0]: row for row in rows[2:9] if row}
    assert routes["Direct award process C"] == ["Direct award process C", "1", "1", "10000.00"]
    assert routes["All routes"] == ["All routes", "2", "2", "30000.00"]
    start = rows.index(annual.AWARD_COLUMNS)
    awards = {row[0]: dict(zip(annual.AWARD_COLUMNS, row, strict=True))
              for row in rows[start + 1:]}
    assert set(awards) == {"MOB-2025-0001", "MOB-2026-0001"}
    assert awards["MOB-2025-0001"]["Contract start date"] == "2025-10-01"
    assert awards["MOB-2025-0001"]["Where the award was published"] == "Find a Tender"
    assert NAMES["gp1"] + ": May take part in the discussion but not the vote" in \
        awards["MOB-2026-0001"]["How each conflict was managed"]


def test_pdf(as_role, year):
    response = as_role("governance", username="lead").get(
        "/reports/annual-summary.pdf?year=2025")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = reader(response.data)
    assert pdf.metadata.title == "Use of the Provider Selection Regime, 2025/26"
    text = flat(" ".join(page_texts(response.data)))
    for words in ("Decisions by route", "Direct award process C", "£30,000.00",
                  "How conflicts of interest were managed", "MOB-2025-0001",
                  "Must leave the meeting for the item", "Find a Tender"):
        assert words in text, words
    assert "Old regime tender" not in text
    assert f"Page {len(pdf.pages)} of {len(pdf.pages)}" in flat(page_texts(response.data)[-1])
