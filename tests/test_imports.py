"""CSV imports: the formats, the checks that refuse a whole file, the command and the upload pages."""
from __future__ import annotations

import io
import json
import re
import stat
from pathlib import Path

import pytest

from register.imports import parsers
from register.imports.parsers import FORMATS, KINDS, check_file
from register.imports.writers import import_file
from register.rules import csvrows

from .conftest import add_committee, add_organisation, add_person, add_user, sign_in

TABLES = ("organisations", "organisation_links", "people", "committees", "committee_members",
          "interests", "audit_events")
DOCS = Path(__file__).resolve().parent.parent / "docs" / "imports.md"


def counts(db) -> dict[str, int]:
    """How many rows each table the imports touch holds."""
    return {table: db[table].count for table in TABLES}


def run(db, kind: str, text: str | bytes, **options):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_file(db, kind, data, actor=options.pop("actor", "tester"), **options)


def messages(plan) -> list[str]:
    return [str(problem) for problem in plan.problems]


def epraccur_row(code: str, name: str, *, status: str = "A", setting: str = "4",
                 postcode: str = "NV1 1AA",
                 lines: tuple[str, ...] = ("1 HIGH STREET", "", "NORTHVALE", "", "")) -> str:
    """One line of an epraccur extract: 27 columns, no header."""
    cells = [""] * 27
    cells[0], cells[1], cells[2], cells[3] = code, name, "Y56", "QWE"
    cells[4:9] = lines
    cells[9], cells[10], cells[12], cells[13] = postcode, "19740401", status, "B"
    cells[14], cells[17], cells[21], cells[23], cells[25] = "15N", "01234 567890", "0", "P", setting
    return ",".join(cells)


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path) -> Path:
    """Previewed uploads wait in the test's own folder, not the real instance folder."""
    folder = tmp_path / "imports"
    app.config["IMPORT_FOLDER"] = str(folder)
    return folder


@pytest.fixture
def people(db):
    """Two people and a practice that rows can refer to."""
    practice = add_organisation(db, "Riverside Surgery", ods_code="Y90001", is_member_practice=1)
    asha = add_person(db, "Asha Patel", email="asha@example.nhs.uk", home_practice_id=practice)
    tom = add_person(db, "Tom Hughes", email="tom@example.nhs.uk")
    return {"practice": practice, "asha": asha, "tom": tom}


# ---- good files create the records --------------------------------------------------------------

def test_organisations_file_creates_organisations_links_and_audit_events(db):
    parent = add_organisation(db, "Existing Federation", kind="federation", ods_code="Y90099")
    before = counts(db)
    text = ("Name,Kind,ODS code,companies_house_number,registered_address,postcode,"
            "is_member_practice,member_of\n"
            "Northvale Network,network,y90090,,,,no,\n"
            "Riverside Surgery,practice, y90001 ,,\"2 River St, Northvale\",nv1 2bb,yes,"
            "Y90090; Y90099\n"
            "Go-To-Doc Ltd,independent,,09990002,\"4 Market Place\",NV3 4DD,,\n")
    plan = run(db, "organisations", text)
    assert plan.ok, messages(plan)
    assert plan.summary(done=True) == ["3 organisations created",
                                       "2 network or federation memberships created"]
    surgery = next(db["organisations"].rows_where("ods_code = ?", ["Y90001"]))
    assert surgery["name"] == "Riverside Surgery" and surgery["kind"] == "practice"
    assert surgery["is_member_practice"] == 1 and surgery["postcode"] == "NV1 2BB"
    assert surgery["registered_address"] == "2 River St, Northvale"
    company = next(db["organisations"].rows_where("name = ?", ["Go-To-Doc Ltd"]))
    assert company["companies_house_number"] == "09990002" and company["ods_code"] is None
    parents = {row["parent_id"] for row in
               db["organisation_links"].rows_where("member_id = ?", [surgery["id"]])}
    network = next(db["organisations"].rows_where("ods_code = ?", ["Y90090"]))
    assert parents == {network["id"], parent}
    after = counts(db)
    assert after["audit_events"] - before["audit_events"] == 5
    events = list(db.query("SELECT * FROM audit_events ORDER BY seq DESC LIMIT 5"))
    assert {e["actor"] for e in events} == {"tester"}
    assert {e["entity"] for e in events} == {"organisation", "organisation_link"}


