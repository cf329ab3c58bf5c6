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


def test_csv_names_each_linked_organisation_by_its_identifiers(client, consortium):
    rows = list(csv.DictReader(io.StringIO(
        client.get("/public/interests.csv?on=2026-04-01").data.decode("utf-8-sig"))))
    riverside = next(r for r in rows if r["Organisation"] == "Riverside Surgery")
    assert riverside["Organisation's ODS code"] == "Y00001"
    assert riverside["Organisation's Companies House number"] == ""
    assert riverside["Organisation's charity number"] == ""
    withheld = next(r for r in rows if r["Organisation"] == "Withheld")
    assert withheld["Organisation's ODS code"] == ""


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


def test_a_bad_date_is_named_and_todays_register_shown(client, consortium):
    response = client.get("/public/interests?on=not-a-date")
    assert response.status_code == 200
    assert "The date must be a real date, like 2026-03-31" in response.get_data(as_text=True)


# ---- the register as it stood on an earlier day -------------------------------------------------

@pytest.fixture
def history(db):
    """A decision-maker whose entries changed after `then` (30 days ago): one edited and given
    an end date, one withdrawn, one declared only afterwards, one withdrawn before `then`."""
    import datetime as dt
    from types import SimpleNamespace

    from register.interests import queries as interest_queries
    from register.timeutil import today_uk

    from .conftest import add_interest, add_person, add_user

    today = today_uk()
    then = today - dt.timedelta(days=30)
    person = add_person(db, "Dr Hana Kowalczyk", positions="GP partner")
    clerk = SimpleNamespace(id=add_user(db, "secretary", "clerk"), actor="clerk", person_id=None)
    iso = lambda day: day.isoformat()  # noqa: E731
    edited = add_interest(db, person, organisation_name="Edited Practice", nature="Partner",
                          date_from=iso(then - dt.timedelta(days=400)),
                          declared_on=iso(then - dt.timedelta(days=390)))
    withdrawn_later = add_interest(db, person, organisation_name="Withdrawn Later Ltd",
                                   date_from=iso(then - dt.timedelta(days=200)),
                                   declared_on=iso(then - dt.timedelta(days=190)))
    add_interest(db, person, organisation_name="Declared Later Ltd",
                 date_from=iso(then - dt.timedelta(days=100)),
                 declared_on=iso(then + dt.timedelta(days=10)))
    withdrawn_before = add_interest(db, person, organisation_name="Withdrawn Before Ltd",
                                    date_from=iso(then - dt.timedelta(days=300)),
                                    declared_on=iso(then - dt.timedelta(days=290)))
    # Edits today (after `then`) keep the earlier versions, as the interests pages do.
    row = dict(next(iter(db.query("SELECT * FROM interests WHERE id = ?", [edited]))))
    interest_queries.update_interest(
        db, edited, row["version"],
        {**row, "nature": "Senior partner", "date_to": iso(then - dt.timedelta(days=20))},
        user=clerk)
    interest_queries.withdraw_interest(db, withdrawn_later, 1, "Entered in error", user=clerk)
    # A withdrawal before `then`: its kept version says when it was replaced.
    interest_queries.withdraw_interest(db, withdrawn_before, 1, "Entered in error", user=clerk)
    db.execute("UPDATE interest_versions SET replaced_at = ? WHERE interest_id = ?",
               [f"{iso(then - dt.timedelta(days=5))}T09:00:00+00:00", withdrawn_before])
    db.execute("UPDATE interests SET updated_at = ? WHERE id = ?",
               [f"{iso(then - dt.timedelta(days=5))}T09:00:00+00:00", withdrawn_before])
    db.conn.commit()
    return SimpleNamespace(then=then, today=today)


def _csv_cells(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_as_at_an_earlier_day_each_entry_reads_as_it_did_then(client, history):
    on = history.then.isoformat()
    page = client.get(f"/public/interests?on={on}").get_data(as_text=True)
    csv_rows = _csv_cells(client.get(f"/public/interests.csv?on={on}"))
    pdf_text = " ".join(" ".join(page_texts(client.get(f"/public/interests.pdf?on={on}").data))
                        .split())
    for shown in (page, " ".join(" ".join(r) for r in csv_rows), pdf_text):
        # Edited today: shown as it read then, with no end date yet.
        assert "Edited Practice" in shown and "Senior partner" not in shown
        # Withdrawn today: it was on the register then.
        assert "Withdrawn Later Ltd" in shown
        # Declared after the day, though it had begun before: not on the register then.
        assert "Declared Later Ltd" not in shown
        # Withdrawn before the day.
        assert "Withdrawn Before Ltd" not in shown
    edited = next(r for r in csv_rows if r[2] == "Edited Practice")
    assert edited[6] == "Partner" and edited[8] == ""
    assert "as the register stood at the end of" in page
    assert "each entry as it read then" in page


def test_today_the_register_shows_the_entries_as_they_are_now(client, history):
    page = client.get("/public/interests").get_data(as_text=True)
    assert "Senior partner" in page and "Declared Later Ltd" in page
    assert "Withdrawn Later Ltd" not in page and "Withdrawn Before Ltd" not in page


def test_the_date_control_shows_the_register_as_at_the_day_typed(client, history):
    day = history.then
    response = client.get("/public/interests", query_string={  # the names the boxes send
        "on[day]": str(day.day), "on[month]": str(day.month), "on[year]": str(day.year)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Withdrawn Later Ltd" in page and "Declared Later Ltd" not in page
    assert f"on={day.isoformat()}" in page  # the downloads follow the date shown
    assert 'name="on[day]"' in page and f'value="{day.day}"' in page


@pytest.mark.parametrize(("args", "message"), [
    ({"on-day": "31", "on-month": "2", "on-year": "2026"}, "The date must be a real date"),
    ({"on-day": "3", "on-month": "", "on-year": "2026"}, "The date must include a month"),
    ({"on-day": "1", "on-month": "1", "on-year": "2999"},
     "The date must be a real date with a year between 1900 and 2100"),
    ({"on": "not-a-date"}, "The date must be a real date, like 2026-03-31"),
])
def test_a_bad_date_is_refused_with_a_message_and_the_typing_kept(client, history, args,
                                                                   message):
    response = client.get("/public/interests", query_string=args)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<title>Error: " in page
    assert page.count(message) >= 2  # in the summary and beside the field
    for part in ("day", "month", "year"):
        if args.get(f"on-{part}"):
            assert f'value="{args[f"on-{part}"]}"' in page
    assert "Senior partner" in page  # today's register is shown meanwhile


def test_a_future_date_is_refused(client, history):
    import datetime as dt

    later = history.today + dt.timedelta(days=2)
    response = client.get("/public/interests", query_string={
        "on-day": str(later.day), "on-month": str(later.month), "on-year": str(later.year)})
    assert "The date must be today or in the past" in response.get_data(as_text=True)
    refused = client.get(f"/public/interests.csv?on={later.isoformat()}")
    assert refused.status_code == 400
    assert "The date must be today or in the past" in refused.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["csv", "pdf"])
def test_a_download_for_a_bad_date_says_why_and_sends_nothing(client, history, kind):
    response = client.get(f"/public/interests.{kind}?on=2026-02-31")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert "The date must be a real date, like 2026-03-31" in response.get_data(as_text=True)
