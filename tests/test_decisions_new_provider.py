"""A provider not yet on the organisation list, added from the decision form: the organisation
is added and audited, and the form comes back with everything typed kept."""
from __future__ import annotations

import re

import pytest

from .test_decisions_views import decision_row, full_form, start, text, world  # noqa: F401

NEW = "Harbourside Physiotherapy Ltd"


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_an_unknown_provider_opens_the_add_fields_with_its_name(as_role, db, world):  # noqa: F811
    client = as_role("secretary")
    reference = start(client, world)
    response = client.post(f"/decisions/{reference}/edit", data=full_form(
        db, world, reference, action="save", **{"providers-1": NEW}))
    html = response.get_data(as_text=True)
    assert f"No organisation matches &#39;{NEW}&#39;" in html
    assert '<details class="nhsuk-details" id="new-provider" open>' in html
    assert re.search(rf'name="new_provider-name"[^>]*value="{NEW}"', html)


def test_adding_the_provider_keeps_everything_typed_and_fills_its_box(
        as_role, db, world):  # noqa: F811
    client = as_role("secretary")
    reference = start(client, world)
    before = decision_row(db, reference)
    organisations, events = count(db, "organisations"), count(db, "audit_events")
    response = client.post(f"/decisions/{reference}/edit", data=full_form(
        db, world, reference, action="add_provider",
        description="Typed, not saved yet", **{
            "providers-1": NEW, "new_provider-name": NEW, "new_provider-kind": "independent",
            "new_provider-companies_house_number": "12345678"}))
    assert response.status_code == 200
    page = text(response)
    assert f"{NEW} added to the organisation list. It is now in proposed provider 2." in page
    html = response.get_data(as_text=True)
    assert f'value="{NEW} (12345678)"' in html
    assert "Typed, not saved yet" in html  # everything typed comes back
    assert '<details class="nhsuk-details" id="new-provider">' in html  # closed again
    [added] = db.query("SELECT * FROM organisations WHERE name = ?", [NEW])
    assert (added["kind"], added["companies_house_number"]) == ("independent", "12345678")
    assert count(db, "organisations") == organisations + 1
    assert db.execute("SELECT count(*) FROM audit_events WHERE entity = 'organisation'"
                      " AND entity_id = ?", [str(added["id"])]).fetchone()[0] >= 1
    assert count(db, "audit_events") > events
    assert decision_row(db, reference) == before  # the decision is saved only by its buttons
    saved = client.post(f"/decisions/{reference}/edit", data=full_form(
        db, world, reference, action="save", **{"providers-1": f"{NEW} (12345678)"}))
    assert saved.status_code == 302
    assert db.execute("SELECT count(*) FROM decision_providers WHERE organisation_id = ?",
                      [added["id"]]).fetchone()[0] == 1


@pytest.mark.parametrize(("over", "anchor", "message"), [
    ({"new_provider-kind": ""}, "new_provider-kind", "Choose the kind of organisation"),
    ({"new_provider-kind": "practice"}, "new_provider-ods_code",
     "Enter the practice&#39;s ODS code, like A81001"),
    ({"new_provider-name": ""}, "new_provider-name", "Enter the organisation name"),
    ({"new_provider-name": "Brookside Surgery"}, "new_provider-name",
     "Brookside Surgery (Y90002) is already in the register"),
    ({"new_provider-companies_house_number": "X1"}, "new_provider-companies_house_number",
     "Companies House number must be 8 characters"),
])
def test_a_refused_provider_says_why_and_writes_nothing(
        as_role, db, world, over, anchor, message):  # noqa: F811
    client = as_role("secretary")
    reference = start(client, world)
    organisations, events = count(db, "organisations"), count(db, "audit_events")
    data = full_form(db, world, reference, action="add_provider", description="Kept as typed",
                     **{"providers-1": NEW, "new_provider-name": NEW,
                        "new_provider-kind": "independent"})
    data.update(over)
    response = client.post(f"/decisions/{reference}/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Record decision" in html
    assert f'href="#{anchor}"' in html
    assert html.count(message) == 2  # the summary and beside the field
    assert "Kept as typed" in html and f'value="{NEW}"' in html
    assert count(db, "organisations") == organisations
    assert count(db, "audit_events") == events