def test_epraccur_creates_updates_and_skips_other_settings(db):
    existing = add_organisation(db, "Old Name Surgery", ods_code="Y90001", is_member_practice=1,
                                registered_address="Old address")
    untouched = add_organisation(db, "Same Practice", ods_code="Y90002",
                                 registered_address="1 HIGH STREET, NORTHVALE", postcode="NV1 1AA",
                                 ods_status="A", prescribing_setting=4)
    before = counts(db)
    text = "\n".join([
        epraccur_row("Y90001", "RIVERSIDE SURGERY", lines=("2 RIVER ST", "", "NORTHVALE", "", "")),
        epraccur_row(" y90003 ", "VALLEY VIEW PRACTICE", status="D"),
        epraccur_row("Y90004", "NORTHVALE WALK-IN CENTRE", setting="1"),
        epraccur_row("Y90005", "HMP NORTHVALE", setting="2"),
        epraccur_row("Y90002", "Same Practice"),
    ]) + "\n"
    plan = run(db, "epraccur", text)
    assert plan.ok, messages(plan)
    assert plan.summary(done=True) == ["1 practice created", "1 practice updated"]
    assert "2 rows were skipped because the prescribing setting is not 4 (GP practice)." \
        in plan.notes
    assert any("member practice" in note and "not changed" in note for note in plan.notes)
    assert any("1 practice is already up to date" in note for note in plan.notes)
    updated = db["organisations"].get(existing)
    assert updated["name"] == "RIVERSIDE SURGERY"
    assert updated["registered_address"] == "2 RIVER ST, NORTHVALE"
    assert updated["ods_status"] == "A" and updated["prescribing_setting"] == 4
    assert updated["is_member_practice"] == 1  # never changed by the extract
    assert updated["version"] == 2
    new = next(db["organisations"].rows_where("ods_code = ?", ["Y90003"]))
    assert new["kind"] == "practice" and new["is_member_practice"] == 0
    assert new["ods_status"] == "D" and new["prescribing_setting"] == 4
    assert not list(db["organisations"].rows_where("ods_code IN ('Y90004', 'Y90005')"))
    assert db["organisations"].get(untouched)["version"] == 1
    after = counts(db)
    assert after["organisations"] == before["organisations"] + 1
    assert after["audit_events"] == before["audit_events"] + 2
    update = next(db.query("SELECT * FROM audit_events WHERE action = 'update'"))
    changes = json.loads(update["changes"])
    assert changes["name"] == ["Old Name Surgery", "RIVERSIDE SURGERY"]
    assert "is_member_practice" not in changes


def test_people_file_creates_people(db, people):
    text = ("name,email,positions,is_decision_maker,home_practice_ods\n"
            "Dr Ben Carter,ben@example.nhs.uk,GP partner,yes,y90001\n"
            "Sam Lee,sam@example.nhs.uk,Board secretary,no,\n"
            "Jo Bloggs,jo@example.nhs.uk,,,\n")
    plan = run(db, "people", text)
    assert plan.ok, messages(plan)
    ben = next(db["people"].rows_where("email = ?", ["ben@example.nhs.uk"]))
    assert ben["home_practice_id"] == people["practice"] and ben["is_decision_maker"] == 1
    assert ben["positions"] == "GP partner"
    jo = next(db["people"].rows_where("email = ?", ["jo@example.nhs.uk"]))
    assert jo["is_decision_maker"] == 0 and jo["home_practice_id"] is None
    assert plan.summary(done=True) == ["3 people created", "1 home practice period created"]
    assert [(p["organisation_id"], p["date_from"], p["date_to"]) for p in db.query(
        "SELECT * FROM home_practices WHERE person_id = ?", [ben["id"]])] == [
        (people["practice"], None, None)]


def test_committees_file_creates_committees_with_members_and_quorum(db, people):
    sam = add_person(db, "Sam Lee", email="sam@example.nhs.uk")
    text = ("committee,quorum,common_interest_policy,person_email,role,category,voting\n"
            "Primary Care Committee,2 including 1 lay,leave,tom@example.nhs.uk,chair,lay,yes\n"
            "Primary Care Committee,,,asha@example.nhs.uk,,GP,\n"
            "Primary Care Committee,2; lay 1,leave,sam@example.nhs.uk,member,other,no\n"
            "Audit Committee,1,,tom@example.nhs.uk,Vice chair,lay,yes\n")
    plan = run(db, "committees", text)
    assert plan.ok, messages(plan)
    pcc = next(db["committees"].rows_where("name = ?", ["Primary Care Committee"]))
    assert (pcc["quorum_min_voting"], pcc["quorum_min_lay"], pcc["quorum_min_gp"]) == (2, 1, 0)
    assert pcc["common_interest_policy"] == "leave"
    members = {row["person_id"]: row for row in
               db["committee_members"].rows_where("committee_id = ?", [pcc["id"]])}
    assert members[people["tom"]]["role"] == "chair"
    assert members[people["asha"]]["category"] == "gp" and members[people["asha"]]["voting"] == 1
    assert members[sam]["voting"] == 0
    audit_committee = next(db["committees"].rows_where("name = ?", ["Audit Committee"]))
    assert audit_committee["common_interest_policy"] == "discuss_not_vote"
    assert plan.summary(done=True) == ["2 committees created", "4 committee members created"]


def test_committee_that_cannot_be_quorate_is_noted(db, people):
    text = ("committee,quorum,person_email,category\n"
            "Board,4 including 1 executive,tom@example.nhs.uk,lay\n")
    plan = check_file("committees", text.encode(), db)
    assert plan.ok
    assert any("cannot be quorate" in note for note in plan.notes)


