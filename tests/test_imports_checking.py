"""Checking an interests file reads the register once per file, not once per row, and gives the
same problems, in the same order, as checking each row on its own would."""
from __future__ import annotations

import datetime as dt

import pytest

from register.imports.parsers import Register, check_file
from register.rules import csvrows
from register.rules.text import forbidden_character

from .conftest import add_interest, add_organisation, add_person

HEADER = ("person_email,organisation_ods,organisation_name,interest_type,direct_or_indirect,"
          "relationship,nature,date_from,date_to,declared_on,consent_to_publish,withheld_reason\n")


def check(db, rows: str):
    return check_file("interests", (HEADER + rows).encode("utf-8"), db)


def problems(plan) -> list[str]:
    return [str(problem) for problem in plan.problems]


# ---- the rules the check leans on -------------------------------------------------------------

@pytest.mark.parametrize("values, limits", [
    (["plain", "text"], [10, 10]),
    (["bell\x07", "ok"], [10, 10]),
    (["ok", "far too long"], [10, 5]),
    (["\u202eflipped", "x" * 30], [20, 10]),
    (["tab\tand\nnewline", "é"], [20, 1]),
    (["", ""], [0, 0]),
])
def test_a_rows_text_problems_are_each_cells_in_column_order(values, limits):
    labels = ["first", "second"]
    expected = [message for label, value, limit in zip(labels, values, limits, strict=True)
                if (message := csvrows.text_problem(label, value, limit))]
    assert csvrows.text_problems(labels, values, limits) == expected


@pytest.mark.parametrize("value, expected", [
    ("plain text", None),
    ("tab\tnew\nline\rreturn", None),
    ("bell\x07", "U+0007"),
    ("delete\x7f", "U+007F"),
    ("accented é then \x01", "U+0001"),
    ("right-to-left \u202e override", "U+202E"),
    ("isolate \u2066", "U+2066"),
    ("no-break\u00a0space", None),
    ("", None),
    (None, None),
])
def test_hidden_characters_are_found_in_ascii_and_other_text(value, expected):
    assert forbidden_character(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("2025-03-31", dt.date(2025, 3, 31)),
    (" 2025-03-31 ", dt.date(2025, 3, 31)),
    ("2025-3-1", dt.date(2025, 3, 1)),
    ("31/03/2025", dt.date(2025, 3, 31)),
    ("2025-02-29", "is not a real date"),
    ("1899-12-31", "must be a year between 1900 and 2100"),
    ("2101-01-01", "must be a year between 1900 and 2100"),
    ("2025-W10-1", "must be written as YYYY-MM-DD or DD/MM/YYYY"),
    ("20250331", "must be written as YYYY-MM-DD or DD/MM/YYYY"),
    ("2025-03-31T10:00", "must be written as YYYY-MM-DD or DD/MM/YYYY"),
])
def test_dates_read_directly_or_refused_with_the_reason(value, expected):
    if isinstance(expected, dt.date):
        assert csvrows.parse_date(value) == expected
    else:
        with pytest.raises(ValueError, match=expected):
            csvrows.parse_date(value)


# ---- the register read in batches -------------------------------------------------------------

def test_people_are_found_by_email_as_one_at_a_time_finds_them(db):
    add_person(db, "Ann Case", email="Ann.Case@Example.NHS.uk")
    add_person(db, "Émile Zola", email="émile@example.nhs.uk")
    register = Register(db)
    typed = ["ann.case@example.nhs.uk", "ANN.CASE@EXAMPLE.NHS.UK", "émile@example.nhs.uk",
             "ÉMILE@example.nhs.uk", "nobody@example.nhs.uk"]
    found = register.person_ids_by_email(typed + typed)
    assert found == {email: person["id"] for email in typed
                     if (person := register.person_by_email(email)) is not None}
    # Case is ignored for English letters only, as the email column compares them.
    assert set(found) == {"ann.case@example.nhs.uk", "ANN.CASE@EXAMPLE.NHS.UK",
                          "émile@example.nhs.uk"}
    assert register.person_ids_by_email([]) == {}


