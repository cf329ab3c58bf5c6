"""Every import finds an organisation by any of its identifiers or its exact name, and refuses a
file whose rows name organisations ambiguously or with numbers of the wrong shape."""
from __future__ import annotations

import pytest

from register.decisions import flagging
from register.imports.writers import import_file
from register.rules.identifiers import (
    IdentifierError,
    Named,
    parse_organisation_reference,
    reference_for,
)

from .conftest import add_organisation, add_person

TABLES = ("organisations", "organisation_links", "people", "interests", "decisions",
          "audit_events")


def run(db, kind: str, text: str):
    return import_file(db, kind, text.encode("utf-8"), actor="tester")


def messages(plan) -> list[str]:
    return [str(problem) for problem in plan.problems]


def counts(db) -> dict[str, int]:
    return {table: db[table].count for table in TABLES}


def org(db, **where):
    column, value = next(iter(where.items()))
    return next(db["organisations"].rows_where(f"{column} = ?", [value]))


# ---- one cell naming an organisation ------------------------------------------------------------

@pytest.mark.parametrize("text, tries", [
    ("Y90001", (Named(ods_code="Y90001"), Named(name="Y90001"))),
    (" y90001 ", (Named(ods_code="Y90001"), Named(name="y90001"))),
    ("ods:Y90001", (Named(ods_code="Y90001"),)),
    ("companies_house:1234567", (Named(companies_house_number="01234567"),)),
    ("Companies House: sc123456", (Named(companies_house_number="SC123456"),)),
    ("charity:SC012345", (Named(charity_number="SC012345"),)),
    ("name:Harbour Care Ltd", (Named(name="Harbour Care Ltd"),)),
    ("Harbour Care Ltd", (Named(name="Harbour Care Ltd"),)),
    ("Go-To-Doc", (Named(name="Go-To-Doc"),)),
    ("Care: North", (Named(name="Care: North"),)),
])
def test_a_cell_is_read_by_its_prefix_or_as_a_code_then_a_name(text, tries):
    assert parse_organisation_reference(text).tries == tries


@pytest.mark.parametrize("text, words", [
    ("companies_house:12345678X", "Companies House number '12345678X' must be 8 numbers"),
    ("charity:0123", "Charity number '0123' must be a charity number"),
    ("name:", "has nothing after the colon"),
])
def test_a_prefixed_value_of_the_wrong_shape_is_refused(text, words):
    with pytest.raises(IdentifierError, match=words):
        parse_organisation_reference(text)


@pytest.mark.parametrize("identifiers, expected", [
    (("Y90001", "01234567", None, "Riverside"), "Y90001"),
    ((None, "01234567", "1190001", "Harbour Care Ltd"), "companies_house:01234567"),
    ((None, None, "1190001", "Seaside Carers"), "charity:1190001"),
    ((None, None, None, "Bayview Community Transport CIC"), "Bayview Community Transport CIC"),
    ((None, None, None, "RX1"), "name:RX1"),
    ((None, None, None, "charity: the shop"), "name:charity: the shop"),
])
def test_the_written_form_reads_back_as_the_same_organisation(identifiers, expected):
    written = reference_for(*identifiers)
    assert written == expected
    first = parse_organisation_reference(written).tries[0]
    assert first.identifiers() or first.name == identifiers[3]


# ---- organisations: charity numbers and member_of by any identifier -----------------------------

HEADER = "name,kind,ods_code,companies_house_number,charity_number,member_of\n"


def test_member_of_names_a_parent_by_any_identifier_or_its_name(db):
    existing = add_organisation(db, "Coastal Care Alliance", kind="federation",
                                charity_number="1187654")
    text = HEADER + (
        "Northvale Out of Hours Collaborative,federation,,,,\n"
        "Northvale GP Federation Ltd,federation,,9990001,,\n"
        "Riverside Surgery,practice,Y90001,,,companies_house:09990001;"
        "name:Northvale Out-of-Hours Collaborative;charity:1187654\n"
        "Hilltop Surgery,practice,Y90002,,,Northvale Out of Hours Collaborative\n"
        "Seaside Carers Trust,voluntary,,,sc12345,\n")
    plan = run(db, "organisations", text)
    assert plan.ok, messages(plan)
    riverside, hilltop = org(db, ods_code="Y90001"), org(db, ods_code="Y90002")
    federation = org(db, companies_house_number="09990001")
    collaborative = org(db, name="Northvale Out of Hours Collaborative")
    parents = {r["parent_id"] for r in db["organisation_links"].rows_where(
        "member_id = ?", [riverside["id"]])}
    assert parents == {federation["id"], collaborative["id"], existing}
    assert [r["parent_id"] for r in db["organisation_links"].rows_where(
        "member_id = ?", [hilltop["id"]])] == [collaborative["id"]]
    assert org(db, name="Seaside Carers Trust")["charity_number"] == "SC012345"