def test_interests_file_creates_interests(db, people):
    text = ("person_email,organisation_ods,organisation_name,organisation_business,interest_type,"
            "direct_or_indirect,relationship,nature,date_from,date_to,mitigation,declared_on,"
            "consent_to_publish,withheld_reason\n"
            "ASHA@example.nhs.uk,Y90001,,GP practice,financial,direct,,Partner,2015-04-01,,"
            "Leaves the room,2015-04-10,yes,\n"
            "tom@example.nhs.uk,,Go-To-Doc Ltd,Online GP,Non-financial personal,Indirect,spouse,"
            "Spouse is a director,01/06/2024,31/12/2024,,20/06/2024,no,Personal safety\n")
    plan = run(db, "interests", text, user_id=None)
    assert plan.ok, messages(plan)
    asha = next(db["interests"].rows_where("person_id = ?", [people["asha"]]))
    assert asha["organisation_id"] == people["practice"]
    assert asha["organisation_name"] == "Riverside Surgery"
    assert asha["date_from"] == "2015-04-01" and asha["declared_on"] == "2015-04-10"
    assert asha["on_behalf"] == 1 and asha["consent_to_publish"] == 1
    tom = next(db["interests"].rows_where("person_id = ?", [people["tom"]]))
    assert tom["organisation_id"] is None and tom["organisation_name"] == "Go-To-Doc Ltd"
    assert tom["interest_type"] == "non_financial_personal" and tom["is_indirect"] == 1
    assert tom["associate_relationship"] == "spouse"
    assert (tom["date_from"], tom["date_to"], tom["declared_on"]) == \
        ("2024-06-01", "2024-12-31", "2024-06-20")
    assert tom["consent_to_publish"] == 0 and tom["withheld_reason"] == "Personal safety"


def test_a_byte_order_mark_and_blank_rows_are_fine(db):
    text = "\ufeffname,kind\n\nRiverside Surgery,practice\n,\n"
    plan = run(db, "organisations", text)
    assert plan.ok, messages(plan)
    assert db["organisations"].count == 1


# ---- bad files write nothing --------------------------------------------------------------------

ORG_HEADER = "name,kind,ods_code,companies_house_number,is_member_practice,member_of\n"
PEOPLE_HEADER = "name,email,positions,is_decision_maker,home_practice_ods\n"
COMMITTEE_HEADER = "committee,quorum,common_interest_policy,person_email,role,category,voting\n"
INTEREST_HEADER = ("person_email,organisation_ods,organisation_name,interest_type,"
                   "direct_or_indirect,relationship,nature,date_from,date_to,declared_on,"
                   "consent_to_publish,withheld_reason\n")
GOOD_INTEREST = "asha@example.nhs.uk,Y90001,,financial,direct,,Partner,2020-01-01,,2020-01-05,yes,\n"

