"""Recording contract modifications through the form, their place on the decision page, and the
list of contracts coming up for renewal (page and CSV)."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from register.decisions import modifications, record
from register.rules.modifications import add_months
from register.timeutil import today_uk

from .conftest import add_committee, add_decision, add_organisation, count

POUNDS = 100


@pytest.fixture
def decided(db):
    """A published decision worth £100,000 from 1 April 2026 to 31 March 2027."""
    committee = add_committee(db)
    provider = add_organisation(db, "Riverside Health Ltd", kind="independent")
    decision_id = add_decision(db, committee, status="published", awarded_provider_id=provider,
                               total_value_pence=100_000 * POUNDS, contract_start="2026-04-01",
                               contract_end="2027-03-31", meeting_date="2026-03-10")
    return decision_id


def form(**over):
    data = {"modified_on[day]": "1", "modified_on[month]": "6", "modified_on[year]": "2026",
            "what_changed": "Two more clinic sessions a week", "value_before": "100000",
            "value_after": "120000", "ground": "e", "published_where": ""}
    data.update(over)
    return data


URL = "/decisions/MOB-2026-0001/modifications/new"


def test_secretary_records_a_modification_and_sees_it(decided, as_role, db):
    secretary = as_role("secretary")
    page = secretary.get(URL)
    assert page.status_code == 200
    assert 'value="1000.00"' not in page.get_data(as_text=True)
    assert 'value="100000.00"' in page.get_data(as_text=True)
    response = secretary.post(URL, data=form(**{"new_end[day]": "31", "new_end[month]": "3",
                                                "new_end[year]": "2028"}))
    assert response.status_code == 302
    shown = secretary.get("/decisions/MOB-2026-0001").get_data(as_text=True)
    assert "Contract modifications" in shown
    assert "Two more clinic sessions a week" in shown
    assert "£100,000.00 to £120,000.00" in shown
    assert "(e) Not substantial" in shown
    assert "now £120,000.00, ending 31 March 2028" in shown
    # The decision's history shows the modification as an event, with who and when.
    history = shown[shown.index("<h2>History</h2>"):]
    assert "Contract modification recorded (1 June 2026)" in history
    rec = record.load_record(db, decided)
    # The original values are kept beside the derived ones.
    assert rec.total_value_pence == 100_000 * POUNDS
    assert rec.contract_end == dt.date(2027, 3, 31)
    assert rec.current_value_pence == 120_000 * POUNDS
    assert rec.current_end == dt.date(2028, 3, 31)
    event = db.execute("SELECT action, entity FROM audit_events ORDER BY seq DESC LIMIT 1"
                       ).fetchone()
    assert tuple(event) == ("create", "contract_modification")


@pytest.mark.parametrize(("over", "message"), [
    ({"value_after": "130000"}, "Ground (e) allows a lifetime value change under 25% of the "
                                "original value (£100,000.00); this changes it by 30%"),
    ({"ground": ""}, "Choose the permitted ground for a modification that changes the value"),
    ({"modified_on[month]": "2"}, "The date of the modification must be on or after the "
                                  "decision&#39;s meeting, 10 March 2026"),
    ({"value_after": "-5"}, "The contract value after must be £0 or more"),
    ({"value_after": "lots"}, "Enter the value in pounds and pence, like 125000.50"),
    ({"value_before": "90000"}, "The value before must be the contract&#39;s current value, "
                                "£100,000.00"),
    ({"value_before": ""}, "Enter both the value before and the value after, or neither"),
    ({"what_changed": ""}, "Enter what changed"),
    ({"published_where": "Find a Tender"}, "Enter the date the notice of the modification was "
                                           "published"),
])
def test_bad_modifications_are_refused_and_nothing_is_written(decided, as_role, db, over,
                                                              message):
    secretary = as_role("secretary")
    response = secretary.post(URL, data=form(**over))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body
    assert "<title>Error: " in body
    assert count(db, "contract_modifications") == 0


def test_notice_due_until_published(decided, as_role, db):
    secretary = as_role("secretary")
    assert secretary.post(URL, data=form(value_after="130000", ground="a")).status_code == 302
    shown = secretary.get("/decisions/MOB-2026-0001").get_data(as_text=True)
    assert "Notice due by 1 July 2026" in shown
    assert secretary.post(URL, data=form(**{
        "value_before": "130000", "value_after": "130000", "ground": "",
        "what_changed": "Named contact changed", "published_where": "Find a Tender",
        "published_on[day]": "3", "published_on[month]": "6",
        "published_on[year]": "2026"})).status_code == 302
    found = modifications.load_for(db, [decided])[decided]
    assert [m.notice_required for m in found] == [True, True]
    assert found[1].notice_due_by is None


def test_only_the_secretary_records_and_only_when_decided(decided, as_role, db):
    assert as_role("governance").post(URL, data=form()).status_code == 403
    db["decisions"].update(decided, {"status": "draft"})
    response = as_role("secretary").post(URL, data=form())
    assert response.status_code == 302
    assert count(db, "contract_modifications") == 0


def test_modification_form_needs_csrf(csrf_app, db):
    from .conftest import add_user, sign_in
    committee = add_committee(db)
    add_decision(db, committee, status="published")
    add_user(db, role="secretary")
    client = csrf_app.test_client()
    sign_in(client, "secretary")
    assert client.post(URL, data=form()).status_code in (400, 302)
    assert count(db, "contract_modifications") == 0


@pytest.fixture
def ending(db):
    """Contracts ending at different times from today."""
    committee = add_committee(db, "Primary Care Committee")
    provider = add_organisation(db, "=Riverside Health Ltd", kind="independent")
    today = today_uk()
    for months, status in ((3, "published"), (11, "decided"), (2, "draft"), (20, "published")):
        add_decision(db, committee, status=status, awarded_provider_id=provider,
                     title=f"Service ending in {months} months", meeting_date="2024-01-10",
                     contract_start="2024-04-01",
                     contract_end=add_months(today, months).isoformat())
    return today


def test_renewal_list_soonest_first_with_the_end_after_modifications(ending, as_role, db):
    client = as_role("governance")
    body = client.get("/contracts/renewals").get_data(as_text=True)
    assert body.index("ending in 3 months") < body.index("ending in 11 months")
    assert "ending in 2 months" not in body  # a draft
    assert "ending in 20 months" not in body
    assert "Renewals" in body
    start_by = add_months(add_months(ending, 3), -6)
    assert f"{start_by.day} {start_by:%B %Y}" in body
    # Extending the 3-month contract by two years takes it off a 12-month list.
    decision = db.execute("SELECT id FROM decisions WHERE title LIKE '%3 months'").fetchone()[0]
    modifications.add(db, decision, modifications.Modification(
        dt.date(2025, 1, 1), "Extended", None, None, add_months(ending, 27), "a"), "test")
    body = client.get("/contracts/renewals").get_data(as_text=True)
    assert "ending in 3 months" not in body
    assert "ending in 3 months" in client.get("/contracts/renewals?months=30").get_data(
        as_text=True)


@pytest.mark.parametrize("months", ["0", "61", "1.5", "twelve", "-1"])
def test_renewal_months_are_checked(ending, as_role, months):
    response = as_role("secretary").get(f"/contracts/renewals?months={months}")
    assert response.status_code == 400
    assert "Enter the number of months as a whole number from 1 to 60" in response.get_data(
        as_text=True)
    assert as_role("auditor").get(f"/contracts/renewals.csv?months={months}").status_code == 400


def test_renewal_csv_neutralises_formulas(ending, as_role):
    response = as_role("auditor").get("/contracts/renewals.csv?months=24")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Reference", "Title", "Committee", "Provider"]
    assert [row[1] for row in rows[1:]] == ["Service ending in 3 months",
                                            "Service ending in 11 months",
                                            "Service ending in 20 months"]
    assert rows[1][3] == "'=Riverside Health Ltd"
    assert rows[1][4] == "10000.00"


def test_members_cannot_see_the_renewal_list(ending, as_role):
    assert as_role("member").get("/contracts/renewals").status_code == 403


def test_the_notice_is_recorded_later_and_checked(decided, as_role, db):
    secretary = as_role("secretary")
    assert secretary.post(URL, data=form(value_after="130000", ground="a")).status_code == 302
    modification_id = db.execute("SELECT id FROM contract_modifications").fetchone()[0]
    notice = f"/decisions/MOB-2026-0001/modifications/{modification_id}/notice"
    assert "Record the notice" in secretary.get("/decisions/MOB-2026-0001").get_data(as_text=True)
    early = secretary.post(notice, data={"published_where": "Find a Tender",
                                         "published_on[day]": "31", "published_on[month]": "5",
                                         "published_on[year]": "2026"})
    assert early.status_code == 400
    assert "The notice cannot be published before the modification was made" in early.get_data(
        as_text=True)
    assert db.execute("SELECT published_on FROM contract_modifications").fetchone()[0] is None
    done = secretary.post(notice, data={"published_where": "Find a Tender",
                                        "published_on[day]": "20", "published_on[month]": "6",
                                        "published_on[year]": "2026"})
    assert done.status_code == 302
    shown = secretary.get("/decisions/MOB-2026-0001").get_data(as_text=True)
    assert "Published 20 June 2026: Find a Tender" in shown
    assert "Notice due by" not in shown
    assert as_role("governance").post(notice, data={}).status_code == 403
