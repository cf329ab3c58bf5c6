"""The register of procurement decisions: filters, sorting, CSV, each decision as JSON, the export
command, and the documented JSON shape."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from register.decisions import dependencies, lifecycle, serialise
from register.timeutil import today_uk

from .conftest import (
    add_committee,
    add_decision,
    add_organisation,
    add_person,
    add_user,
    data_version,
)
from .reading import markup as text

DOCS = Path(__file__).resolve().parent.parent / "docs" / "decisions-json.md"
ROLES = ("admin", "secretary", "governance", "member", "auditor")


@pytest.fixture
def register(db):
    """Two committees, a member practice and a trust, and three decisions (one flagged)."""
    practice = add_organisation(db, "Riverside Surgery", ods_code="Y90001", is_member_practice=1,
                                registered_address="2 River Street, Northvale", postcode="NV1 2BB")
    trust = add_organisation(db, "Northvale Hospitals NHS Trust", kind="trust", ods_code="RX1",
                             registered_address="1 Hospital Road, Northvale")
    primary = add_committee(db, "Primary Care Committee")
    finance = add_committee(db, "Finance Committee")
    asha = add_person(db, "Asha Patel", email="asha@example.nhs.uk", home_practice_id=practice)
    tom = add_person(db, "Tom Hughes", email="tom@example.nhs.uk")
    flagged = add_decision(
        db, primary, reference="MOB-2026-0001", title="Community anticoagulation service",
        description="Warfarin monitoring in practices", meeting_date="2026-03-10",
        total_value_pence=25_000_050, annual_value_pence=5_000_010, providers=(practice,),
        participants=((asha, "voting"), (tom, "voting")), awarded_provider_id=practice,
        clinical_lead_id=asha, contract_manager_id=tom, decision_process="Committee vote",
        justification="Care closer to home", status="awaiting_review")
    plain = add_decision(
        db, finance, reference="MOB-2026-0002", title="Hospital physiotherapy",
        meeting_date="2026-06-01", total_value_pence=9_000_000, annual_value_pence=3_000_000,
        providers=(trust,), participants=((tom, "voting"),), status="draft")
    later = add_decision(
        db, primary, reference="MOB-2026-0003", title="Zebra crossing audit",
        meeting_date="2026-09-01", total_value_pence=None, annual_value_pence=None,
        status="ready_for_decision", comments="=HYPERLINK(\"http://x\")")
    return {"practice": practice, "trust": trust, "primary": primary, "finance": finance,
            "asha": asha, "tom": tom, "flagged": flagged, "plain": plain, "later": later}


def references(page: str) -> list[str]:
    """The references listed in the register's table, in order."""
    return re.findall(r"(MOB-\d{4}-\d{4})</(?:a|td)>", page)




# ---- who may see what ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_every_role_may_open_the_register(as_role, register, role):
    response = as_role(role).get("/decisions/register")
    assert response.status_code == 200
    assert "Register of procurement decisions" in text(response)


def test_signed_out_is_sent_to_sign_in(client):
    for path in ("/decisions/register", "/decisions/register.csv", "/decisions/MOB-2026-0001.json"):
        response = client.get(path)
        assert response.status_code == 302 and "sign-in" in response.headers["Location"]


def test_member_sees_only_decisions_they_take_part_in_or_recorded(as_role, db, register):
    member = as_role("member", person_id=register["asha"])
    page = text(member.get("/decisions/register"))
    assert references(page) == ["MOB-2026-0001"]
    assert "decisions you took part in or recorded" in page
    # A decision the member recorded is theirs too.
    user_id = db.execute("SELECT id FROM users WHERE username = 'member'").fetchone()[0]
    db["decisions"].update(register["later"], {"author_user_id": user_id})
    assert references(text(member.get("/decisions/register"))) == ["MOB-2026-0003",
                                                                  "MOB-2026-0001"]
    rows = list(csv.reader(io.StringIO(text(member.get("/decisions/register.csv"))[1:])))
    assert sorted(row[0] for row in rows[1:]) == ["MOB-2026-0001", "MOB-2026-0003"]