BAD_FILES = [
    # (kind, file content, expected message)
    ("organisations", "name,type\nRiverside,practice\n",
     "The header row is missing the column kind"),
    ("organisations", "name,type\nRiverside,practice\n", "unknown column type"),
    ("organisations", "name,kind,kind\nRiverside,practice,practice\n",
     "The header row repeats the column kind"),
    ("organisations", b"PK\x03\x04\x14\x00\x06\x00 binary workbook", "The file is not a CSV file"),
    ("people", b"\x89PNG\r\n\x1a\n\x00\x00", "The file is not a CSV file"),
    ("people", b"name,email\nAda\x00,a@example.nhs.uk\n", "The file is not a CSV file"),
    ("people", b"name,email\nCaf\xe9 Owner,a@example.nhs.uk\n", "The file is not UTF-8 text"),
    ("people", b"", "The file is empty"),
    ("epraccur", b"  \n\n", "The file is empty"),
    ("people", PEOPLE_HEADER, "The file has a header row but no rows to import"),
    ("organisations", ORG_HEADER + "Good Surgery,practice,Y90002,,yes,\n"
                                   "Bad Surgery,practice,A8100,,yes,\n",
     "Line 3: ODS code 'A8100' must be a letter followed by 5 numbers, like A81001"),
    ("organisations", ORG_HEADER + "Clash Surgery,practice,Y90001,,no,\n",
     "Line 2: ODS code Y90001 is already in the register, for Riverside Surgery"),
    ("organisations", ORG_HEADER + "One,practice,Y90002,,no,\nTwo,practice,y90002,,no,\n",
     "Line 3: ODS code Y90002 is also on line 2"),
    ("organisations", ORG_HEADER + "Trust,trust,RX1,,yes,\n",
     "Line 2: is_member_practice can only be yes for a practice"),
    ("organisations", ORG_HEADER + "Surgery,practice,Y90002,,maybe,\n",
     "Line 2: is_member_practice must be yes or no, not 'maybe'"),
    ("organisations", ORG_HEADER + "Surgery,hospital,,,no,\n",
     "Line 2: kind 'hospital' is not one of: practice, network"),
    ("organisations", ORG_HEADER + "Surgery,practice,Y90002,,no,Y90077\n",
     "Line 2: member_of: no organisation has the ODS code Y90077"),
    ("organisations", ORG_HEADER + "Surgery,practice,Y90002,,no,Y90001\n",
     "Line 2: member_of: Y90001 is a practice, not a network or federation"),
    ("organisations", ORG_HEADER + "PCN,network,U90001,,no,\nSurgery,practice,Y90002,,no,"
                                   "U90001;u90001\n",
     "Line 3: member_of names U90001 twice: a practice's periods in one network or federation "
     "cannot overlap"),
    # A short number is padded (1234 is 00001234); a number that cannot be one is refused.
    ("organisations", ORG_HEADER + "Company Ltd,independent,,12345678X,no,\n",
     "Line 2: Companies House number '12345678X' must be 8 numbers"),
    ("organisations", ORG_HEADER + "Evil\u202eName,practice,,,no,\n",
     "Line 2: name must not contain hidden control characters (U+202E)"),
    ("organisations", ORG_HEADER + "Bell\x07Surgery,practice,,,no,\n",
     "Line 2: name must not contain hidden control characters (U+0007)"),
    ("organisations", ORG_HEADER + ("x" * 201) + ",practice,,,no,\n",
     "Line 2: name must be 200 characters or fewer (it has 201)"),
    ("organisations", ORG_HEADER + "Surgery,practice,,,no,,extra\n",
     "Line 2: has 7 values but the header row has 6 columns"),
    ("organisations", ORG_HEADER + "\"Unclosed,practice,,,no,\n",
     "cannot be read as CSV"),
    ("people", PEOPLE_HEADER + "Ann,ann@example.nhs.uk,,yes,\nAnn Two,ANN@example.nhs.uk,,no,\n",
     "Line 3: email ANN@example.nhs.uk is also on line 2"),
    ("people", PEOPLE_HEADER + "Asha Again,asha@example.nhs.uk,,yes,\n",
     "Line 2: email asha@example.nhs.uk is already in the register, for Asha Patel"),
    ("people", PEOPLE_HEADER + "Ann,not-an-email,,yes,\n",
     "Line 2: email 'not-an-email' must be an email address"),
    ("people", PEOPLE_HEADER + "Ann,ann@example.nhs.uk,,yes,Y90077\n",
     "Line 2: home_practice_ods: no practice in the register has the ODS code Y90077"),
    ("people", PEOPLE_HEADER + ",ann@example.nhs.uk,,yes,\n", "Line 2: Enter the person's name"),
    ("committees", COMMITTEE_HEADER + "Board,five or so,,tom@example.nhs.uk,chair,lay,yes\n",
     "Line 2: quorum 'five or so': The quorum must start with a whole number"),
    ("committees", COMMITTEE_HEADER + "Board,3 including 1 bishop,,tom@example.nhs.uk,,lay,\n",
     "'bishop' is not a member category"),
    ("committees", COMMITTEE_HEADER + "Board,3,,tom@example.nhs.uk,chair,lay,yes\n"
                                      "Board,4,,asha@example.nhs.uk,,gp,yes\n",
     "Line 3: the quorum '4' differs from '3' on line 2"),
    ("committees", COMMITTEE_HEADER + "Board,3,,nobody@example.nhs.uk,chair,lay,yes\n",
     "Line 2: no person in the register has the email nobody@example.nhs.uk"),
    ("committees", COMMITTEE_HEADER + "Board,3,,tom@example.nhs.uk,chair,lay,yes\n"
                                      "Board,3,,asha@example.nhs.uk,chair,gp,yes\n",
     "Line 3: Board already has a chair on line 2"),
    ("committees", COMMITTEE_HEADER + "Board,3,,tom@example.nhs.uk,,lay,yes\n"
                                      "Board,3,,tom@example.nhs.uk,,lay,yes\n",
     "Line 3: tom@example.nhs.uk is already a member of Board on line 2"),
    ("committees", COMMITTEE_HEADER + "Existing Committee,3,,tom@example.nhs.uk,,lay,yes\n",
     "Line 2: A committee called 'Existing Committee' is already in the register"),
    ("committees", COMMITTEE_HEADER + "Board,3,sometimes,tom@example.nhs.uk,,lay,yes\n",
     "Line 2: common_interest_policy 'sometimes' is not one of: discuss_not_vote, leave"),
    ("committees", COMMITTEE_HEADER + "Board,3,,tom@example.nhs.uk,,doctor,yes\n",
     "Line 2: category 'doctor' is not one of: gp, lay, executive, other"),
    ("interests", INTEREST_HEADER + GOOD_INTEREST.replace("asha@", "nobody@"),
     "Line 2: no person in the register has the email nobody@example.nhs.uk"),
    ("interests", INTEREST_HEADER + GOOD_INTEREST.replace("2020-01-01", "31/02/2025"),
     "Line 2: date_from '31/02/2025' is not a real date"),
    ("interests", INTEREST_HEADER + GOOD_INTEREST.replace("2020-01-01", "Jan 2020"),
     "Line 2: date_from 'Jan 2020' must be written as YYYY-MM-DD or DD/MM/YYYY"),
    ("interests", INTEREST_HEADER + GOOD_INTEREST.replace("2020-01-01,,", "2020-01-01,2019-12-31,"),
     "Line 2: date_to must be the same as or after date_from"),
    ("interests", INTEREST_HEADER + GOOD_INTEREST.replace("2020-01-05", "2099-01-01"),
     "Line 2: declared_on must be today or in the past"),
    ("interests", INTEREST_HEADER + GOOD_INTEREST.replace("direct,,", "indirect,,"),
     "Line 2: an indirect interest needs the relationship"),
    ("interests", INTEREST_HEADER + GOOD_INTEREST.replace("yes,", "no,"),
     "Line 2: Enter the withheld_reason when consent_to_publish is no"),
    ("interests", INTEREST_HEADER + GOOD_INTEREST.replace(",yes,", ",,"),
     "Line 2: consent_to_publish must be yes or no"),
    ("interests", INTEREST_HEADER + GOOD_INTEREST.replace("financial", "money"),
     "Line 2: interest_type 'money' is not one of: financial"),
    ("interests", INTEREST_HEADER + GOOD_INTEREST.replace("Y90001,", ","),
     "Line 2: Enter the organisation_ods, organisation_companies_house_number, "
     "organisation_charity_number or organisation_name"),
    ("interests", INTEREST_HEADER + GOOD_INTEREST.replace("Y90001,", "Y90077,"),
     "Line 2: organisation_ods: no organisation in the register has the ODS code Y90077"),
    ("interests", INTEREST_HEADER + GOOD_INTEREST + GOOD_INTEREST,
     "Line 3: this interest is the same as the one on line 2"),
    ("interests", INTEREST_HEADER + GOOD_INTEREST.replace("Partner", "Existing"),
     "Line 2: this interest is already in the register"),
    ("epraccur", epraccur_row("Y9001", "SHORT CODE SURGERY") + "\n",
     "Line 1: ODS code 'Y9001' must be a letter followed by 5 numbers"),
    ("epraccur", epraccur_row("Y90002", "A") + "\n" + epraccur_row("Y90002", "B") + "\n",
     "Line 2: ODS code Y90002 is also on line 1"),
    ("epraccur", epraccur_row("Y90002", "SURGERY", status="X") + "\n",
     "Line 1: status code 'X' (column 13) must be one of A (active)"),
    ("epraccur", "code,name,postcode\n" + epraccur_row("Y90002", "SURGERY") + "\n",
     "Line 1: has 3 columns, but an epraccur row has 27 (an epraccur file has no header row)"),
    ("epraccur", epraccur_row("Y90002", "WALK-IN", setting="1") + "\n",
     "Nothing to import: no row has prescribing setting 4"),
    ("epraccur", epraccur_row("RX1", "A TRUST") + "\n" ,
     "Line 1: ODS code 'RX1' must be a letter followed by 5 numbers"),
]


