"""Imports check every value's range, and every row's width, before anything is shown as valid:
the dry run, the real import and the web upload run the same checks and write nothing."""
from __future__ import annotations

import io

import pytest

from register.imports.writers import import_file
from register.rules import csvrows
from register.rules.quorum import QuorumRuleError, parse_quorum_rule

from .conftest import add_person, count
from .test_decisions_import import base, csv_text, row
from .test_imports import COMMITTEE_HEADER, INTEREST_HEADER, ORG_HEADER, PEOPLE_HEADER

HUGE = "999999999999999999999999"


@pytest.mark.parametrize("text, message", [
    (HUGE, "The quorum must be 100 voting members or fewer"),
    ("101", "The quorum must be 100 voting members or fewer, not 101"),
    ("9" * 5000, "The quorum must be 100 voting members or fewer"),
    (f"5 including {HUGE} lay", "A member category's count must be 100 members or fewer"),
    (f"5; lay {HUGE}", "A member category's count must be 100 members or fewer"),
])
def test_a_quorum_out_of_range_is_refused_before_converting(text, message):
    with pytest.raises(QuorumRuleError, match=message):
        parse_quorum_rule(text)


def test_the_largest_quorum_is_accepted():
    assert parse_quorum_rule("100 including 2 lay").min_voting == 100


@pytest.mark.parametrize("cells, columns, problem", [
    (["a", "b", "c"], 3, None),
    (["a", "b"], 3, "has 2 values but the header row has 3 columns"),
    (["a"], 3, "has 1 value but the header row has 3 columns"),
    (["a", "b", "c", ""], 3, "has 4 values but the header row has 3 columns"),
])
def test_width_problem(cells, columns, problem):
    found = csvrows.width_problem(cells, columns)
    assert (found is None) if problem is None else (problem in found)


def _committees(db):
    add_person(db, "Tom Lay", email="tom@example.nhs.uk")
    return COMMITTEE_HEADER + f"Board,{HUGE},,tom@example.nhs.uk,chair,lay,yes\n"


def test_an_overflowing_quorum_is_refused_by_the_dry_run_with_its_line(db):
    plan = import_file(db, "committees", _committees(db).encode(), actor="t", dry_run=True)
    assert not plan.ok
    assert [str(p) for p in plan.problems] == [
        f"Line 2: quorum '{HUGE}': The quorum must be 100 voting members or fewer"]


def test_an_overflowing_quorum_is_refused_by_the_import_and_nothing_is_written(db):
    plan = import_file(db, "committees", _committees(db).encode(), actor="t")
    assert not plan.ok
    assert count(db, "committees") == 0 and count(db, "committee_members") == 0


def test_the_command_refuses_it_in_the_dry_run_and_the_import_alike(runner, db, tmp_path):
    path = tmp_path / "committees.csv"
    path.write_text(_committees(db))
    for args in (["--dry-run"], []):
        result = runner.invoke(args=["import", "committees", str(path), *args])
        assert result.exit_code == 1, result.output
        assert "Line 2: quorum" in result.output and "100 voting members or fewer" in result.output
        assert "Traceback" not in result.output
    assert count(db, "committees") == 0


def test_the_upload_refuses_it_before_the_confirm_button(as_role, app, db, tmp_path):
    app.config["IMPORT_FOLDER"] = str(tmp_path / "imports")
    client = as_role("secretary")
    text = _committees(db)
    response = client.post("/import/", data={
        "kind": "committees", "file": (io.BytesIO(text.encode()), "committees.csv")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "Line 2: quorum" in page and "100 voting members or fewer" in page
    assert 'name="upload"' not in page
    assert count(db, "committees") == 0


@pytest.mark.parametrize("kind, content, message", [
    ("organisations", ORG_HEADER + "Cut Surgery,practice,Y90002\n",
     "Line 2: has 3 values but the header row has 6 columns"),
    ("organisations", ORG_HEADER + "Surgery,practice,,,no,,\n",
     "Line 2: has 7 values but the header row has 6 columns"),
    ("people", PEOPLE_HEADER + "Ann,ann@example.nhs.uk,Chair,yes,\nBen,ben@example.nhs.uk\n",
     "Line 3: has 2 values but the header row has 5 columns"),
    ("interests", INTEREST_HEADER + "asha@example.nhs.uk,Y90001,,financial,direct,,Partner of\n",
     "Line 2: has 7 values but the header row has 12 columns"),
])
def test_a_ragged_row_is_refused_with_its_line_and_nothing_is_written(db, kind, content, message):
    before = count(db, "organisations"), count(db, "people"), count(db, "interests")
    for dry_run in (True, False):
        plan = import_file(db, kind, content.encode(), actor="t", dry_run=dry_run)
        assert not plan.ok
        assert any(message in str(p) for p in plan.problems), [str(p) for p in plan.problems]
    assert (count(db, "organisations"), count(db, "people"), count(db, "interests")) == before


@pytest.mark.parametrize("over, message", [
    ({"total_value": HUGE}, "must be £"),
    ({"annual_value": "1" * 40}, "must be £"),
    ({"annual_value": "1" * 400}, "100 characters or fewer"),
    ({"meeting_date": "9999-01-01"}, "must be a year between 1900 and 2100"),
    ({"contract_start": "31/02/2026"}, "is not a real date"),
    ({"key_criteria_weights": "quality_and_innovation=" + HUGE}, "key_criteria_weights"),
])
def test_decision_values_out_of_range_are_refused_in_the_dry_run_and_the_import(db, over,
                                                                                 message):
    base(db)
    text = csv_text(row(**over)).encode()
    for dry_run in (True, False):
        plan = import_file(db, "decisions", text, actor="t", dry_run=dry_run)
        assert not plan.ok
        assert any(message in str(p) and str(p).startswith("Line 2") for p in plan.problems), \
            [str(p) for p in plan.problems]
    assert count(db, "decisions") == 0
