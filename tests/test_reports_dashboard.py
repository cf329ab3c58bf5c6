"""The governance dashboard: the figures read from a real database, drawn as SVG with their
numbers in tables, for the roles that read every decision, without writing anything."""
from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from register.reports import figures as figure_queries
from register.rules import figures as figure_rules

from .conftest import (
    add_committee,
    add_decision,
    add_interest,
    add_member,
    add_organisation,
    add_person,
    add_user,
    data_version,
)

PERIOD = "from=2025-04-01&to=2026-03-31"
TITLES = ("Secret make scheme", "Quiet buy scheme", "Other committee's scheme")


def _sign_off(db, decision_id: int, user_id: int, signed_at: str) -> None:
    db["sign_offs"].insert({"decision_id": decision_id, "signer_user_id": user_id,
                            "signer_name": "Gwen Ap-Rhys", "signer_role": "Governance lead",
                            "statement": "Conflicts managed", "content_hash": "x" * 64,
                            "signed_at": signed_at})


@pytest.fixture
def world(db):
    """Financial year 2025/26 of the Primary Care Committee: in Q1 three makes (one flagged,
    signed off in 4 working days) and two buys (one signed off in 9), in Q2 one mixed decision
    still awaiting review since May 2025; its member declared one interest late and one on time.
    The Governing Body took one more decision in Q1, and the committee one in the year before."""
    practice = add_organisation(db, "Riverside Surgery", ods_code="Y00001", is_member_practice=1)
    committee = add_committee(db, "Primary Care Committee")
    other = add_committee(db, "Governing Body")
    gp = add_person(db, "Dr Łukasz Wójcik", home_practice_id=practice)
    add_member(db, committee, gp)
    lead = add_user(db, role="governance", username="gwen")
    made = [add_decision(db, committee, title=TITLES[0], choice="make", meeting_date=day,
                         status="decided", process="direct_award_b",
                         providers=(practice,) if n == 0 else ())
            for n, day in enumerate(("2025-04-10", "2025-05-15", "2025-06-30"))]
    bought = [add_decision(db, committee, title=TITLES[1], choice="buy", meeting_date=day,
                           status="decided", process="competitive_process")
              for day in ("2025-04-20", "2025-06-01")]
    add_decision(db, committee, title="Mixed scheme", choice="mixed", meeting_date="2025-07-03",
                 status="awaiting_review", process="most_suitable_provider",
                 submitted_at="2025-05-01T09:00:00+00:00", providers=(practice,))
    add_decision(db, other, title=TITLES[2], choice="buy", meeting_date="2025-05-05",
                 status="decided", process="urgent_award")
    add_decision(db, committee, title="Last year's", choice="make", meeting_date="2025-03-31",
                 status="decided")
    db["decisions"].update(made[0], {"submitted_at": "2025-04-07T09:00:00+00:00"})
    _sign_off(db, made[0], lead, "2025-04-11T15:00:00+00:00")  # 4 working days
    db["decisions"].update(bought[0], {"submitted_at": "2025-04-07T09:00:00+00:00"})
    _sign_off(db, bought[0], lead, "2025-04-22T15:00:00+00:00")  # 9 (Easter in between)
    add_interest(db, gp, date_from="2025-04-01", declared_on="2025-06-01")  # late
    add_interest(db, gp, date_from="2025-04-01", declared_on="2025-04-20")  # on time
    return {"committee": committee, "other": other, "made": made, "bought": bought}