@pytest.mark.parametrize("kind, content, expected", BAD_FILES)
def test_bad_file_reports_the_problem_and_writes_nothing(db, people, kind, content, expected):
    add_committee(db, "Existing Committee")
    from .conftest import add_interest

    add_interest(db, people["asha"], organisation_id=people["practice"],
                 organisation_name="Riverside Surgery", nature="Existing",
                 date_from="2020-01-01")
    before = counts(db)
    plan = run(db, kind, content)
    assert not plan.ok
    assert any(expected in message for message in messages(plan)), messages(plan)
    assert counts(db) == before


def test_one_bad_row_among_good_ones_writes_none_of_them(db):
    before = counts(db)
    rows = "".join(f"Practice {n},practice,Y900{n:02d},,yes,\n" for n in range(10, 30))
    plan = run(db, "organisations", ORG_HEADER + rows + "Broken,practice,Z1,,yes,\n")
    assert messages(plan) == ["Line 22: ODS code 'Z1' must be a letter followed by 5 numbers, "
                              "like A81001"]
    assert counts(db) == before


def test_every_bad_row_is_reported_with_its_line(db):
    text = ORG_HEADER + "A,practice,A1,,,\nB,practice,Y90011,,,\n,practice,B2,,,\n"
    plan = check_file("organisations", text.encode(), db)
    assert messages(plan) == [
        "Line 2: ODS code 'A1' must be a letter followed by 5 numbers, like A81001",
        "Line 4: Enter the organisation's name",
        "Line 4: ODS code 'B2' must be a letter followed by 5 numbers, like A81001",
    ]


def test_line_numbers_are_spreadsheet_rows_even_with_a_multi_line_cell(db):
    text = ("name,kind,registered_address\n"
            "Riverside,practice,\"1 River St\nNorthvale\"\n"
            "\n"
            "Broken,clinic,\n")
    plan = check_file("organisations", text.encode(), db)
    assert messages(plan) == ["Line 4: kind 'clinic' is not one of: " + ", ".join(
        parsers.ORGANISATION_KINDS)]