BAD = [
    (HEADER + "Harbour Care Ltd,independent,,12345678X,,\n",
     "Line 2: Companies House number '12345678X' must be 8 numbers, or 2 letters and 6 numbers"),
    (HEADER + "Seaside Carers Trust,voluntary,,,012345,\n",
     "Line 2: Charity number '012345' must be a charity number"),
    (HEADER + "Anchor Care Ltd,independent,,8888888,,\nAnchor Two Ltd,independent,,08888888,,\n",
     "Line 3: Companies House number 08888888 is also on line 2"),
    (HEADER + "Bay Carers Trust,voluntary,,,1199999,\nOther Trust,voluntary,,,1199999,\n",
     "Line 3: Charity number 1199999 is also on line 2"),
    (HEADER + "Another Care Ltd,independent,,07654321,,\n",
     "Line 2: Companies House number 07654321 is already in the register, for Harbour Care "
     "Limited"),
    (HEADER + "Seaside Trust,voluntary,,,1190001,\n",
     "Line 2: Charity number 1190001 is already in the register, for Seaside Carers Trust"),
    (HEADER + "Bayview Transport,other,,,,\nBayview Transport Ltd,other,,,,\n",
     "Line 3: Bayview Transport Ltd has the same name as line 2 and no ODS code, Companies House "
     "number or charity number to tell them apart"),
    (HEADER + "The Harbour Care Ltd,independent,,,,\n",
     "Line 2: an organisation called Harbour Care Limited is already in the register"),
    (HEADER + "Surgery,practice,Y90005,,,name:Twin Federation\n",
     "Line 2: member_of: 2 organisations in the register are called ‘Twin Federation’"),
    (HEADER + "Surgery,practice,Y90005,,,companies_house:07654321\n",
     "Line 2: member_of: companies_house:07654321 is a independent, not a network or federation"),
    (HEADER + "Surgery,practice,Y90005,,,companies_house:12\n",
     "Line 2: member_of: no organisation is companies_house:12, in this file or in the register"),
    (HEADER + "Surgery,practice,Y90005,,,charity:12\n",
     "Line 2: member_of: Charity number '12' must be a charity number"),
    (HEADER + "Surgery,practice,Y90005,,,Nowhere Federation\n",
     "Line 2: member_of: no organisation is Nowhere Federation, in this file or in the register"),
]


@pytest.mark.parametrize("text, expected", BAD)
def test_a_bad_organisations_file_says_why_and_writes_nothing(db, text, expected):
    add_organisation(db, "Harbour Care Limited", kind="independent",
                     companies_house_number="07654321")
    add_organisation(db, "Seaside Carers Trust", kind="voluntary", charity_number="1190001")
    add_organisation(db, "Twin Federation", kind="federation", ods_code="Y90098")
    add_organisation(db, "Twin Federation", kind="federation", ods_code="Y90099")
    before = counts(db)
    plan = run(db, "organisations", text)
    assert any(message.startswith(expected) for message in messages(plan)), messages(plan)
    assert counts(db) == before


# ---- interests: linked by any identifier or by exact name ---------------------------------------

INTERESTS = ("person_email,organisation_ods,organisation_companies_house_number,"
             "organisation_charity_number,organisation_name,interest_type,nature,date_from,"
             "declared_on,consent_to_publish\n")


@pytest.fixture
def providers(db):
    ids = {
        "harbour": add_organisation(db, "Harbour Care Limited", kind="independent",
                                    companies_house_number="07654321"),
        "seaside": add_organisation(db, "Seaside Carers Trust", kind="voluntary",
                                    charity_number="1190001"),
        "bayview": add_organisation(db, "Bayview Community Transport CIC", kind="other"),
        "twin_a": add_organisation(db, "Twin Care", kind="independent",
                                   companies_house_number="01111111"),
        "twin_b": add_organisation(db, "Twin Care", kind="independent",
                                   companies_house_number="02222222"),
    }
    ids["ann"] = add_person(db, "Ann Lay", email="ann@example.nhs.uk")
    return ids