def test_json_is_404_for_unknown_403_for_others_and_200_for_those_allowed(as_role, register):
    member = as_role("member", person_id=register["asha"])
    assert member.get("/decisions/MOB-2099-0001.json").status_code == 404
    assert member.get("/decisions/MOB-2026-0002.json").status_code == 403
    response = member.get("/decisions/MOB-2026-0001.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    for role in ("auditor", "governance"):
        assert as_role(role).get("/decisions/MOB-2026-0002.json").status_code == 200


def test_json_route_is_matched_before_the_decision_page(app):
    adapter = app.url_map.bind("localhost")
    endpoint, args = adapter.match("/decisions/MOB-2026-0007.json")
    assert endpoint == "decision_register.decision_json" and args == {"reference": "MOB-2026-0007"}
    assert adapter.match("/decisions/register")[0] == "decision_register.register"
    assert adapter.match("/decisions/register.csv")[0] == "decision_register.register_csv"
    if "decisions.show" in app.view_functions:
        assert adapter.match("/decisions/MOB-2026-0007")[0] == "decisions.show"


# ---- the table ----------------------------------------------------------------------------------

def test_the_register_shows_the_template_columns(as_role, register):
    page = text(as_role("secretary").get("/decisions/register?sort=reference&dir=asc"))
    for heading in ("Existing or new", "Procurement type", "Clinical lead and contract manager",
                    "Decision-making process and committee", "Conflicts of interest noted",
                    "Actions to mitigate", "Justification", "Contract awarded", "Contract value",
                    "Comments", "Status", "Meeting date"):
        assert heading in page
    assert "The Provider Selection Regime: Direct award process C" in page
    assert "Clinical lead: Asha Patel" in page and "Contract manager: Tom Hughes" in page
    assert "Committee vote" in page and "Finance Committee" in page
    assert "Riverside Surgery" in page and "2 River Street, Northvale, NV1 2BB" in page
    assert "Total: £250,000.50" in page and "Annual: £50,000.10" in page
    assert "1 person: Asha Patel" in page  # her home practice is the provider
    assert "Awaiting governance review" in page and "10 March 2026" in page
    assert "&lt;" not in page or "<script" not in page
    assert "=HYPERLINK(&#34;http://x&#34;)" in page or "=HYPERLINK(&quot;http://x&quot;)" in page


@pytest.mark.parametrize("query, expected", [
    ("", ["MOB-2026-0003", "MOB-2026-0002", "MOB-2026-0001"]),
    ("status=draft", ["MOB-2026-0002"]),
    ("flagged=yes", ["MOB-2026-0001"]),
    ("flagged=no", ["MOB-2026-0003", "MOB-2026-0002"]),
    ("from=2026-05-01", ["MOB-2026-0003", "MOB-2026-0002"]),
    ("to=01/06/2026", ["MOB-2026-0002", "MOB-2026-0001"]),
    ("from=2026-06-01&to=2026-06-01", ["MOB-2026-0002"]),
    # The day, month and year boxes, as the filter form sends them.
    ("from%5Bday%5D=1&from%5Bmonth%5D=5&from%5Byear%5D=2026", ["MOB-2026-0003", "MOB-2026-0002"]),
    ("to%5Bday%5D=01&to%5Bmonth%5D=06&to%5Byear%5D=2026", ["MOB-2026-0002", "MOB-2026-0001"]),
    ("from%5Bday%5D=&from%5Bmonth%5D=&from%5Byear%5D=&to%5Bday%5D=&to%5Bmonth%5D=&to%5Byear%5D=",
     ["MOB-2026-0003", "MOB-2026-0002", "MOB-2026-0001"]),
    ("min=100000", ["MOB-2026-0001"]),
    ("max=%C2%A390,000", ["MOB-2026-0002"]),
    ("min=90000&max=250000.50", ["MOB-2026-0002", "MOB-2026-0001"]),
    ("q=anticoag", ["MOB-2026-0001"]),
    ("q=Warfarin+practices", ["MOB-2026-0001"]),
    ("q=MOB-2026-0002", ["MOB-2026-0002"]),
    ("q=%22physio*+(", ["MOB-2026-0002"]),
    ("q=physio+OR+anticoagulation", []),
    ("q=nothing-like-this", []),
])
def test_filters(as_role, register, query, expected):
    response = as_role("auditor").get("/decisions/register?" + query)
    assert response.status_code == 200
    assert references(text(response)) == expected


def test_committee_filter(as_role, register):
    client = as_role("auditor")
    page = text(client.get(f"/decisions/register?committee={register['finance']}"))
    assert references(page) == ["MOB-2026-0002"]
    assert "1 decision matches the filter" in page
    assert references(text(client.get("/decisions/register?committee=999"))) == []


@pytest.mark.parametrize("query, message", [
    ("from=31/02/2026", "Meeting date from is not a real date"),
    ("to=next+week", "Meeting date to must be written as YYYY-MM-DD or DD/MM/YYYY"),
    ("from=2026-06-01&to=2026-05-01",
     "Meeting date to must be the same as or after meeting date from"),
    ("from%5Bday%5D=31&from%5Bmonth%5D=2&from%5Byear%5D=2026",
     "Meeting date from must be a real date"),
    ("to%5Bday%5D=1&to%5Bmonth%5D=6&to%5Byear%5D=", "Meeting date to must include a year"),
    ("from%5Bday%5D=1&from%5Bmonth%5D=6&from%5Byear%5D=0026",
     "Meeting date from must be a real date with a year between 1900 and 2100"),
    ("from%5Bday%5D=1&from%5Bmonth%5D=6&from%5Byear%5D=2026"
     "&to%5Bday%5D=1&to%5Bmonth%5D=5&to%5Byear%5D=2026",
     "Meeting date to must be the same as or after meeting date from"),
    ("min=NaN", "Enter the lowest total value in pounds and pence, like 125000.50"),
    ("max=1E%2B30", "Enter the highest total value in pounds and pence, like 125000.50"),
    ("min=-5", "The lowest total value must be £0 or more"),
    ("min=500&max=100", "The highest total value must be the same as or more than the lowest"),
])
def test_bad_filters_are_explained_and_ignored(as_role, register, query, message):
    response = as_role("secretary").get("/decisions/register?" + query)
    page = text(response)
    assert response.status_code == 200
    assert page.count(message) == 2  # the summary and the field
    assert "<title>Error: " in page
    assert "Download" not in page
    assert as_role("admin").get("/decisions/register.csv?" + query).status_code == 400


def test_the_meeting_date_filters_are_day_month_and_year_boxes_that_keep_what_was_typed(
        as_role, register):
    client = as_role("secretary")
    page = client.get("/decisions/register?from%5Bday%5D=31&from%5Bmonth%5D=2"
                      "&from%5Byear%5D=2026").get_data(as_text=True)
    for name, value in (("from[day]", "31"), ("from[month]", "2"), ("from[year]", "2026")):
        assert re.search(rf'name="{re.escape(name)}"[^>]*value="{value}"', page), name
    assert 'href="#from-day"' in page  # the error summary leads to the first box
    # A date written whole in a link or bookmark is read, and shown in the boxes.
    page = client.get("/decisions/register?from=2026-05-01").get_data(as_text=True)
    assert re.search(r'name="from\[month\]"[^>]*value="5"', page)
    assert 'name="from"' not in page


@pytest.mark.parametrize("sort, direction, expected", [
    ("reference", "asc", ["MOB-2026-0001", "MOB-2026-0002", "MOB-2026-0003"]),
    ("reference", "desc", ["MOB-2026-0003", "MOB-2026-0002", "MOB-2026-0001"]),
    ("meeting", "asc", ["MOB-2026-0001", "MOB-2026-0002", "MOB-2026-0003"]),
    ("title", "asc", ["MOB-2026-0001", "MOB-2026-0002", "MOB-2026-0003"]),
    ("title", "desc", ["MOB-2026-0003", "MOB-2026-0002", "MOB-2026-0001"]),
    # Decisions without a value come last either way.
    ("value", "asc", ["MOB-2026-0002", "MOB-2026-0001", "MOB-2026-0003"]),
    ("value", "desc", ["MOB-2026-0001", "MOB-2026-0002", "MOB-2026-0003"]),
    ("status", "asc", ["MOB-2026-0001", "MOB-2026-0002", "MOB-2026-0003"]),
    # Anything not on the list falls back to the newest meeting first.
    ("id; DROP TABLE decisions", "asc", ["MOB-2026-0003", "MOB-2026-0002", "MOB-2026-0001"]),
    ("total_value_pence", "sideways", ["MOB-2026-0003", "MOB-2026-0002", "MOB-2026-0001"]),
])
def test_sorting_uses_the_whitelist(as_role, db, register, sort, direction, expected):
    response = as_role("governance").get("/decisions/register",
                                         query_string={"sort": sort, "dir": direction})
    assert response.status_code == 200
    assert references(text(response)) == expected
    assert db["decisions"].count == 3


def test_pages(app, as_role, db, register):
    app.config["REGISTER_PAGE_SIZE"] = 2
    client = as_role("secretary")
    first = text(client.get("/decisions/register?sort=reference&dir=asc"))
    assert references(first) == ["MOB-2026-0001", "MOB-2026-0002"]
    assert 'aria-label="Page 2"' in first
    assert references(text(client.get("/decisions/register?sort=reference&dir=asc&page=2"))) \
        == ["MOB-2026-0003"]
    assert references(text(client.get("/decisions/register?page=99&sort=reference&dir=asc"))) \
        == ["MOB-2026-0003"]


def test_flags_brought_up_to_date_by_a_write_show_in_the_listing(as_role, db, register):
    # Making the trust's decision award to the member practice flags it, once the write that
    # made the change brings its flags up to date; the listing only reads.
    db["decision_providers"].insert({"decision_id": register["plain"],
                                     "organisation_id": register["practice"]})
    lifecycle.refresh(db, dependencies.affected(db, decisions=[register["plain"]]))
    auditor = as_role("auditor")
    version = data_version(db)
    page = text(auditor.get("/decisions/register?flagged=yes&sort=reference&dir=asc"))
    assert references(page) == ["MOB-2026-0001", "MOB-2026-0002"]
    assert data_version(db) == version


# ---- the CSV ------------------------------------------------------------------------------------

def read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8")[1:], newline="")))


def test_csv_has_a_bom_the_columns_and_numeric_amounts(as_role, register):
    response = as_role("auditor").get("/decisions/register.csv?sort=reference&dir=asc")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="decisions-register-{today_uk().isoformat()}.csv"'
    rows = read_csv(response)
    header = rows[0]
    assert header == [heading for _key, heading in serialise.CSV_COLUMNS]
    first = dict(zip(header, rows[1]))
    assert first["Reference"] == "MOB-2026-0001"
    assert first["Contract value, total (£)"] == "250000.50"
    assert first["Contract value, annual (£)"] == "50000.10"
    assert float(first["Contract value, total (£)"]) == 250000.5
    assert first["Contract awarded: supplier"] == "Riverside Surgery"
    assert first["Supplier's registered address"] == "2 River Street, Northvale, NV1 2BB"
    assert first["Number of people with conflicts"] == "1"
    assert first["Conflicts of interest noted"] == "Asha Patel"
    assert first["Flagged"] == "yes" and first["Status"] == "Awaiting governance review"
    assert first["Meeting date"] == "2026-03-10"
    third = dict(zip(header, rows[3]))
    assert third["Contract value, total (£)"] == "" and third["Flagged"] == "no"
    assert [row[0] for row in rows[1:]] == ["MOB-2026-0001", "MOB-2026-0002", "MOB-2026-0003"]


def test_csv_has_the_contract_term_where_published_and_each_conflict_in_words(as_role, db,
                                                                             register):
    db["decisions"].update(register["flagged"], {
        "contract_start": "2026-04-01", "contract_end": "2029-03-31",
        "award_published_where": "https://www.find-tender.service.gov.uk/Notice/000123-2026",
        "award_published_on": "2026-03-20"})
    db["decision_rulings"].insert({"decision_id": register["flagged"],
                                   "person_id": register["asha"], "ruling": "leave_item",
                                   "ruled_at": "2026-03-10T10:00:00+00:00"})
    rows = read_csv(as_role("auditor").get("/decisions/register.csv?sort=reference&dir=asc"))
    first = dict(zip(rows[0], rows[1]))
    assert first["Contract start date"] == "2026-04-01"
    assert first["Contract end date"] == "2029-03-31"
    assert first["Where the award was published"] == \
        "https://www.find-tender.service.gov.uk/Notice/000123-2026"
    assert first["Date the award was published"] == "2026-03-20"
    words = first["Each conflict in words: who, what interest, how it was managed"]
    assert words.startswith("Asha Patel: ") and "Riverside Surgery" in words
    assert words.endswith("Managed: Must leave the meeting for the item.")
    second = dict(zip(rows[0], rows[2]))
    assert second["Contract start date"] == "" and second["Where the award was published"] == ""


@pytest.mark.parametrize("typed, written", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+44 1234", "'+44 1234"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("Fine = fine", "Fine = fine"),
])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(as_role, db, register, typed,
                                                              written):
    db["decisions"].update(register["later"], {"comments": typed, "title": typed})
    rows = read_csv(as_role("secretary").get("/decisions/register.csv?sort=reference&dir=asc"))
    row = dict(zip(rows[0], rows[3]))
    assert row["Comments"] == written and row["Contract or service title"] == written