def test_a_committee_with_a_bad_first_row_is_reported_once(db, people):
    text = (COMMITTEE_HEADER + "Board,five,,tom@example.nhs.uk,chair,lay,yes\n"
            "Board,,,asha@example.nhs.uk,,gp,yes\n"
            "Board,,,nobody@example.nhs.uk,,gp,yes\n")
    plan = check_file("committees", text.encode(), db)
    assert [p.line for p in plan.problems] == [2, 4]
    assert "no person in the register has the email nobody@example.nhs.uk" in messages(plan)[1]


def test_windows_line_endings_are_fine(db):
    plan = run(db, "organisations", "name,kind\r\nRiverside,practice\r\nHilltop,practice\r\n")
    assert plan.ok and db["organisations"].count == 2


def test_an_interest_file_imported_twice_does_not_double_the_register(db, people):
    text = INTEREST_HEADER + GOOD_INTEREST
    assert run(db, "interests", text).ok
    before = counts(db)
    again = run(db, "interests", text)
    assert messages(again) == ["Line 2: this interest is already in the register (same person, "
                               "organisation, type, start date and nature)"]
    assert counts(db) == before


def test_dry_run_checks_but_writes_nothing(db):
    before = counts(db)
    plan = run(db, "organisations", ORG_HEADER + "Riverside,practice,Y90001,,yes,\n", dry_run=True)
    assert plan.ok and plan.summary() == ["1 organisation will be created"]
    assert counts(db) == before


@pytest.mark.parametrize("value, expected", [
    ("2025-03-31", "2025-03-31"), ("31/03/2025", "2025-03-31"), ("1/4/2025", "2025-04-01"),
])
def test_dates_in_both_formats(value, expected):
    assert csvrows.parse_date(value).isoformat() == expected


@pytest.mark.parametrize("value, reason", [
    ("31/02/2025", "is not a real date"), ("2025-13-01", "is not a real date"),
    ("03/31/2025", "is not a real date"), ("31.03.2025", "must be written as"),
    ("1066-10-14", "between 1900 and 2100"),
])
def test_impossible_dates_are_refused(value, reason):
    with pytest.raises(ValueError, match=reason):
        csvrows.parse_date(value)


# ---- the command --------------------------------------------------------------------------------

