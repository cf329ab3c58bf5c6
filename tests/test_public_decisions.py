"""The public register of procurement decisions: page, page per decision, CSV, Excel and OCDS."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from openpyxl import load_workbook
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from register import create_app
from register.rules import publication

from .conftest import add_committee, add_decision, add_interest, add_organisation, data_version
from .reading import markup as text
from .test_pdf_support import NAMES, SCRIPT_TITLE, build_consortium

OCDS = Path(__file__).parent / "ocds"
PREFIX = "ocds-abc123"


@pytest.fixture
def register(app, db):
    """Published decisions in two committees and regimes, with decisions that must not appear."""
    app.config["OCDS_PREFIX"] = PREFIX
    world = build_consortium(db, extra_decisions=3)
    people = world["people"]
    db["decisions"].update(world["flagged"], {
        "status": "published", "contract_start": "2026-06-01", "contract_end": "2029-05-31",
        "award_published_where": "https://example.org/notices/0001",
        "award_published_on": "2026-03-20", "total_value_pence": 12_345_678})
    db.execute("UPDATE decisions SET status = 'withdrawn' WHERE reference = 'MOB-2026-0002'")
    db.execute("UPDATE decisions SET status = 'decided' WHERE reference = 'MOB-2026-0003'")
    trust = db.execute("SELECT id FROM organisations WHERE ods_code = 'RX1'").fetchone()[0]
    db["organisations"].update(trust, {"companies_house_number": "01234567"})
    body = add_committee(db, "Governing Body")
    older = add_decision(
        db, body, reference="MOB-2023-0001", title='=HYPERLINK("http://x.example")',
        regime="pcr2013", process="competitive_tender", meeting_date="2023-06-01",
        status="published", awarded_provider_id=trust, contract_start="2023-10-01",
        contract_end="2025-09-30", total_value_pence=50_000, annual_value_pence=25_000,
        award_published_where="Contracts Finder", award_published_on="2023-06-20",
        providers=(trust,))
    # A decision whose conflict comes from an interest withheld from publication.
    clinic = add_organisation(db, "Quiet Clinic Ltd", kind="independent",
                              companies_house_number="07654321")
    add_interest(db, people["lay"], organisation_id=clinic, organisation_name="Quiet Clinic Ltd",
                 nature="Spouse owns the clinic privately", is_indirect=1,
                 associate_relationship="spouse", consent_to_publish=0,
                 withheld_reason="Personal safety", date_from="2024-01-01",
                 declared_on="2024-01-05")
    withheld = add_decision(
        db, world["committee"], reference="MOB-2026-0100", title="Minor surgery service",
        meeting_date="2026-02-10", status="decided", providers=(clinic,),
        participants=((people["lay"], "voting"),), awarded_provider_id=clinic)
    db["decision_rulings"].insert({
        "decision_id": withheld, "person_id": people["lay"], "ruling": "leave_item",
        "reason": "", "ruled_by_user_id": world["governance_user"],
        "ruled_at": "2026-02-01T10:00:00+00:00"})
    db["decisions"].update(withheld, {"status": "published",
                                      "award_published_where": "Find a Tender"})
    return {**world, "older": older, "withheld": withheld, "body": body}




# ---- the page ---------------------------------------------------------------------------------

def test_page_needs_no_sign_in_and_shows_only_published_decisions(client, register):
    response = client.get("/public/decisions")
    assert response.status_code == 200
    html = text(response)
    assert "Register of procurement decisions" in html
    assert "3 published decisions" in html
    assert "MOB-2026-0001" in html and "MOB-2023-0001" in html and "MOB-2026-0100" in html
    for hidden in ("MOB-2026-0002", "MOB-2026-0003", "MOB-2026-0004"):  # withdrawn, decided, ready
        assert hidden not in html
    # Typed markup is shown, never obeyed.
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    # Conflicts in words: who, the flag sentence, and how it was managed.
    assert NAMES["gp1"] in html
    assert "May take part in the discussion but not the vote (Common interest: may discuss, not " \
           "vote)" in html
    assert "Must leave the meeting for the item (Home practice is the largest provider)" in html
    assert "https://example.org/notices/0001" in html
    assert "1 June 2026 to 31 May 2029" in html
    assert "£123,456.78" in html


def test_a_withheld_interest_is_named_only_as_withheld(client, register):
    html = text(client.get("/public/decisions/MOB-2026-0100"))
    assert "has a declared interest that is withheld from publication" in html
    assert "Spouse owns the clinic privately" not in html
    assert "Must leave the meeting for the item" in html
    csv_text = client.get("/public/decisions.csv").data.decode("utf-8-sig")
    assert "Spouse owns the clinic privately" not in csv_text


@pytest.mark.parametrize("query, shown, hidden", [
    ("regime=pcr2013", ["MOB-2023-0001"], ["MOB-2026-0001", "MOB-2026-0100"]),
    ("regime=psr", ["MOB-2026-0001", "MOB-2026-0100"], ["MOB-2023-0001"]),
    ("from=2026-03-01", ["MOB-2026-0001"], ["MOB-2023-0001", "MOB-2026-0100"]),
    ("from=01/01/2023&to=31/12/2023", ["MOB-2023-0001"], ["MOB-2026-0001"]),
    ("from%5Bday%5D=1&from%5Bmonth%5D=1&from%5Byear%5D=2023&to%5Bday%5D=31&to%5Bmonth%5D=12"
     "&to%5Byear%5D=2023", ["MOB-2023-0001"], ["MOB-2026-0001"]),
])
def test_filters(client, register, query, shown, hidden):
    html = text(client.get(f"/public/decisions?{query}"))
    for reference in shown:
        assert reference in html
    for reference in hidden:
        assert reference not in html


def test_filter_by_committee(client, register):
    html = text(client.get(f"/public/decisions?committee={register['body']}"))
    assert "MOB-2023-0001" in html and "MOB-2026-0001" not in html
    assert "1 published decision." in html


@pytest.mark.parametrize("query, message, kept", [
    # A date written whole, as in a link or a bookmark.
    ("from=31/02/2026", "Meeting date from is not a real date", {}),
    ("to=yesterday", "Meeting date to must be written as YYYY-MM-DD or DD/MM/YYYY", {}),
    ("from=2026-03-01&to=2026-01-01",
     "Meeting date to must be the same as or after meeting date from",
     {"from[day]": "1", "from[month]": "3", "to[month]": "1"}),
    # The day, month and year boxes, as the filter form sends them.
    ("from%5Bday%5D=31&from%5Bmonth%5D=2&from%5Byear%5D=2026",
     "Meeting date from must be a real date",
     {"from[day]": "31", "from[month]": "2", "from[year]": "2026"}),
    ("to%5Bday%5D=1&to%5Bmonth%5D=&to%5Byear%5D=2026", "Meeting date to must include a month",
     {"to[day]": "1", "to[year]": "2026"}),
])
def test_bad_filters_are_named_and_what_was_typed_is_kept(client, register, query, message,
                                                          kept):
    response = client.get(f"/public/decisions?{query}")
    assert response.status_code == 200
    html = text(response)
    assert "There is a problem" in html and message in html
    assert "<title>Error: " in html
    for name, value in kept.items():
        assert re.search(rf'name="{re.escape(name)}"[^>]*value="{value}"', html), name
    assert client.get(f"/public/decisions.csv?{query}").status_code == 400


def test_pagination(app, client, register):
    app.config["PAGE_SIZE"] = 2
    first = text(client.get("/public/decisions"))
    second = text(client.get("/public/decisions?page=2"))
    assert "MOB-2026-0001" in first and "MOB-2026-0100" in first  # latest meeting first
    assert "MOB-2023-0001" not in first
    assert "MOB-2023-0001" in second and "MOB-2026-0001" not in second
    assert 'aria-label="Page 2"' in first


def test_page_per_decision(client, register):
    response = client.get("/public/decisions/mob-2026-0001")
    assert response.status_code == 200
    html = text(response)
    for words in ("Contract start date", "1 June 2026", "31 May 2029", "Northvale Hospitals NHS "
                  "Trust", "1 Hospital Road, Northvale, NV1 1AA", "Where the award was published",
                  "20 March 2026", "Committee that decided", "Primary Care Committee"):
        assert words in html
    assert '<a class="nhsuk-link" href="https://example.org/notices/0001"' in html
    for reference in ("MOB-2026-0002", "MOB-2026-0003", "MOB-2026-0004", "NOPE-1"):
        assert client.get(f"/public/decisions/{reference}").status_code == 404


def test_public_pages_never_write(client, db, register):
    before = data_version(db)
    for url in ("/public/decisions", "/public/decisions?page=2&regime=psr",
                "/public/decisions/MOB-2026-0001", "/public/decisions.csv",
                "/public/decisions.xlsx", "/public/decisions.ocds.json"):
        assert client.get(url).status_code == 200, url
    assert data_version(db) == before


def test_linked_from_the_register_of_interests_and_the_public_navigation(client, register):
    html = text(client.get("/public/interests"))
    assert 'the <a class="nhsuk-link" href="/public/decisions">register of procurement ' \
           'decisions</a>' in html
    sign_in_page = text(client.get("/sign-in"))
    assert 'class="nhsuk-header__navigation-link" href="/public/decisions"' in sign_in_page
    assert 'class="nhsuk-footer__list-item-link" href="/public/decisions"' in sign_in_page


# ---- CSV and Excel ----------------------------------------------------------------------------

def test_csv_has_the_template_columns_and_only_published_rows(client, register):
    response = client.get("/public/decisions.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    heading = rows[0]
    assert heading[:3] == ["Reference", "Contract or service title", "Description"]
    for column in ("Conflicts of interest noted", "How each conflict was managed",
                   "Contract start date", "Contract end date", "Contract value, total (£)",
                   "Where the award was published", "Contract awarded: supplier"):
        assert column in heading
    by_reference = {row[0]: dict(zip(heading, row, strict=True)) for row in rows[1:]}
    assert set(by_reference) == {"MOB-2026-0001", "MOB-2026-0100", "MOB-2023-0001"}
    first = by_reference["MOB-2026-0001"]
    assert first["Contract or service title"] == SCRIPT_TITLE
    assert first["Contract start date"] == "2026-06-01"
    assert first["Contract end date"] == "2029-05-31"
    assert first["Contract value, total (£)"] == "123456.78"
    assert first["Where the award was published"] == "https://example.org/notices/0001"
    assert NAMES["gp2"] + ": Must leave the meeting for the item" in \
        first["How each conflict was managed"]
    assert first["Conflicts of interest noted"].count("\n") == 1  # two people, one a line
    older = by_reference["MOB-2023-0001"]
    assert older["Contract or service title"] == "'=HYPERLINK(\"http://x.example\")"
    assert older["Procurement type"] == "The 2013 procurement regulations: Competitive tender"


def test_xlsx_reads_back_with_types_widths_and_no_formulas(client, register):
    response = client.get("/public/decisions.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.active
    heading = [cell.value for cell in sheet[1]]
    assert heading[0] == "Reference" and "Contract start date" in heading
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 30
    rows = {row[0].value: {h: cell for h, cell in zip(heading, row, strict=True)}
            for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == {"MOB-2026-0001", "MOB-2026-0100", "MOB-2023-0001"}
    first = rows["MOB-2026-0001"]
    start = first["Contract start date"]
    assert isinstance(start.value, dt.datetime) and start.value.date() == dt.date(2026, 6, 1)
    assert start.number_format == "dd/mm/yyyy"
    total = first["Contract value, total (£)"]
    assert total.value == pytest.approx(123456.78) and total.data_type == "n"
    assert "£" in total.number_format
    assert rows["MOB-2023-0001"]["Contract value, annual (£)"].value == 250
    title = rows["MOB-2023-0001"]["Contract or service title"]
    assert title.data_type == "s" and title.value.startswith("'=")
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


# ---- Open Contracting data --------------------------------------------------------------------

def _validator() -> Draft4Validator:
    release = json.loads((OCDS / "release-schema.json").read_text())
    package = json.loads((OCDS / "release-package-schema.json").read_text())
    registry = Registry().with_resource(release["id"], Resource(release, specification=DRAFT4))
    return Draft4Validator(package, registry=registry)


def test_ocds_package_is_valid_with_stable_ocids(client, register):
    response = client.get("/public/decisions.ocds.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    package = json.loads(response.data)
    errors = sorted(_validator().iter_errors(package), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    releases = package["releases"]
    ocids = {r["ocid"] for r in releases}
    assert ocids == {f"{PREFIX}-MOB-2026-0001", f"{PREFIX}-MOB-2026-0100",
                     f"{PREFIX}-MOB-2023-0001"}
    again = json.loads(client.get("/public/decisions.ocds.json").data)
    assert [r["id"] for r in again["releases"]] == [r["id"] for r in releases]
    assert len({r["id"] for r in releases}) == len(releases)
    one = [r for r in releases if r["ocid"] == f"{PREFIX}-MOB-2026-0001"]
    assert [r["tag"] for r in one] == [["planning"], ["tender"], ["award"], ["contract"]]
    tender = one[1]["tender"]
    assert tender["procurementMethod"] == "direct"
    assert tender["procurementMethodDetails"] == \
        "The Provider Selection Regime: Direct award process C"
    award = one[2]["awards"][0]
    assert award["value"] == {"amount": 123456.78, "currency": "GBP"}
    assert award["contractPeriod"] == {"startDate": "2026-06-01T00:00:00Z",
                                       "endDate": "2029-05-31T23:59:59Z"}
    assert award["documents"][0]["url"] == "https://example.org/notices/0001"
    supplier = next(p for p in one[0]["parties"] if "supplier" in p["roles"])
    assert supplier["identifier"] == {"scheme": "GB-NHS", "id": "RX1",
                                      "legalName": "Northvale Hospitals NHS Trust"}
    assert supplier["additionalIdentifiers"][0]["scheme"] == "GB-COH"
    assert award["suppliers"] == [{"id": "GB-NHS-RX1", "name": "Northvale Hospitals NHS Trust"}]
    buyer = next(p for p in one[0]["parties"] if "buyer" in p["roles"])
    assert buyer["name"] == "Northvale GP Commissioning Consortium"
    contract = one[3]["contracts"][0]
    assert contract["awardID"] == award["id"] and contract["value"]["currency"] == "GBP"
    older = [r for r in releases if r["ocid"] == f"{PREFIX}-MOB-2023-0001"]
    assert older[1]["tender"]["procurementMethod"] == "open"
    assert older[3]["contracts"][0]["status"] == "terminated"


def test_ocds_contract_amendment_only_with_modifications(register, db):
    from register.decisions.record import load_record
    from register.public import ocds

    rec = load_record(db, register["flagged"])
    plain = ocds.releases_for(rec, PREFIX, "Org", dt.date(2026, 4, 1))
    assert "contractAmendment" not in [t for r in plain for t in r["tag"]]
    modified = ocds.releases_for(rec, PREFIX, "Org", dt.date(2026, 4, 1), [
        {"id": "1", "date": dt.date(2027, 1, 5), "ground": "Regulation 13(1)(a)",
         "description": "Extended by six months"}])
    assert modified[-1]["tag"] == ["contractAmendment"]
    assert modified[-1]["contracts"][0]["amendments"][0]["rationale"] == "Regulation 13(1)(a)"
    package = ocds.release_package([rec], prefix=PREFIX, organisation="Org",
                                   uri="https://example.org/p.json",
                                   published=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
                                   today=dt.date(2026, 4, 1),
                                   modifications={rec.id: [{"date": dt.date(2027, 1, 5),
                                                            "ground": "Regulation 13"}]})
    assert not list(_validator().iter_errors(package))


def test_recorded_modifications_reach_the_public_page_and_ocds(register, client, db):
    from register.decisions import modifications
    from register.rules.modifications import Modification

    modifications.add(db, register["flagged"], Modification(
        dt.date(2026, 9, 1), "Two more clinic sessions a week", 12_345_678, 13_345_678, None,
        "e"), "test")
    modifications.add(db, register["flagged"], Modification(
        dt.date(2027, 1, 5), "Extended by a year", None, None, dt.date(2030, 5, 31), "a"),
        "test")
    page = client.get("/public/decisions/MOB-2026-0001").get_data(as_text=True)
    assert "Contract modifications" in page and "Two more clinic sessions a week" in page
    assert "now worth £133,456.78 and ends on 31 May 2030" in page
    package = json.loads(client.get("/public/decisions.ocds.json").data)
    assert not list(_validator().iter_errors(package))
    one = [r for r in package["releases"] if r["ocid"] == f"{PREFIX}-MOB-2026-0001"]
    amendment = one[-1]
    assert amendment["tag"] == ["contractAmendment"]
    assert amendment["date"] == "2027-01-05T00:00:00Z"
    contract = amendment["contracts"][0]
    assert contract["value"] == {"amount": 133456.78, "currency": "GBP"}
    assert contract["period"]["endDate"] == "2030-05-31T23:59:59Z"
    assert [a["rationale"][:3] for a in contract["amendments"]] == ["(e)", "(a)"]
    # The contract release keeps the value at award.
    assert one[-2]["contracts"][0]["value"] == {"amount": 123456.78, "currency": "GBP"}


def test_ocds_download_waits_for_a_prefix(app, client, register):
    app.config["OCDS_PREFIX"] = None
    response = client.get("/public/decisions.ocds.json")
    assert response.status_code == 404
    assert "no OCDS prefix" in text(response)
    assert "Open Contracting data" not in text(client.get("/public/decisions"))


@pytest.mark.parametrize("prefix", ["ocds abc123", "ocds-abc12", "OCDS-ABC123", "abc123",
                                    "ocds-abc1234", ""])
def test_a_bad_prefix_is_refused_at_start(tmp_path, prefix):
    with pytest.raises(RuntimeError) as refused:
        create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                    "DATABASE": str(tmp_path / "r.sqlite3"), "OCDS_PREFIX": prefix})
    assert "REGISTER_OCDS_PREFIX" in str(refused.value)
    assert "like ocds-abc123" in str(refused.value)


def test_the_prefix_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("REGISTER_OCDS_PREFIX", "ocds-9x8y7z")
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "DATABASE": str(tmp_path / "r.sqlite3")})
    assert app.config["OCDS_PREFIX"] == "ocds-9x8y7z"
    monkeypatch.setenv("REGISTER_OCDS_PREFIX", "ocds 9x8y7z")
    with pytest.raises(RuntimeError, match="ocds 9x8y7z"):
        create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                    "DATABASE": str(tmp_path / "r.sqlite3")})


def test_ocid_is_the_prefix_and_the_reference():
    assert publication.ocid("ocds-abc123", " mob-2026-0001 ") == "ocds-abc123-MOB-2026-0001"
    assert publication.ocds_prefix_problem("ocds-abc123") is None


def test_the_intention_notice_and_standstill_end_are_published(client, register, db):
    db["decision_notices"].insert({
        "decision_id": register["flagged"], "kind": "intention", "published_on": "2026-03-05",
        "published_where": "https://example.org/notices/intent-0001", "reference": "INT-1",
        "recorded_at": "2026-03-05T10:00:00+00:00"})
    page = text(client.get("/public/decisions/MOB-2026-0001"))
    assert "Intention to award and standstill" in page
    assert "https://example.org/notices/intent-0001" in page
    # 8 working days after Thursday 5 March 2026.
    assert re.search(r"Standstill ended</dt>\s*<dd[^>]*>17 March 2026<", page)
    package = json.loads(client.get("/public/decisions.ocds.json").data)
    errors = sorted(_validator().iter_errors(package), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    award = next(r for r in package["releases"]
                 if r["id"] == f"{PREFIX}-MOB-2026-0001-award")["awards"][0]
    intention = award["documents"][0]
    assert intention["documentType"] == "awardNotice"
    assert intention["title"] == "Intention to award notice"
    assert intention["url"] == "https://example.org/notices/intent-0001"
    assert intention["description"] == "Standstill ended 2026-03-17; notice reference INT-1"
    assert award["documents"][1]["url"] == "https://example.org/notices/0001"