def test_rulings_are_the_actions_to_mitigate(as_role, db, register):
    client = as_role("auditor")
    rows = read_csv(client.get("/decisions/register.csv?sort=reference&dir=asc"))
    assert rows[1][rows[0].index("Actions to mitigate conflicts")] == ""
    db["decision_rulings"].insert({"decision_id": register["flagged"],
                                   "person_id": register["asha"], "ruling": "leave_item",
                                   "ruled_at": "2026-03-10T10:00:00+00:00"})
    rows = read_csv(client.get("/decisions/register.csv?sort=reference&dir=asc"))
    assert rows[1][rows[0].index("Actions to mitigate conflicts")] == \
        "Asha Patel: Must leave the meeting for the item"
    assert "Asha Patel: Must leave the meeting for the item" in \
        text(client.get("/decisions/register"))


def test_csv_takes_the_same_filters(as_role, register):
    rows = read_csv(as_role("secretary").get("/decisions/register.csv?flagged=no&q=physio"))
    assert [row[0] for row in rows[1:]] == ["MOB-2026-0002"]


# ---- the JSON document --------------------------------------------------------------------------

def test_json_document_shape(as_role, register):
    document = as_role("secretary").get("/decisions/MOB-2026-0001.json").get_json()
    assert document["schema_version"] == 1
    assert document["reference"] == "MOB-2026-0001"
    assert document["total_value_pence"] == 25_000_050
    assert document["total_value_pounds"] == "250000.50"
    assert document["annual_value_pounds"] == "50000.10"
    assert document["committee"] == {"id": register["primary"], "name": "Primary Care Committee"}
    assert document["clinical_lead"] == {"name": "Asha Patel", "email": "asha@example.nhs.uk"}
    assert document["participants"] == [
        {"name": "Asha Patel", "email": "asha@example.nhs.uk", "role": "voting"},
        {"name": "Tom Hughes", "email": "tom@example.nhs.uk", "role": "voting"}]
    assert document["providers"][0]["ods_code"] == "Y90001"
    assert document["awarded_provider"]["name"] == "Riverside Surgery"
    assert document["flagged"] is True and document["status"] == "awaiting_review"
    rules = {flag["rule"] for flag in document["flags"]}
    assert {"PROVIDER_IS_MEMBER_PRACTICE", "HOME_PRACTICE_PROVIDER"} <= rules
    home = next(f for f in document["flags"] if f["rule"] == "HOME_PRACTICE_PROVIDER")
    assert home["person"] == {"name": "Asha Patel", "email": "asha@example.nhs.uk"}
    assert home["organisation"] == {"name": "Riverside Surgery", "ods_code": "Y90001",
                                    "companies_house_number": None, "charity_number": None,
                                    "identifiers": [{"scheme": "GB-NHS", "id": "Y90001"}]}
    assert "Asha Patel" in home["sentence"] and isinstance(home["evidence"], dict)
    decision_level = next(f for f in document["flags"]
                          if f["rule"] == "PROVIDER_IS_MEMBER_PRACTICE")
    assert decision_level["person"] is None


