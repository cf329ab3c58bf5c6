"""Several dated periods of one practice in one network: the organisation page lists them, "add
another period" records a rejoining, and an overlapping period is refused with the reason."""
from __future__ import annotations

from markupsafe import escape

from .conftest import add_organisation


def shows(response, text: str) -> bool:
    return str(escape(text)) in response.get_data(as_text=True)


def dates(prefix: str, day: str, month: str, year: str) -> dict[str, str]:
    return {f"{prefix}-day": day, f"{prefix}-month": month, f"{prefix}-year": year}


def test_a_practice_that_left_is_added_again_for_another_period(as_role, db):
    practice = add_organisation(db, "Riverside Surgery", ods_code="A81001")
    network = add_organisation(db, "North PCN", kind="network", ods_code="U12345")
    client = as_role("secretary")
    first = client.post("/organisations/links/new", data={
        "parent_id": str(network), "member_code": "A81001", **dates("date_from", "1", "4", "2020"),
        **dates("date_to", "31", "3", "2022")})
    assert first.status_code == 302
    page = client.get(f"/organisations/{practice}")
    assert shows(page, "Add another period")
    form = client.get(f"/organisations/links/new?parent_id={network}&member_id={practice}")
    assert shows(form, "one period for each time it belonged") and shows(form, "A81001")
    overlapping = client.post("/organisations/links/new", data={
        "parent_id": str(network), "member_code": "A81001", **dates("date_from", "1", "1", "2022")})
    assert overlapping.status_code == 200
    assert shows(overlapping, "Riverside Surgery already belongs to North PCN then. This overlaps "
                              "the period it already belongs, from 1 April 2020 to 31 March 2022")
    assert db["organisation_links"].count == 1
    again = client.post("/organisations/links/new", data={
        "parent_id": str(network), "member_code": "A81001", **dates("date_from", "1", "4", "2024")})
    assert again.status_code == 302
    members = client.get(f"/organisations/{network}")
    assert shows(members, "From 1 April 2020 to 31 March 2022")
    assert shows(members, "From 1 April 2024, still a member")
    assert db["organisation_links"].count == 2


def test_changing_dates_into_an_overlap_is_refused(as_role, db):
    practice = add_organisation(db, "Riverside Surgery", ods_code="A81001")
    network = add_organisation(db, "North PCN", kind="network", ods_code="U12345")
    old = db["organisation_links"].insert({"member_id": practice, "parent_id": network,
                                           "date_from": "2020-04-01", "date_to": "2022-03-31",
                                           "created_at": "2020-04-01"}).last_pk
    db["organisation_links"].insert({"member_id": practice, "parent_id": network,
                                     "date_from": "2024-04-01", "created_at": "2024-04-01"})
    response = as_role("secretary").post(f"/organisations/links/{old}/dates", data={
        **dates("date_from", "1", "4", "2020")})
    assert response.status_code == 200
    assert shows(response, "This overlaps the period it already belongs, from 1 April 2024 with "
                           "no end date")
    assert db["organisation_links"].get(old)["date_to"] == "2022-03-31"