def test_the_facts_read_from_the_database(db, world):
    facts = figure_queries.load_facts(db, dt.date(2025, 4, 1), dt.date(2026, 3, 31),
                                      committee_id=world["committee"])
    found = figure_rules.figures(facts, dt.date(2025, 7, 31))
    choice = found.chart("choice")
    assert [s.values[:2] for s in choice.series] == [(3, 0), (2, 0), (0, 1)]
    assert choice.rows[0] == ("Q1 2025/26 (April to June 2025)", "3", "2", "0", "5")
    assert dict(zip(found.chart("route").categories, found.chart("route").series[0].values,
                    strict=True)) == {"PSR: Direct award process B": 3,
                                      "PSR: Most suitable provider process": 1,
                                      "PSR: Competitive process": 2}
    sign_off = found.chart("sign_off")
    assert sign_off.series[0].values == (1, 1, 0, 0, 0)
    assert sign_off.notes[:2] == ("Median: 6.5 working days", "Longest: 9 working days")
    flagged = found.chart("flagged")
    assert flagged.rows[0][1:] == ("5", "1", "20%") and flagged.rows[1][1:] == ("1", "1", "100%")
    late = found.chart("late")
    assert late.rows[0] == ("Q1 2025/26 (April to June 2025)", "2", "1", "0")
    overdue = found.chart("overdue")
    assert overdue.series[0].values == (0, 0, 1)
    # All committees: the Governing Body's urgent award counts too.
    every = figure_rules.figures(figure_queries.load_facts(
        db, dt.date(2025, 4, 1), dt.date(2026, 3, 31)), dt.date(2025, 7, 31))
    assert every.decisions == 7 and every.chart("choice").series[1].values[0] == 3


def _svg(html: str, key: str) -> str:
    match = re.search(rf'<svg class="app-figure__svg" data-chart="{key}".*?</svg>', html, re.S)
    assert match, key
    return match.group(0)


def _bars(svg: str) -> dict[tuple[str, str], float]:
    """Each bar's height by (series, category)."""
    found = {}
    for rect in re.findall(r"<rect class=\"app-figure__bar\"[^>]*>", svg):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', rect))
        found[(unescape(attrs["data-series"]), unescape(attrs["data-category"]))] = \
            float(attrs["height"])
    return found


