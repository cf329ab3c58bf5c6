"""The ePCN import: networks and the dated memberships of practices, from the workbook NHS
Digital publishes, its sheet saved as CSV, or the ODS report without a header row."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from register.decisions import flagging
from register.imports.epcn import EXAMPLE, PUBLISHED, SHEET
from register.imports.writers import import_file

from .conftest import add_committee, add_decision, add_organisation

HEADER = ",".join(PUBLISHED) + "\n"


def row(practice="Y90001", pcn="U90001", start="20190701", end="", *,
        pcn_name="NORTHVALE CENTRAL PCN", name="RIVERSIDE SURGERY") -> str:
    return (f"{practice},{name},15N,NHS NORTHVALE SUB ICB LOCATION,{pcn},{pcn_name},15N,"
            f"NHS NORTHVALE SUB ICB LOCATION,{start},{end},Y\n")


def run(db, data, **options):
    data = data.encode() if isinstance(data, str) else data
    return import_file(db, "epcn", data, actor="tester", **options)


def problems(plan) -> list[str]:
    return [str(p) for p in plan.problems]


def links(db) -> list[tuple]:
    return [tuple(r) for r in db.execute(
        "SELECT member.ods_code, parent.ods_code, date_from, date_to FROM organisation_links"
        " JOIN organisations AS member ON member.id = member_id"
        " JOIN organisations AS parent ON parent.id = parent_id"
        " ORDER BY member.ods_code, parent.ods_code, date_from")]


@pytest.fixture
def practices(db):
    return {code: add_organisation(db, name, ods_code=code, is_member_practice=1)
            for code, name in (("Y90001", "Riverside Surgery"), ("Y90002", "Hilltop Medical Centre"),
                               ("Y90003", "Valley View Practice"))}


def test_the_example_creates_networks_and_dated_memberships(db, practices):
    plan = run(db, EXAMPLE)
    assert plan.ok, problems(plan)
    assert plan.summary(done=True) == ["2 networks created",
                                       "4 network or federation memberships created"]
    assert any("1 row was skipped because the practice is not in the register (line 6)" in n
               for n in plan.notes)
    networks = [tuple(r) for r in db.execute(
        "SELECT ods_code, name, kind FROM organisations WHERE kind = 'network' ORDER BY ods_code")]
    assert networks == [("U90001", "NORTHVALE CENTRAL PCN", "network"),
                        ("U90002", "NORTHVALE EAST PCN", "network")]
    assert links(db) == [("Y90001", "U90001", "2019-07-01", None),
                         ("Y90002", "U90001", "2019-07-01", "2021-03-31"),
                         ("Y90002", "U90001", "2023-04-01", None),
                         ("Y90003", "U90002", "2019-07-01", None)]
    # Each record has its audit event; the practice not in the register was not created.
    assert db.execute("SELECT count(*) FROM audit_events WHERE entity = 'organisation_link'"
                      ).fetchone() == (4,)
    assert db.execute("SELECT count(*) FROM organisations WHERE ods_code IN ('Y99999', 'U99999')"
                      ).fetchone() == (0,)


def test_a_second_import_refreshes_names_and_dates_and_leaves_the_rest(db, practices):
    assert run(db, EXAMPLE).ok
    again = run(db, EXAMPLE)
    assert again.ok and again.summary(done=True) == ["Nothing was created or updated"]
    assert "4 membership periods are already up to date." in again.notes
    plan = run(db, HEADER + row(end="20250331", pcn_name="NORTHVALE CENTRAL AND WEST PCN")
               + row(start="20250401", pcn="U90002", pcn_name="NORTHVALE EAST PCN"))
    assert plan.ok, problems(plan)
    assert plan.summary(done=True) == ["1 network updated",
                                       "1 network or federation membership created",
                                       "1 network or federation membership updated"]
    assert db.execute("SELECT name FROM organisations WHERE ods_code = 'U90001'").fetchone() == \
        ("NORTHVALE CENTRAL AND WEST PCN",)
    assert ("Y90001", "U90001", "2019-07-01", "2025-03-31") in links(db)
    assert ("Y90001", "U90002", "2025-04-01", None) in links(db)
    assert len(links(db)) == 5


def test_the_import_refreshes_the_flags_of_the_decisions_it_touches(db, practices):
    network = add_organisation(db, "Northvale Central PCN", kind="network", ods_code="U90001")
    committee = add_committee(db)
    in_gap = add_decision(db, committee, providers=(network,), meeting_date="2022-06-01")
    rejoined = add_decision(db, committee, providers=(network,), meeting_date="2024-06-01")
    assert run(db, HEADER + row("Y90002", start="20190701", end="20210331")
               + row("Y90002", start="20230401")).ok
    owned = {d: {r["organisation_id"] for r in flagging.current_flags(db, d)
                 if r["rule"] == "PROVIDER_OWNED_BY_MEMBERS"} for d in (in_gap, rejoined)}
    assert owned == {in_gap: set(), rejoined: {practices["Y90002"]}}


def _workbook(rows: list[list], *, sheet: str = SHEET) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    details = book.active
    details.title = "PCNDetails"
    details.append(["PCN Code", "PCN Name"])
    partners = book.create_sheet(sheet)
    # The published headings break over lines.
    partners.append([name.replace(" ", "\n", 2) for name in PUBLISHED])
    for values in rows:
        partners.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _partner(practice, pcn, start, end=None, pcn_name="NORTHVALE CENTRAL PCN"):
    return [practice, "A SURGERY", "15N", "NHS NORTHVALE", pcn, pcn_name, "15N", "NHS NORTHVALE",
            start, end, "Y"]


def test_the_workbook_is_read_with_date_cells_and_line_numbers(db, practices):
    data = _workbook([_partner("Y90001", "U90001", dt.datetime(2019, 7, 1)),
                      _partner("Y90002", "U90001", dt.datetime(2019, 7, 1),
                               dt.datetime(2021, 3, 31))])
    plan = run(db, data)
    assert plan.ok, problems(plan)
    assert links(db) == [("Y90001", "U90001", "2019-07-01", None),
                         ("Y90002", "U90001", "2019-07-01", "2021-03-31")]
    bad = _workbook([_partner("Y90001", "U90002", dt.datetime(2019, 7, 1)),
                     _partner("Y90003", "U90002", "31/02/2020")])
    assert problems(run(db, bad)) == [
        "Line 3: Practice to PCN Relationship Start Date '31/02/2020' is not a real date"]


def test_the_ods_report_without_a_header_row_is_read(db, practices):
    plan = run(db, row() + row("Y90002", end="20210331"))
    assert plan.ok, problems(plan)
    assert links(db) == [("Y90001", "U90001", "2019-07-01", None),
                         ("Y90002", "U90001", "2019-07-01", "2021-03-31")]


BAD = [
    ("name,kind\nRiverside,practice\n", "This does not look like the ePCN file"),
    ("Partner Organisation Code,Partner Name,PCN Code\nY90001,RIVERSIDE,U90001\n",
     "The header row is missing the columns 'PCN Name', 'Practice to PCN Relationship Start "
     "Date', 'Practice to PCN Relationship End Date'"),
    (HEADER + row(start="2019-13-01"),
     "Line 2: Practice to PCN Relationship Start Date '2019-13-01' is not a real date"),
    (HEADER + row(start="July 2019"),
     "Line 2: Practice to PCN Relationship Start Date 'July 2019' must be written as YYYYMMDD, "
     "YYYY-MM-DD or DD/MM/YYYY"),
    (HEADER + row(start=""), "Line 2: Enter the Practice to PCN Relationship Start Date"),
    (HEADER + row(start="20200101", end="20191231"),
     "Line 2: Practice to PCN Relationship End Date must be the same as or after the Practice to "
     "PCN Relationship Start Date (it left before it joined)"),
    (HEADER + row() + row(start="20200101", end="20201231"),
     "Line 3: Y90001 in U90001 from 1 January 2020 to 31 December 2020 overlaps its period on "
     "line 2: one practice's periods in one network cannot overlap"),
    (HEADER + row(practice="Y9001"),
     "Line 2: Partner Organisation Code 'Y9001' must be a letter followed by 5 numbers"),
    (HEADER + row(pcn="U9/1"), "Line 2: PCN Code 'U9/1' must be an ODS code"),
    (HEADER + row(pcn="U90009"), "Line 2: PCN Code U90009 is a federation in the register"),
]


@pytest.mark.parametrize("content, message", BAD)
def test_a_bad_file_is_refused_with_the_line_and_nothing_is_written(db, practices, content,
                                                                     message):
    add_organisation(db, "Northvale Federation", kind="federation", ods_code="U90009")
    before = (db["organisations"].count, db["organisation_links"].count,
              db["audit_events"].count)
    plan = run(db, content)
    assert not plan.ok
    assert any(p.startswith(message) for p in problems(plan)), problems(plan)
    assert (db["organisations"].count, db["organisation_links"].count,
            db["audit_events"].count) == before


def test_a_period_overlapping_two_in_the_register_is_refused(db, practices):
    assert run(db, HEADER + row(end="20201231") + row(start="20220101")).ok
    plan = run(db, HEADER + row(start="20200101"))
    assert problems(plan) == [
        "Line 2: this period (from 1 January 2020 with no end date) overlaps 2 periods already "
        "in the register for this practice and network: change them on the organisation's page "
        "first"]
    assert len(links(db)) == 2


def test_a_workbook_without_the_sheet_is_refused(db, practices):
    plan = run(db, _workbook([], sheet="Something else"))
    assert plan.file_problem
    assert problems(plan)[0].startswith(f"The workbook has no sheet called '{SHEET}'")
    assert problems(run(db, b"PK\x03\x04 not really a workbook"))[0].startswith(
        "The file cannot be read as an Excel workbook")


def test_the_cli_imports_an_epcn_file(runner, db, practices, tmp_path):
    path = tmp_path / "ePCN.xlsx"
    path.write_bytes(_workbook([_partner("Y90001", "U90001", dt.datetime(2019, 7, 1))]))
    result = runner.invoke(args=["import", "epcn", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 network created" in result.output
    assert links(db) == [("Y90001", "U90001", "2019-07-01", None)]


def test_the_workbook_is_previewed_and_confirmed_on_the_import_page(as_role, db, practices,
                                                                     app, tmp_path):
    app.config["IMPORT_FOLDER"] = str(tmp_path / "imports")
    client = as_role("secretary")
    data = _workbook([_partner("Y90001", "U90001", dt.datetime(2019, 7, 1)),
                      _partner("Y99999", "U90001", dt.datetime(2019, 7, 1))])
    response = client.post("/import/", data={"kind": "epcn", "file": (io.BytesIO(data),
                                                                      "ePCN.xlsx")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "1 network will be created" in page and "Skipped: practice not in the register" in page
    token = re.search(r'name="upload" type="hidden" value="([^"]+)"', page) or \
        re.search(r'id="upload" name="upload" type="hidden" value="([^"]+)"', page)
    assert db["organisation_links"].count == 0
    confirm = client.post("/import/confirm", data={"upload": token.group(1)})
    assert confirm.status_code == 302
    assert links(db) == [("Y90001", "U90001", "2019-07-01", None)]