def shape(value, key: str = ""):
    """The keys of a document, all the way down; a list's items merged, evidence left opaque
    (its keys depend on the rule), and null standing for any shape."""
    if key == "evidence" or value is None:
        return None
    if isinstance(value, dict):
        return {name: shape(item, name) for name, item in value.items()}
    if isinstance(value, list):
        merged = None
        for item in value:
            item_shape = shape(item)
            if isinstance(merged, dict) and isinstance(item_shape, dict):
                merged = {**merged, **{k: v if merged.get(k) is None else merged[k]
                                       for k, v in item_shape.items()}}
            elif merged is None:
                merged = item_shape
        return [merged]
    return None


def same_keys(a, b) -> bool:
    """Whether two shapes have the same keys wherever both are known."""
    if a is None or b is None:
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_keys(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return same_keys(a[0], b[0])
    return False


def test_docs_example_has_the_real_documents_keys(db, register):
    db["decision_options"].insert({"decision_id": register["flagged"], "position": 1,
                                   "description": "Hospital clinic", "outcome": "rejected",
                                   "reason": "Too far for patients"})
    db["decision_criteria"].insert({"decision_id": register["flagged"],
                                    "criterion": "quality_innovation", "weight": 100,
                                    "how_applied": "Scored by the panel"})
    document = serialise.decision_document(db, register["flagged"])
    docs = DOCS.read_text(encoding="utf-8")
    example = json.loads(re.search(r"```json\n(.*?)```", docs, re.S).group(1))
    assert same_keys(shape(example), shape(document))
    assert example.keys() == document.keys()
    assert example["flags"][0].keys() == document["flags"][0].keys()
    for key in document:
        assert f"`{key}`" in docs, key


# ---- the export command -------------------------------------------------------------------------

def test_export_json(runner, register):
    result = runner.invoke(args=["export", "decisions", "--format", "json"])
    assert result.exit_code == 0, result.output
    exported = json.loads(result.output)
    assert exported["schema_version"] == 1
    assert [d["reference"] for d in exported["decisions"]] == [
        "MOB-2026-0001", "MOB-2026-0002", "MOB-2026-0003"]
    assert exported["decisions"][0]["flags"]


def test_export_csv_to_a_file_for_one_committee(runner, register, tmp_path):
    target = tmp_path / "register.csv"
    result = runner.invoke(args=["export", "decisions", "--format", "csv", "-o", str(target),
                                 "--committee", "primary care committee"])
    assert result.exit_code == 0, result.output
    assert "Exported 2 decisions" in result.output
    data = target.read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline="")))
    assert [row[0] for row in rows[1:]] == ["MOB-2026-0001", "MOB-2026-0003"]


def test_export_refuses_an_unknown_committee_and_format(runner, register):
    result = runner.invoke(args=["export", "decisions", "--committee", "Nope"])
    assert result.exit_code == 1 and "No committee is called Nope" in result.output
    assert runner.invoke(args=["export", "decisions", "--format", "xml"]).exit_code == 2


def test_export_has_help_text(runner):
    for args in (["export", "--help"], ["export", "decisions", "--help"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0
    assert "Export decisions" in result.output and "--committee" in result.output
    assert "import-csv" in result.output


def test_a_user_without_a_person_sees_nothing_as_a_member(app, db, register):
    add_user(db, role="member", username="loner")
    client = app.test_client()
    client.post("/sign-in", data={"username": "loner", "password": "correct horse battery"})
    assert references(text(client.get("/decisions/register"))) == []
    assert client.get("/decisions/MOB-2026-0001.json").status_code == 403
