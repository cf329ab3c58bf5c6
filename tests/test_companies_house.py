"""Companies House imports: basic company data and the PSC snapshot, in their published layouts."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from register.imports.companies_house_kind import parse_only, read_companies
from register.imports.writers import import_file
from register.rules.companies_house import PUBLISHED_HEADER, PUBLISHED_HEADER_LINE

from .conftest import add_committee, add_decision, add_organisation, add_person, count

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "companies_house"
BASIC = FIXTURES / "basic_company_data.csv"
PSC = FIXTURES / "psc_snapshot.txt"


def run(db, kind: str, path_or_text: Path | str, **options):
    """Import as the command does: an open file read line by line."""
    if isinstance(path_or_text, Path):
        with path_or_text.open(encoding="utf-8-sig", newline="") as stream:
            return import_file(db, kind, stream, actor="tester", **options)
    return import_file(db, kind, path_or_text, actor="tester", **options)


def messages(plan) -> list[str]:
    return [str(problem) for problem in plan.problems]


def snapshot(db) -> tuple:
    """Everything an import could write."""
    return (list(db.query("SELECT * FROM organisations ORDER BY id")),
            list(db.query("SELECT * FROM company_pscs ORDER BY id")), count(db, "audit_events"))


@pytest.fixture
def companies(db):
    """Two companies already in the register by number, one of them known by another spelling."""
    go_to_doc = add_organisation(db, "Go-To-Doc Ltd", kind="independent",
                                 companies_house_number="09990002")
    physio = add_organisation(db, "Northvale Physio", kind="independent",
                              companies_house_number="09990003")
    return {"go_to_doc": go_to_doc, "physio": physio}


def test_the_fixture_keeps_the_published_header():
    header = BASIC.read_text(encoding="utf-8").splitlines()[0]
    assert header == PUBLISHED_HEADER_LINE
    assert len(PUBLISHED_HEADER) == 55
    assert " CompanyNumber" in PUBLISHED_HEADER  # the leading space is Companies House's


# ---- basic company data -------------------------------------------------------------------------

def test_refreshes_companies_in_the_register_by_number_and_keeps_only_those(db, companies):
    before = count(db, "organisations")
    plan = run(db, "companies_house", BASIC)
    assert plan.ok, messages(plan)
    assert count(db, "organisations") == before  # the other four companies are left out
    assert any("4 companies in the file are not in the register" in note for note in plan.notes)
    go = db["organisations"].get(companies["go_to_doc"])
    # The register's spelling stays: the published name differs only in capitals and "Ltd".
    assert go["name"] == "Go-To-Doc Ltd"
    assert go["registered_address"] == "4 MARKET PLACE, NORTHVALE, ENGLAND"
    assert go["postcode"] == "NV3 4DD"
    assert go["company_status"] == "Active" and go["dissolved_on"] is None
    assert go["incorporated_on"] == "2016-06-01"
    assert go["sic_codes"] == ("86210 - General medical practice activities; "
                               "86900 - Other human health activities")
    assert go["company_category"] == "Private Limited Company"
    assert go["version"] == 2


def test_a_real_change_of_name_is_taken_and_the_name_key_kept_in_step(db, companies):
    run(db, "companies_house", BASIC)
    physio = db["organisations"].get(companies["physio"])
    # "Northvale Physio" and "NORTHVALE PHYSIO LIMITED" are one name: the register keeps its own.
    assert physio["name"] == "Northvale Physio"
    other = add_organisation(db, "Old Name Ltd", kind="independent",
                             companies_house_number="08209948")
    run(db, "companies_house", BASIC)
    renamed = db["organisations"].get(other)
    assert renamed["name"] == "! LTD" and renamed["name_key"] == "ltd"


def test_dissolved_company_is_marked_and_said(db, companies):
    plan = run(db, "companies_house", BASIC)
    physio = db["organisations"].get(companies["physio"])
    assert physio["company_status"] == "Dissolved"
    assert physio["dissolved_on"] == "2026-02-03"
    assert "Dissolved: Northvale Physio." in plan.notes


def test_each_write_is_audited_and_a_second_run_changes_nothing(db, companies):
    events = count(db, "audit_events")
    run(db, "companies_house", BASIC)
    assert count(db, "audit_events") - events >= 2
    assert {int(r["entity_id"]) for r in db.query(
        "SELECT entity_id FROM audit_events WHERE entity = 'organisation' AND action = 'update'")
    } == set(companies.values())
    state = snapshot(db)
    plan = run(db, "companies_house", BASIC)
    assert plan.ok and not plan.changes
    assert "2 companies are already up to date." in plan.notes
    assert snapshot(db) == state


def test_only_adds_the_companies_asked_for_as_new_organisations(db, companies):
    numbers, problems = parse_only("# wanted\n9990004\n\nce001234\n")
    assert problems == [] and numbers == {"09990004", "CE001234"}
    plan = run(db, "companies_house", BASIC, only=numbers)
    assert plan.ok, messages(plan)
    cic = next(db.query("SELECT * FROM organisations WHERE companies_house_number = '09990004'"))
    assert cic["name"] == "NORTHVALE COMMUNITY CARE C.I.C." and cic["kind"] == "independent"
    charity = next(db.query(
        "SELECT * FROM organisations WHERE companies_house_number = 'CE001234'"))
    assert charity["kind"] == "voluntary" and charity["sic_codes"] == ""
    assert count(db, "organisations") == 4


def test_only_file_problems_name_their_lines():
    numbers, problems = parse_only("09990004\nnot a number\n12345678901\n")
    assert numbers == {"09990004"}
    assert problems[0].startswith("Line 2: Companies House number 'not a number' must be")
    assert problems[1].startswith("Line 3:")


def test_reads_from_any_iterator_of_lines_once():
    """The import reads line by line: a generator of lines (no file, no whole text) is enough."""
    read = []

    def lines():
        for line in BASIC.read_text(encoding="utf-8").splitlines(keepends=True):
            read.append(line)
            yield line

    reading = read_companies(lines(), {"09990003"})
    assert reading.ok and len(read) == 7 and reading.rows_read == 6
    assert [company.number for _line, company in reading.records] == ["09990003"]
    assert reading.records[0][0] == 4 and reading.not_wanted == 5


def test_another_layout_is_refused_naming_the_missing_columns(db, companies):
    state = snapshot(db)
    text = "CompanyName,CompanyNumber,Status\n\"GO-TO-DOC LTD\",\"09990002\",\"Active\"\n"
    plan = run(db, "companies_house", text)
    assert plan.file_problem
    message = messages(plan)[0]
    assert message.startswith("This is not Companies House basic company data")
    assert "RegAddress.AddressLine1" in message and "IncorporationDate" in message
    assert "CompanyName," not in message
    assert snapshot(db) == state


def test_a_truncated_line_is_refused_with_its_line_number(db, companies):
    state = snapshot(db)
    lines = BASIC.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3][:120].rsplit(",", 1)[0]  # cut short between fields
    plan = run(db, "companies_house", "\n".join(lines) + "\n")
    assert not plan.ok
    assert messages(plan) == [
        "Line 4: has 10 fields but the header row has 55: the line is cut short or broken"]
    assert snapshot(db) == state


def test_a_file_cut_inside_a_quoted_field_is_refused(db, companies):
    state = snapshot(db)
    text = BASIC.read_text(encoding="utf-8")
    plan = run(db, "companies_house", text[:text.index("NORTHVALE PHYSIO") + 5])
    assert not plan.ok
    assert messages(plan)[-1].startswith("Line 4:")
    assert snapshot(db) == state


def test_a_bad_number_is_refused_with_its_line_number(db, companies):
    state = snapshot(db)
    text = BASIC.read_text(encoding="utf-8").replace('"SC123456"', '"SC12-X456"')
    plan = run(db, "companies_house", text)
    assert messages(plan) == ["Line 5: CompanyNumber: Companies House number 'SC12-X456' must be "
                              "8 numbers, or 2 letters and 6 numbers, like 01234567 or SC123456 "
                              "(shorter numbers are padded with zeros)"]
    assert snapshot(db) == state


def test_a_bad_date_in_a_wanted_company_is_refused(db, companies):
    state = snapshot(db)
    text = BASIC.read_text(encoding="utf-8").replace('"01/06/2016"', '"31/02/2016"')
    plan = run(db, "companies_house", text)
    assert messages(plan) == ["Line 3: IncorporationDate '31/02/2016' is not a real date"]
    assert snapshot(db) == state


def test_dry_run_writes_nothing(db, companies):
    state = snapshot(db)
    plan = run(db, "companies_house", BASIC, dry_run=True)
    assert plan.ok and len(plan.changes) == 2
    assert snapshot(db) == state


def test_command_imports_with_only(app, runner, db, companies, tmp_path):
    only = tmp_path / "wanted.txt"
    only.write_text("09990004\n", encoding="utf-8")
    result = runner.invoke(args=["import", "companies_house", str(BASIC), "--only", str(only)])
    assert result.exit_code == 0, result.output
    assert "1 organisation created" in result.output
    assert "2 organisations updated" in result.output
    bad = tmp_path / "bad.txt"
    bad.write_text("0999-000X4\n", encoding="utf-8")
    result = runner.invoke(args=["import", "companies_house", str(BASIC), "--only", str(bad)])
    assert result.exit_code == 1 and "bad.txt: Line 1:" in result.output


def test_upload_previews_and_confirms(as_role, db, companies, app, tmp_path):
    app.config["IMPORT_FOLDER"] = str(tmp_path / "imports")
    client = as_role("admin")
    page = client.post("/import/", data={
        "kind": "companies_house",
        "file": (BASIC.open("rb"), "BasicCompanyData-part1.csv")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "2 organisations will be updated" in page
    assert "Dissolved: Northvale Physio." in page


# ---- persons with significant control -----------------------------------------------------------

def test_psc_import_keeps_individuals_of_companies_in_the_register(db, companies):
    run(db, "companies_house", BASIC)
    plan = run(db, "psc", PSC)
    assert plan.ok, messages(plan)
    rows = list(db.query("SELECT * FROM company_pscs ORDER BY id"))
    assert [r["name"] for r in rows] == ["Mrs Helen Mary Carter", "Mr Oliver James Grant"]
    helen = rows[0]
    assert helen["organisation_id"] == companies["go_to_doc"]
    assert (helen["forename"], helen["middle_name"], helen["surname"]) == ("Helen", "Mary",
                                                                           "Carter")
    assert (helen["birth_month"], helen["birth_year"]) == (4, 1975)
    assert json.loads(helen["natures_of_control"]) == ["ownership-of-shares-25-to-50-percent",
                                                       "voting-rights-25-to-50-percent"]
    assert helen["notified_on"] == "2021-03-03" and helen["ceased_on"] is None
    assert rows[1]["ceased_on"] == "2020-01-31"
    assert "1 persons with significant control of companies not in the register were left " \
           "out." in plan.notes
    assert any(note.startswith("2 other entries") for note in plan.notes)
    again = run(db, "psc", PSC)
    assert again.ok and not again.changes


def test_a_bad_json_line_is_refused_with_its_line_number(db, companies):
    state = snapshot(db)
    lines = PSC.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2][:-3]
    plan = run(db, "psc", "\n".join(lines) + "\n")
    assert len(plan.problems) == 1
    assert messages(plan)[0].startswith("Line 3: is not valid JSON")
    assert snapshot(db) == state


@pytest.mark.parametrize("line, message", [
    ('[1, 2]', 'Line 1: is not a PSC snapshot line: it needs a "data" object'),
    ('{"company_number": "09990002", "data": {"kind": "individual-person-with-significant-'
     'control", "name": "A B", "notified_on": "3 March 2021"}}',
     "Line 1: notified_on '3 March 2021' is not a date written YYYY-MM-DD"),
    ('{"company_number": "0999-X", "data": {"kind": "individual-person-with-significant-'
     'control", "name": "A B"}}', "Line 1: Companies House number '0999-X' must be"),
    ('{"company_number": "09990002", "data": {"kind": "individual-person-with-significant-'
     'control", "name": "A B", "date_of_birth": {"month": 13, "year": 1970}}}',
     "Line 1: date_of_birth month 13 must be a number from 1 to 12"),
])
def test_psc_lines_of_another_shape_are_refused(db, companies, line, message):
    plan = run(db, "psc", line + "\n")
    assert messages(plan)[0].startswith(message)
    assert count(db, "company_pscs") == 0


def test_psc_import_refreshes_the_decisions_of_the_company(db, companies):
    committee = add_committee(db)
    helen = add_person(db, "Helen Carter")
    decision = add_decision(db, committee, providers=(companies["go_to_doc"],),
                            participants=((helen, "voting"),))
    assert count(db, "decision_flags") == 0
    run(db, "psc", PSC)
    flags = list(db.query("SELECT * FROM decision_flags WHERE decision_id = ?", [decision]))
    assert [f["rule"] for f in flags] == ["POSSIBLE_UNDECLARED_INTEREST"]
    assert flags[0]["severity"] == "possible" and flags[0]["person_id"] == helen


# ---- people's month and year of birth -----------------------------------------------------------

def test_people_import_takes_month_and_year_of_birth(db):
    text = ("name,email,birth_month,birth_year\n"
            "Helen Carter,helen.carter@example.nhs.uk,4,1975\n"
            "Tom Hughes,tom.hughes@example.nhs.uk,,\n")
    plan = import_file(db, "people", text.encode(), actor="tester")
    assert plan.ok, messages(plan)
    assert [(r["birth_month"], r["birth_year"]) for r in db.query(
        "SELECT birth_month, birth_year FROM people ORDER BY id")] == [(4, 1975), (None, None)]


@pytest.mark.parametrize("month, year, message", [
    ("13", "1975", "Line 2: birth_month '13' must be a month from 1 to 12"),
    ("April", "1975", "Line 2: birth_month 'April' must be a month from 1 to 12"),
    ("4", "75", "Line 2: birth_year '75' must be a year from 1900 to"),
])
def test_people_import_refuses_a_bad_month_or_year_of_birth(db, month, year, message):
    text = f"name,email,birth_month,birth_year\nA B,a.b@example.nhs.uk,{month},{year}\n"
    plan = import_file(db, "people", text.encode(), actor="tester")
    assert messages(plan)[0].startswith(message)
    assert count(db, "people") == 0


def test_person_form_records_month_and_year_of_birth(as_role, db):
    client = as_role("admin")
    person = add_person(db, "Helen Carter")
    page = client.get(f"/people/{person}/edit").get_data(as_text=True)
    assert "Month of birth (optional)" in page and "Year of birth (optional)" in page
    version = db["people"].get(person)["version"]
    data = {"name": "Helen Carter", "email": "helen.carter@example.nhs.uk", "birth_month": "4",
            "birth_year": "1975", "version": str(version), "home_practice_id": ""}
    bad = client.post(f"/people/{person}/edit", data={**data, "birth_year": "1066"})
    assert "Year of birth must be a year from 1900 to" in bad.get_data(as_text=True)
    assert client.post(f"/people/{person}/edit", data=data).status_code == 302
    row = db["people"].get(person)
    assert (row["birth_month"], row["birth_year"]) == (4, 1975)
    assert "April 1975" in client.get(f"/people/{person}").get_data(as_text=True)


# ---- what a user sees ---------------------------------------------------------------------------

def test_organisation_page_shows_the_company_and_who_controls_it(as_role, db, companies):
    run(db, "companies_house", BASIC)
    run(db, "psc", PSC)
    client = as_role("secretary")
    page = client.get(f"/organisations/{companies['go_to_doc']}").get_data(as_text=True)
    assert "Companies House status" in page and "Active" in page
    assert "1 June 2016" in page and "86210 - General medical practice activities" in page
    assert "Persons with significant control" in page
    assert "Mrs Helen Mary Carter" in page and "April 1975" in page
    assert "25-50% of shares, 25-50% of voting rights" in page
    assert "Ceased 31 January 2020" in page
    physio = client.get(f"/organisations/{companies['physio']}").get_data(as_text=True)
    assert "Dissolved on 3 February 2026" in physio and "nhsuk-tag--red" in physio


def test_a_decision_buying_from_a_dissolved_company_warns(as_role, db, companies):
    run(db, "companies_house", BASIC)
    committee = add_committee(db)
    decision = add_decision(db, committee, providers=(companies["physio"],))
    ref = db["decisions"].get(decision)["reference"]
    page = as_role("secretary").get(f"/decisions/{ref}").get_data(as_text=True)
    assert "A proposed provider is dissolved" in page
    assert "Northvale Physio</a> is dissolved, as Companies House records it (dissolved on 3 " \
           "February 2026)" in page
    other = add_decision(db, committee, providers=(companies["go_to_doc"],))
    ref = db["decisions"].get(other)["reference"]
    assert "dissolved" not in as_role("admin").get(f"/decisions/{ref}").get_data(as_text=True)


def test_records_are_read_as_the_csv_module_reads_them():
    """The quick split of a published line and the csv module agree, line numbers included."""
    import csv as csv_module
    import io

    from register.imports.companies_house_kind import csv_records

    text = ('"A","","B"\r\n'
            '"SAY ""HI"" LTD","1",""\r\n'
            '"TWO\r\nLINES","2","x"\r\n'
            'plain,unquoted,"mixed, with comma"\r\n'
            '"A "," B","C"\r\n'
            '"","",""\r\n')
    expected = list(csv_module.reader(io.StringIO(text, newline=""), strict=True))
    found = list(csv_records(io.StringIO(text, newline="")))
    assert [cells for _line, cells in found] == expected
    assert [line for line, _cells in found] == [1, 2, 3, 5, 6, 7]


def test_month_and_year_of_birth_are_shown_only_to_who_keeps_them(as_role, db):
    person = add_person(db, "Helen Carter", birth_month=4, birth_year=1975)
    assert "April 1975" in as_role("admin").get(f"/people/{person}").get_data(as_text=True)
    assert "April 1975" not in as_role("auditor").get(f"/people/{person}").get_data(as_text=True)