def _table(html: str, key: str) -> list[list[str]]:
    match = re.search(rf'<table class="nhsuk-table app-figure__table" data-chart="{key}">'
                      r"(.*?)</table>", html, re.S)
    assert match, key
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", match.group(1), re.S)
    return [[unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def test_the_page_draws_each_figure_with_its_numbers(as_role, db, world):
    lead = as_role("governance", username="lead")
    before = data_version(db)
    response = lead.get(f"/reports/dashboard?committee={world['committee']}&{PERIOD}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert data_version(db) == before  # reading the figures writes nothing
    table = _table(html, "choice")
    assert table[0] == ["Quarter", "Make", "Buy", "Mixed", "All decisions"]
    assert table[1] == ["Q1 2025/26 (April to June 2025)", "3", "2", "0", "5"]
    bars = _bars(_svg(html, "choice"))
    make, buy = bars[("Make", "Q1 2025/26")], bars[("Buy", "Q1 2025/26")]
    assert make > 0 and make / buy == pytest.approx(3 / 2, rel=0.02)
    assert bars[("Mixed", "Q1 2025/26")] == 0 and bars[("Mixed", "Q2 2025/26")] == buy / 2
    flagged = _bars(_svg(html, "flagged"))
    assert flagged[("Flagged", "Q2 2025/26")] / flagged[("Flagged", "Q1 2025/26")] == \
        pytest.approx(100 / 20, rel=0.02)
    assert _table(html, "late")[1] == ["Q1 2025/26 (April to June 2025)", "2", "1", "0"]
    assert ["Overdue: more than 10 working days", "1"] in _table(html, "overdue")
    assert "Median: 6.5 working days" in html and "Longest: 9 working days" in html
    # Every chart is a picture with a title and a description; counts only, never titles.
    for key in ("choice", "route", "sign_off", "flagged", "late", "overdue"):
        svg = _svg(html, key)
        assert 'role="img"' in svg and f'aria-labelledby="chart-{key}-title chart-{key}-desc"' \
            in svg and "<title" in svg and "<desc" in svg
    for title in TITLES:
        assert title not in html
    assert "Primary Care Committee: 6 decisions with a meeting from 1 April 2025" in html


def test_all_committees_by_default_and_the_year_now_running(as_role, world):
    html = as_role("auditor", username="aud").get(f"/reports/dashboard?{PERIOD}") \
        .get_data(as_text=True)
    assert "All committees: 7 decisions" in html
    assert _table(html, "choice")[1] == ["Q1 2025/26 (April to June 2025)", "3", "3", "0", "6"]
    plain = as_role("secretary", username="sec").get("/reports/dashboard")
    assert plain.status_code == 200
    assert 'name="from[year]" type="text" value="' in plain.get_data(as_text=True)


@pytest.mark.parametrize(("query", "message"), [
    ("from[day]=31&from[month]=2&from[year]=2025&to=2026-03-31", "Meeting date from must be a"),
    ("from=2026-03-31&to=2025-04-01", "Meeting date to must be the same as or after"),
    ("from[day]=&from[month]=&from[year]=&to=2026-03-31", "Enter the start of the period"),
])
def test_bad_dates_are_named_and_kept(as_role, world, query, message):
    response = as_role("governance", username="lead").get(f"/reports/dashboard?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html and message in html
    assert "app-figure__svg" not in html


@pytest.mark.parametrize(("role", "status"), [
    ("admin", 200), ("secretary", 200), ("governance", 200), ("auditor", 200), ("member", 403)])
def test_access_for_every_role(as_role, world, role, status):
    assert as_role(role, username=f"u-{role}").get("/reports/dashboard").status_code == status


def test_signed_out_is_sent_to_sign_in(client, world):
    response = client.get("/reports/dashboard")
    assert response.status_code == 302 and "sign-in" in response.location


def test_linked_from_reports_and_home(as_role, world):
    lead = as_role("governance", username="lead")
    for page in ("/reports/", "/"):
        assert 'href="/reports/dashboard"' in lead.get(page).get_data(as_text=True), page
    member = as_role("member", username="m1")
    assert 'href="/reports/dashboard"' not in member.get("/").get_data(as_text=True)


def test_names_are_escaped_in_the_drawing(as_role, db, world):
    weird = add_committee(db, 'Committee <script>alert("x")</script>')
    add_decision(db, weird, meeting_date="2025-04-02", status="decided")
    html = as_role("governance", username="lead").get(
        f"/reports/dashboard?committee={weird}&{PERIOD}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_an_empty_period_says_so(as_role, world):
    html = as_role("governance", username="lead").get(
        "/reports/dashboard?from=2019-04-01&to=2019-06-30").get_data(as_text=True)
    assert "Nothing to draw for this period" in html and "No decisions in the period" in html


def test_the_facts_hold_no_titles(db, world):
    facts = figure_queries.load_facts(db, dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert not any(title in repr(facts) for title in TITLES)


def test_returns_after_a_campaign_closed_count_as_late_in_their_quarter(db, world):
    """A campaign open from 1 April 2025 to 30 April: the committee's GP answers on 10 May (late,
    counted in Q1), someone outside the committee on 2 July (late, counted only for all
    committees), and a third on time."""
    gp = db.execute("SELECT person_id FROM committee_members WHERE committee_id = ?",
                    [world["committee"]]).fetchone()[0]
    outsider, prompt = add_person(db, "Ola Nordmann"), add_person(db, "Ada Lovelace")
    campaign = db["campaigns"].insert({
        "title": "Annual declarations 2025", "kind": "annual", "opened_on": "2025-04-01",
        "deadline": "2025-04-30", "reminder_every_days": 7, "created_at": "2025-04-01"}).last_pk
    for person, day in ((gp, "2025-05-10"), (outsider, "2025-07-02"), (prompt, "2025-04-15")):
        db["campaign_people"].insert({"campaign_id": campaign, "person_id": person})
        db["declaration_returns"].insert({"person_id": person, "kind": "nil", "returned_on": day,
                                          "created_at": day})
    mine = figure_queries.load_facts(db, dt.date(2025, 4, 1), dt.date(2026, 3, 31),
                                     committee_id=world["committee"])
    assert mine.late_returns == (dt.date(2025, 5, 10),)
    every = figure_queries.load_facts(db, dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert every.late_returns == (dt.date(2025, 5, 10), dt.date(2025, 7, 2))
    chart = figure_rules.figures(every, dt.date(2025, 8, 1)).chart("late")
    assert chart.series[1].values == (1, 1, 0, 0)