def test_existing_interests_are_found_together_as_one_at_a_time_finds_them(db):
    ada = add_person(db, "Ada Lovelace")
    practice = add_organisation(db, "Riverside Surgery", ods_code="Y90001")
    add_interest(db, ada, organisation_id=practice, organisation_name="", nature="Partner",
                 date_from="2020-01-01")
    add_interest(db, ada, organisation_name="Go-To-Doc Ltd", nature="Shareholder",
                 date_from="2021-01-01")
    add_interest(db, ada, organisation_name="Old Firm", nature="Director",
                 date_from="2019-01-01", withdrawn=1)
    asked = [
        (ada, practice, "", "financial", "2020-01-01", "PARTNER"),  # nature ignores case
        (ada, practice, "", "financial", "2020-01-02", "Partner"),  # another start date
        (ada, practice, "", "non_financial_personal", "2020-01-01", "Partner"),
        (ada, None, "go-to-doc ltd", "financial", "2021-01-01", "Shareholder"),
        (ada, None, "Go-To-Doc Limited", "financial", "2021-01-01", "Shareholder"),
        (ada, None, "Old Firm", "financial", "2019-01-01", "Director"),  # withdrawn
        (ada + 1, practice, "", "financial", "2020-01-01", "Partner"),
    ]
    register = Register(db)
    assert register.existing_interests(asked) == {0, 3}
    assert [register.interest_exists(*interest) for interest in asked] == \
        [True, False, False, True, False, False, False]
    assert register.existing_interests([]) == set()


def test_many_interests_are_checked_in_batches(db):
    ada = add_person(db, "Ada Lovelace")
    practice = add_organisation(db, "Riverside Surgery", ods_code="Y90001")
    add_interest(db, ada, organisation_id=practice, organisation_name="", nature="Partner 1500",
                 date_from="2020-01-01")
    asked = [(ada, practice, "", "financial", "2020-01-01", f"Partner {n}") for n in range(2000)]
    assert Register(db).existing_interests(asked) == {1500}


# ---- the whole check --------------------------------------------------------------------------

def test_problems_keep_the_order_of_the_file(db):
    ada = add_person(db, "Ada Lovelace")
    practice = add_organisation(db, "Riverside Surgery", ods_code="Y90001")
    add_interest(db, ada, organisation_id=practice, organisation_name="", nature="Partner",
                 date_from="2020-01-01")
    email = "ada.lovelace@example.nhs.uk"
    plan = check(db,
                 f"{email},Y90001,,financial,,,Adviser,2021-01-01,,2021-01-02,yes,\n"
                 f"{email},Y90001,,financial,,,ADVISER,2021-01-01,,2021-01-03,yes,\n"
                 f"{email},Y90001,,financial,,,Trustee,2021-02-30,,2021-01-03,yes,\n"
                 f"{email},Y90001,,financial,,,partner,2020-01-01,,2020-01-03,yes,\n"
                 f"{email},ZZ999,,financial,,,Member,2021-01-01,,2021-01-03,maybe,\n"
                 f"{email},Y90001,,financial,,,Adviser,2021-01-01,,2021-01-05,yes,\n")
    assert problems(plan) == [
        "Line 3: this interest is the same as the one on line 2",
        "Line 4: date_from '2021-02-30' is not a real date",
        "Line 5: this interest is already in the register (same person, organisation, type, "
        "start date and nature)",
        "Line 6: organisation_ods: no organisation in the register has the ODS code ZZ999",
        "Line 6: consent_to_publish must be yes or no, not 'maybe'",
        "Line 7: this interest is the same as the one on line 2",
    ]


def test_a_problem_repeated_on_many_rows_is_reported_on_each(db):
    add_person(db, "Ada Lovelace")
    email = "ada.lovelace@example.nhs.uk"
    plan = check(db, "".join(
        f"{email},ZZ999,,financial,indirect,,Adviser {n},2021-01-01,,2021-01-02,no,\n"
        for n in range(3)))
    assert problems(plan) == [
        message
        for line in (2, 3, 4)
        for message in (
            f"Line {line}: organisation_ods: no organisation in the register has the ODS code "
            "ZZ999",
            f"Line {line}: an indirect interest needs the relationship of the person who holds "
            "it, like 'spouse'",
            f"Line {line}: Enter the withheld_reason when consent_to_publish is no")]
    assert not plan.changes