def test_interests_named_by_any_identifier_or_exact_name_are_linked(db, providers):
    text = INTERESTS + (
        "ann@example.nhs.uk,,7654321,,,financial,Director,2025-01-01,2025-01-10,yes\n"
        "ann@example.nhs.uk,,,1190001,,non_financial_personal,Trustee,2025-01-01,2025-01-10,yes\n"
        "ann@example.nhs.uk,,,,the bayview community transport,financial,Shareholder,"
        "2025-01-01,2025-01-10,yes\n"
        "ann@example.nhs.uk,,02222222,,Twin Care,financial,Adviser,2025-01-01,2025-01-10,yes\n"
        "ann@example.nhs.uk,,,,Harbour Care Ltd,financial,Adviser,2025-01-01,2025-01-10,yes\n"
        "ann@example.nhs.uk,,,,Some Other Company,financial,Owner,2025-01-01,2025-01-10,yes\n")
    plan = run(db, "interests", text)
    assert plan.ok, messages(plan)
    rows = {r["nature"]: r for r in db["interests"].rows_where("person_id = ?", [providers["ann"]])}
    assert rows["Director"]["organisation_id"] == providers["harbour"]
    assert rows["Director"]["organisation_name"] == "Harbour Care Limited"
    assert rows["Trustee"]["organisation_id"] == providers["seaside"]
    assert rows["Shareholder"]["organisation_id"] == providers["bayview"]
    assert rows["Shareholder"]["organisation_name"] == "the bayview community transport"
    assert {r["organisation_id"] for r in db["interests"].rows_where("nature = 'Adviser'")} \
        == {providers["twin_b"], providers["harbour"]}
    assert rows["Owner"]["organisation_id"] is None
    assert rows["Owner"]["organisation_name"] == "Some Other Company"


ROW = "ann@example.nhs.uk,{ods},{ch},{charity},{name},financial,Director,2025-01-01,2025-01-10,yes\n"


@pytest.mark.parametrize("cells, expected", [
    ({"ch": "12345678X"}, "Line 2: organisation_companies_house_number: Companies House number "
                          "'12345678X' must be 8 numbers"),
    ({"charity": "SC12"}, "Line 2: organisation_charity_number: Charity number 'SC12' must be"),
    ({"ods": "Y9"}, "Line 2: organisation_ods: ODS code 'Y9' must be 3 to 10 letters"),
    ({"ch": "07654321", "charity": "1190001"},
     "Line 2: These identifiers name different organisations: Companies House number 07654321 "
     "is Harbour Care Limited; charity number 1190001 is Seaside Carers Trust"),
    # The name is Harbour Care's but the number is not: never taken as Harbour Care.
    ({"ch": "03333333", "name": "Harbour Care Ltd"}, "Line 2: organisation_companies_house_number:"
                                                     " no organisation in the register has the "
                                                     "Companies House number 03333333"),
    ({"name": "Twin Care Ltd"}, "Line 2: 2 organisations in the register are called ‘Twin Care "
                                "Ltd’: give its ODS code, Companies House number or charity "
                                "number to say which"),
    ({}, "Line 2: Enter the organisation_ods, organisation_companies_house_number, "
         "organisation_charity_number or organisation_name"),
])
def test_a_bad_interest_row_says_why_and_writes_nothing(db, providers, cells, expected):
    text = INTERESTS + ROW.format(**{"ods": "", "ch": "", "charity": "", "name": "", **cells})
    before = counts(db)
    plan = run(db, "interests", text)
    assert messages(plan) == [expected] or any(m.startswith(expected) for m in messages(plan)), \
        messages(plan)
    assert counts(db) == before


# ---- people and decisions -----------------------------------------------------------------------

def test_people_find_their_home_practice_through_the_resolver(db):
    practice = add_organisation(db, "Riverside Surgery", ods_code="Y90001")
    add_organisation(db, "Northvale Network", kind="network", ods_code="U90001")
    plan = run(db, "people", "name,email,home_practice_ods\nAsha,asha@example.nhs.uk,y90001\n")
    assert plan.ok, messages(plan)
    assert org(db, id=practice)["id"] == \
        next(db["people"].rows_where("email = 'asha@example.nhs.uk'"))["home_practice_id"]
    plan = run(db, "people", "name,email,home_practice_ods\nBen,ben@example.nhs.uk,U90001\n")
    assert messages(plan) == ["Line 2: home_practice_ods: U90001 is a network, not a practice"]


# ---- the case: independent providers, a charity and a CIC with no ODS code ---------------

SCENARIO_ORGANISATIONS = (
    "name,kind,ods_code,companies_house_number,charity_number\n"
    "Harbour Care Limited,independent,,7654321,\n"
    "Seaside Carers Trust,voluntary,,,1190001\n"
    "Bayview Community Transport CIC,other,,,\n")
SCENARIO_PEOPLE = (
    "name,email,is_decision_maker\n"
    "Ann Lay,ann@example.nhs.uk,yes\n"
    "Dr Bob Gee,bob@example.nhs.uk,yes\n"
    "Cat Exec,cat@example.nhs.uk,yes\n"
    "Dan Lay,dan@example.nhs.uk,yes\n")