def test_cli_imports_a_good_file(runner, db, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text(ORG_HEADER + "Riverside,practice,Y90001,,yes,\nNetwork,network,Y90090,,no,\n")
    result = runner.invoke(args=["import", "organisations", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 organisations created" in result.output
    assert db["organisations"].count == 2
    actors = {row["actor"] for row in db.query("SELECT actor FROM audit_events")}
    assert actors == {"cli"}


def test_cli_bad_file_lists_problems_and_exits_non_zero(runner, db, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text(ORG_HEADER + "Riverside,practice,Y90001,,yes,\nBad,practice,A8100,,yes,\n")
    result = runner.invoke(args=["import", "organisations", str(path)])
    assert result.exit_code == 1
    assert "Line 3: ODS code 'A8100' must be a letter followed by 5 numbers" in result.output
    assert "Nothing was imported: orgs.csv has 1 problem." in result.output
    assert db["organisations"].count == 0 and db["audit_events"].count == 0


def test_cli_dry_run_and_epraccur_skip_count(runner, db, tmp_path):
    path = tmp_path / "epraccur.csv"
    path.write_text(epraccur_row("Y90001", "RIVERSIDE") + "\n"
                    + epraccur_row("Y90002", "PRISON", setting="2") + "\n")
    result = runner.invoke(args=["import", "epraccur", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "1 row was skipped because the prescribing setting is not 4" in result.output
    assert "1 practice will be created" in result.output
    assert "Nothing was written" in result.output
    assert db["organisations"].count == 0
    result = runner.invoke(args=["import", "epraccur", str(path)])
    assert result.exit_code == 0 and "1 practice created" in result.output
    assert db["organisations"].count == 1


def test_cli_refuses_unknown_kind_and_missing_file(runner, tmp_path):
    assert runner.invoke(args=["import", "widgets", str(tmp_path)]).exit_code == 2
    assert runner.invoke(args=["import", "people", str(tmp_path / "nope.csv")]).exit_code == 2


def test_cli_has_help_text(runner):
    result = runner.invoke(args=["import", "--help"])
    assert result.exit_code == 0
    assert "Import KIND" in result.output and "nothing is written" in result.output
    assert "--dry-run" in result.output and "Only check the file" in result.output


# ---- the upload pages ---------------------------------------------------------------------------

def upload(client, kind: str | None, content: bytes | None, filename: str = "file.csv"):
    data = {}
    if kind:
        data["kind"] = kind
    if content is not None:
        data["file"] = (io.BytesIO(content), filename)
    return client.post("/import/", data=data, content_type="multipart/form-data")


def upload_token(page: str) -> str:
    match = re.search(r'name="upload" type="hidden" value="([^"]+)"', page) or \
        re.search(r'id="upload" name="upload" type="hidden" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


@pytest.mark.parametrize("role", ["member", "auditor", "governance"])
def test_roles_without_import_get_403(as_role, role):
    client = as_role(role)
    assert client.get("/import/").status_code == 403
    assert upload(client, "people", b"name,email\nA,a@example.nhs.uk\n").status_code == 403
    assert client.post("/import/confirm", data={"upload": "x"}).status_code == 403
    assert client.get("/import/formats").status_code == 403


def test_signed_out_is_sent_to_sign_in(client):
    assert client.get("/import/").status_code == 302


@pytest.mark.parametrize("role", ["admin", "secretary"])
def test_upload_page_shows_each_kind_with_its_format_link(as_role, role):
    page = as_role(role).get("/import/").get_data(as_text=True)
    assert "Import from a CSV file" in page
    for kind in KINDS:
        assert f'value="{kind}"' in page
        assert f'/import/formats#format-{kind}' in page
    assert 'enctype="multipart/form-data"' in page


@pytest.mark.parametrize("kind, content, message", [
    ("people", None, "Select a CSV file"),
    (None, b"name,email\n", "Select what the file holds"),
    ("widgets", b"name,email\n", "Select what the file holds"),
    ("people", b"\x89PNG\r\n\x1a\n\x00", "The file is not a CSV file"),
    ("people", b"", "The file is empty"),
    ("people", b"name,mail\nA,a@example.nhs.uk\n", "The header row is missing the column email"),
])
def test_upload_form_errors(as_role, db, kind, content, message):
    client = as_role("secretary")
    before = counts(db)
    response = upload(client, kind, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Error: Import from a CSV file" in page
    assert page.count(message) >= 2  # in the summary and by the field
    assert counts(db) == before


def test_upload_with_bad_rows_shows_the_errors_and_writes_nothing(as_role, db, upload_folder):
    client = as_role("secretary")
    add_person(db, "Existing", email="taken@example.nhs.uk")
    before = counts(db)
    content = (PEOPLE_HEADER + "Ann,ann@example.nhs.uk,,yes,\nBen,taken@example.nhs.uk,,yes,\n"
               "<script>alert(1)</script>,ann@example.nhs.uk,,yes,\n").encode()
    page = upload(client, "people", content, "staff.csv").get_data(as_text=True)
    assert "Error: People cannot be imported" in page
    assert "Line 3: email taken@example.nhs.uk is already in the register" in page
    assert "Line 4: email ann@example.nhs.uk is also on line 2" in page
    assert "<script>alert(1)</script>" not in page
    assert "Confirm import" not in page
    assert counts(db) == before
    assert not list(upload_folder.glob("*.csv"))


def test_upload_preview_then_confirm_imports_the_file(as_role, db, upload_folder):
    client = as_role("secretary")
    before = counts(db)
    rows = "".join(f"Practice {n},practice,Y900{n:02d},,yes,\n" for n in range(10, 35))
    response = upload(client, "organisations", (ORG_HEADER + rows).encode(), "practices.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Check the import of practices.csv" in page
    assert "25 organisations will be created" in page
    assert "Practice 29" in page and "Practice 30" not in page  # the first 20 rows only
    assert "Confirm import" in page
    assert counts(db) == before  # nothing yet
    stored = list(upload_folder.glob("*.csv"))
    assert len(stored) == 1
    assert stat.S_IMODE(stored[0].stat().st_mode) == 0o600
    confirm = client.post("/import/confirm", data={"upload": upload_token(page)})
    assert confirm.status_code == 302 and confirm.location == "/import/"
    done = client.get("/import/").get_data(as_text=True)
    assert "Organisations imported: 25 organisations created." in done
    after = counts(db)
    assert after["organisations"] == before["organisations"] + 25
    assert after["audit_events"] == before["audit_events"] + 25
    assert {row["actor"] for row in db.query(
        "SELECT actor FROM audit_events WHERE entity = 'organisation'")} == {"secretary"}
    assert not stored[0].exists()
    # The same preview cannot be confirmed twice.
    again = client.post("/import/confirm", data={"upload": upload_token(page)})
    assert again.status_code == 302
    assert "The preview had expired or was not yours" in client.get("/import/").get_data(
        as_text=True)
    assert counts(db) == after


def test_interests_imported_on_the_page_record_who_imported_them(as_role, db):
    client = as_role("secretary")
    practice = add_organisation(db, "Riverside Surgery", ods_code="Y90001")
    person = add_person(db, "Asha Patel", email="asha@example.nhs.uk")
    page = upload(client, "interests", (INTEREST_HEADER + GOOD_INTEREST).encode()).get_data(
        as_text=True)
    client.post("/import/confirm", data={"upload": upload_token(page)})
    interest = next(db["interests"].rows_where("person_id = ?", [person]))
    user_id = db.execute("SELECT id FROM users WHERE username = 'secretary'").fetchone()[0]
    assert interest["recorded_by_user_id"] == user_id and interest["on_behalf"] == 1
    assert interest["organisation_id"] == practice


def test_confirm_rechecks_the_file_against_the_register(as_role, db):
    client = as_role("secretary")
    page = upload(client, "people", (PEOPLE_HEADER + "Ann,ann@example.nhs.uk,,yes,\n").encode()
                  ).get_data(as_text=True)
    add_person(db, "Ann Elsewhere", email="ann@example.nhs.uk")  # added meanwhile
    before = counts(db)
    response = client.post("/import/confirm", data={"upload": upload_token(page)})
    text = response.get_data(as_text=True)
    assert "The register changed since the preview" in text
    assert "Line 2: email ann@example.nhs.uk is already in the register" in text
    assert counts(db) == before


def test_an_upload_cannot_be_confirmed_by_another_user(as_role, app, db):
    first = as_role("secretary")
    page = upload(first, "people", (PEOPLE_HEADER + "Ann,ann@example.nhs.uk,,yes,\n").encode()
                  ).get_data(as_text=True)
    token = upload_token(page)
    add_user(db, role="admin", username="otheradmin")
    other = app.test_client()
    sign_in(other, "otheradmin")
    before = counts(db)
    response = other.post("/import/confirm", data={"upload": token})
    assert response.status_code == 302
    assert counts(db) == before
    forged = other.post("/import/confirm", data={"upload": token[:-3] + "abc"})
    assert forged.status_code == 302 and counts(db) == before
    # The owner still can.
    assert first.post("/import/confirm", data={"upload": token}).status_code == 302
    assert db["people"].count == before["people"] + 1


def test_confirm_without_csrf_token_is_refused(csrf_app):
    handle = csrf_app.test_client()
    from register.db import connect

    db = connect(csrf_app.config["DATABASE"])
    add_user(db, role="secretary", username="sec")
    db.close()
    page = handle.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    handle.post("/sign-in", data={"username": "sec", "password": "correct horse battery",
                                  "csrf_token": token})
    assert handle.post("/import/confirm", data={"upload": "x"}).status_code == 400


def test_epraccur_preview_says_what_is_skipped_and_that_membership_is_unchanged(as_role, db):
    client = as_role("admin")
    add_organisation(db, "Riverside", ods_code="Y90001", is_member_practice=1)
    content = (epraccur_row("Y90001", "RIVERSIDE SURGERY") + "\n"
               + epraccur_row("Y90002", "HILLTOP") + "\n"
               + epraccur_row("Y90003", "WALK-IN", setting="1") + "\n").encode()
    page = upload(client, "epraccur", content, "epraccur.csv").get_data(as_text=True)
    assert "1 practice will be created" in page and "1 practice will be updated" in page
    assert "1 row was skipped because the prescribing setting is not 4" in page
    assert "is not changed by this import" in page
    assert "Update name" in page and "New practice" in page


def test_formats_page_lists_every_column(as_role):
    page = as_role("admin").get("/import/formats").get_data(as_text=True)
    for fmt in FORMATS.values():
        assert f'id="format-{fmt.kind}"' in page
        for column in fmt.columns:
            assert f"<code>{column.name}</code>" in page


# ---- the documentation cannot drift -------------------------------------------------------------

def test_docs_show_every_format_its_columns_and_its_example():
    docs = DOCS.read_text(encoding="utf-8")
    for kind, fmt in FORMATS.items():
        assert f"(`{kind}`)" in docs
        assert f"```{fmt.fence}\n" + fmt.example + "```" in docs
        for column in fmt.columns:
            assert f"| `{column.name}` | {'required' if column.required else 'optional'} |" \
                in docs


def test_docs_examples_import_cleanly_in_order(db):
    for kind in KINDS:
        plan = run(db, kind, FORMATS[kind].example)
        assert plan.ok, (kind, messages(plan))
    assert db["people"].count == 6 and db["committee_members"].count == 5
    # Five declared in the interests file, one at the meeting of the first decision.
    assert db["interests"].count == 5 + 1
    assert db.execute("SELECT approval FROM interests WHERE declared_at_decision_id IS NOT NULL"
                      ).fetchall() == [("pending",)]
    # The records that follow the decisions: notices and a representation, a modification, two
    # offers and a closed breach.
    assert [db[table].count for table in ("decision_notices", "decision_representations",
                                          "contract_modifications", "gifts", "breaches")] == \
        [2, 1, 1, 2, 1]
    # The dated files added history: a practice that left a federation and rejoined it, and a
    # GP who moved practice.
    assert db["home_practices"].count == 2 + 2
    assert db.execute("SELECT COUNT(*) FROM organisation_links l JOIN organisations o"
                      " ON o.id = l.member_id WHERE o.ods_code = 'Y90003'"
                      " AND l.parent_id != (SELECT id FROM organisations WHERE ods_code = 'U90002')"
                      ).fetchone()[0] == 2


def test_plan_refuses_to_be_written_with_problems(db):
    from register.imports.writers import write_plan

    plan = check_file("people", b"name,email\n,\n", db)
    assert not plan.ok
    with pytest.raises(ValueError):
        write_plan(db, plan, actor="x")