def test_rows_of_many_organisations_and_dates_plan_each_interest(db):
    ada = add_person(db, "Ada Lovelace")
    riverside = add_organisation(db, "Riverside Surgery", ods_code="Y90001")
    hilltop = add_organisation(db, "Hilltop Surgery", ods_code="Y90002")
    email = "ada.lovelace@example.nhs.uk"
    plan = check(db,
                 f"{email},Y90001,,financial,,,Partner,2021-01-01,,2021-01-02,yes,\n"
                 f"{email},Y90002,,Financial,indirect,spouse,Partner,01/01/2021,2022-01-01,"
                 "2021-01-02,no,Safety\n"
                 f"{email},,Go-To-Doc Ltd,non-financial professional,,,Adviser,2021-01-01,,"
                 "2021-01-02,yes,\n")
    assert plan.ok, problems(plan)
    assert [(c.line, c.values["person_id"], c.values["organisation_id"],
             c.values["organisation_name"], c.values["interest_type"], c.values["is_indirect"],
             c.values["associate_relationship"], c.values["date_from"], c.values["date_to"],
             c.values["declared_on"], c.values["consent_to_publish"],
             c.values["withheld_reason"]) for c in plan.changes] == [
        (2, ada, riverside, "Riverside Surgery", "financial", 0, "", "2021-01-01", None,
         "2021-01-02", 1, ""),
        (3, ada, hilltop, "Hilltop Surgery", "financial", 1, "spouse", "2021-01-01",
         "2022-01-01", "2021-01-02", 0, "Safety"),
        (4, ada, None, "Go-To-Doc Ltd", "non_financial_professional", 0, "", "2021-01-01", None,
         "2021-01-02", 1, ""),
    ]


def test_a_file_without_the_optional_columns_is_checked_alike(db):
    ada = add_person(db, "Ada Lovelace")
    add_organisation(db, "Riverside Surgery", ods_code="Y90001")
    text = ("person_email,organisation_ods,interest_type,nature,date_from,declared_on,"
            "consent_to_publish\n"
            "ada.lovelace@example.nhs.uk,Y90001,financial,Partner,2021-01-01,2021-01-02,yes\n"
            "ada.lovelace@example.nhs.uk,,financial,Partner,2021-01-01,2021-01-02,yes\n")
    plan = check_file("interests", text.encode("utf-8"), db)
    assert problems(plan) == [
        "Line 3: Enter the organisation_ods, organisation_companies_house_number, "
        "organisation_charity_number or organisation_name"]
    plan = check_file("interests", text.splitlines(keepends=True)[0].encode("utf-8")
                      + text.splitlines(keepends=True)[1].encode("utf-8"), db)
    assert plan.ok
    assert plan.changes[0].values["person_id"] == ada
    assert plan.changes[0].values["is_indirect"] == 0
    assert plan.changes[0].values["withheld_reason"] == ""


def test_cells_too_long_or_hidden_are_found_wherever_they_are(db):
    add_person(db, "Ada Lovelace")
    add_organisation(db, "Riverside Surgery", ods_code="Y90001")
    email = "ada.lovelace@example.nhs.uk"
    long_nature = "x" * (csvrows.TEXT_LIMIT + 1)
    plan = check(db,
                 f"{email},Y90001,,financial,,,Partner,2021-01-01,,2021-01-02,yes,\n"
                 f"{email},Y90001,,financial,,,{long_nature},2021-01-01,,2021-01-02,yes,\n"
                 f"{email},Y90001,,financial,,,Bell\x07,2021-01-01,,2021-01-02,yes,\n")
    assert problems(plan) == [
        f"Line 3: nature must be {csvrows.TEXT_LIMIT} characters or fewer (it has "
        f"{csvrows.TEXT_LIMIT + 1})",
        "Line 4: nature must not contain hidden control characters (U+0007)",
    ]