SCENARIO_COMMITTEE = (
    "committee,quorum,person_email,category\n"
    "Community Services Committee,2 including 1 lay,ann@example.nhs.uk,lay\n"
    ",,bob@example.nhs.uk,gp\n"
    ",,cat@example.nhs.uk,executive\n"
    ",,dan@example.nhs.uk,lay\n").replace("\n,,", "\nCommunity Services Committee,,")
SCENARIO_INTERESTS = INTERESTS + (
    # by Companies House number, written short; declared on time
    "ann@example.nhs.uk,,7654321,,,financial,Director,2025-01-01,2025-01-10,yes\n"
    # by charity number; declared 90 days after it arose: late
    "bob@example.nhs.uk,,,1190001,,non_financial_personal,Trustee,2025-01-01,2025-04-01,yes\n"
    # by the CIC's exact name, written another way
    "cat@example.nhs.uk,,,,Bayview Community Transport Community Interest Company,financial,"
    "Shareholder,2025-01-01,2025-01-05,yes\n"
    # by a variant of a company's name: Harbour Care Ltd is Harbour Care Limited
    "dan@example.nhs.uk,,,,Harbour Care Ltd,financial,Spouse's employer,2025-02-01,2025-02-03,"
    "yes\n")
SCENARIO_DECISION = (
    "title,choice,contract_kind,regime,process,total_value,annual_value,committee,meeting_date,"
    "voting_emails,provider_ods,route_reasons,exclusions,status\n"
    "Community transport and carers' support,buy,new,psr,direct_award_a,300000,100000,"
    "Community Services Committee,2025-06-10,ann@example.nhs.uk;bob@example.nhs.uk;"
    "cat@example.nhs.uk;dan@example.nhs.uk,companies_house:07654321;charity:1190001;"
    "name:Bayview Community Transport CIC,Only these providers run the service locally,"
    "Declarations checked: none excluded,submitted\n")


def test_providers_without_ods_codes_give_real_conflicts_with_lateness(db):
    for kind, text in (("organisations", SCENARIO_ORGANISATIONS), ("people", SCENARIO_PEOPLE),
                       ("committees", SCENARIO_COMMITTEE), ("interests", SCENARIO_INTERESTS),
                       ("decisions", SCENARIO_DECISION)):
        plan = run(db, kind, text)
        assert plan.ok, (kind, messages(plan))
    assert db["interests"].count == 4
    assert all(r["organisation_id"] for r in db["interests"].rows)
    decision = next(db["decisions"].rows)
    flags = flagging.current_flags(db, decision["id"])
    people = {r["id"]: r["email"].split("@")[0] for r in db["people"].rows}
    conflicts = {(people[f["person_id"]], f["rule"]) for f in flags if f["person_id"]}
    assert conflicts == {("ann", "DIRECT_INTEREST"), ("bob", "DIRECT_INTEREST"),
                         ("bob", "LATE_DECLARATION"), ("cat", "DIRECT_INTEREST"),
                         ("dan", "DIRECT_INTEREST")}
    assert not any(f["rule"] == "POSSIBLE_NAME_MATCH" for f in flags)
    late = next(f for f in flags if f["rule"] == "LATE_DECLARATION")
    assert "Seaside Carers Trust" in late["sentence"] and "90 days after" in late["sentence"]
    assert db["decisions"].get(decision["id"])["status"] == "awaiting_review"


# ---- exports carry every identifier --------------------------------------------------------------

def test_the_register_csv_names_the_supplier_by_every_identifier(db):
    import csv
    import io

    from register.decisions import serialise

    from .conftest import add_committee, add_decision

    harbour = add_organisation(db, "Harbour Care Limited", kind="independent",
                               companies_house_number="07654321", charity_number="1190001")
    decision = add_decision(db, add_committee(db), providers=(harbour,),
                            awarded_provider_id=harbour)
    rows = list(csv.DictReader(io.StringIO(serialise.register_csv(db, [decision]).lstrip("\ufeff"))))
    assert rows[0]["Contract awarded: supplier"] == "Harbour Care Limited"
    assert rows[0]["Supplier's ODS code"] == ""
    assert rows[0]["Supplier's Companies House number"] == "07654321"
    assert rows[0]["Supplier's charity number"] == "1190001"
    document = serialise.decision_document(db, decision)
    assert document["providers"][0]["identifiers"] == [
        {"scheme": "GB-COH", "id": "07654321"}, {"scheme": "GB-CHC", "id": "1190001"}]
