"""Organisation identity: identifiers in one written form, the name as a key, and the resolver."""
from __future__ import annotations

import pytest

from register.organisations import identity
from register.organisations.identity import Resolver
from register.rules import identifiers
from register.rules.identifiers import IdentifierError, Named
from register.rules.names import name_key

from .conftest import add_organisation


@pytest.mark.parametrize(("typed", "written"), [
    ("1234567", "01234567"), ("01234567", "01234567"), ("sc123456", "SC123456"),
    ("SC 12345", "SC012345"), ("oc301234", "OC301234"), ("  ni012345 ", "NI012345"),
    ("12 34 56 78", "12345678"),
])
def test_companies_house_numbers_are_written_one_way(typed, written):
    assert identifiers.companies_house_number(typed) == written


@pytest.mark.parametrize("typed", ["123456789", "S1234567", "ABC12345", "0", "00000000", "12-AB"])
def test_companies_house_numbers_of_the_wrong_shape_are_refused_in_words(typed):
    with pytest.raises(IdentifierError, match="Companies House number .* must be 8 numbers"):
        identifiers.companies_house_number(typed)


@pytest.mark.parametrize(("typed", "written", "register"), [
    ("1123456", "1123456", "England and Wales"), ("212345", "212345", "England and Wales"),
    ("sc012345", "SC012345", "Scottish"), ("SC12345", "SC012345", "Scottish"),
    ("NIC 100002", "NIC100002", "Northern Ireland"), ("nic100002", "NIC100002", "Northern Ireland"),
])
def test_charity_numbers_are_written_one_way_with_their_register(typed, written, register):
    assert identifiers.charity_number(typed) == written
    assert register in identifiers.charity_register(written)


@pytest.mark.parametrize("typed", ["12345", "012345", "SC1234567", "NI100002", "AB123456"])
def test_charity_numbers_of_the_wrong_shape_are_refused_in_words(typed):
    with pytest.raises(IdentifierError, match="Charity number .* must be a charity number"):
        identifiers.charity_number(typed)


@pytest.mark.parametrize(("a", "b"), [
    ("GoToDoc Limited", "gotodoc ltd"), ("The Harbour Trust", "Harbour Trust"),
    ("Smith & Jones Healthcare CIC", "Smith and Jones Healthcare"),
    ("Care-Plus Community Interest Company", "Care Plus CIC"),
    ("St John’s Hospice Ltd.", "St Johns Hospice"), ("Écoute Ltd", "ECOUTE LIMITED"),
])
def test_names_that_differ_only_in_form_share_a_key(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(("a", "b"), [
    ("North Road Surgery", "North Road Practice"), ("North Road Surgery", "South Road Surgery"),
    ("GoToDoc", "GoToDoc Services"),
])
def test_different_names_keep_different_keys(a, b):
    assert name_key(a) != name_key(b)


def test_a_name_that_is_only_a_legal_form_keeps_it():
    assert name_key("The Limited") == "limited"


def _resolver():
    return Resolver([
        {"id": 1, "name": "Harbour Care Ltd", "ods_code": None,
         "companies_house_number": "01234567", "charity_number": None},
        {"id": 2, "name": "Seaside Hospice", "ods_code": None, "companies_house_number": None,
         "charity_number": "1123456"},
        {"id": 3, "name": "Riverside Surgery", "ods_code": "A81001",
         "companies_house_number": None, "charity_number": None},
        {"id": 4, "name": "Twin Name Ltd", "ods_code": None, "companies_house_number": "SC123456",
         "charity_number": None},
        {"id": 5, "name": "Twin Name Limited", "ods_code": None,
         "companies_house_number": "NI654321", "charity_number": None},
    ])


def test_any_identifier_or_the_exact_name_finds_the_organisation():
    resolver = _resolver()
    assert resolver.find(Named.parse(companies_house_number="1234567")).organisation_id == 1
    assert resolver.find(Named.parse(charity_number="1123456")).organisation_id == 2
    assert resolver.find(Named.parse(ods_code="a81001")).organisation_id == 3
    found = resolver.find(Named.parse(name="HARBOUR CARE LIMITED"))
    assert (found.organisation_id, found.via) == (1, "name")


def test_two_different_identifiers_of_one_kind_are_never_the_same_organisation():
    found = _resolver().find(Named.parse(name="Harbour Care Ltd",
                                         companies_house_number="07654321"))
    assert found.organisation_id is None and not found.problem


def test_identifiers_naming_two_organisations_are_a_problem_in_words():
    found = _resolver().find(Named.parse(companies_house_number="01234567",
                                         charity_number="1123456"))
    assert found.organisation_id is None
    assert "name different organisations" in found.problem
    assert "Harbour Care Ltd" in found.problem and "Seaside Hospice" in found.problem


def test_an_identifier_wins_over_a_different_name_but_not_over_a_contradiction():
    resolver = _resolver()
    assert resolver.find(Named.parse(name="Harbour Healthcare",
                                     companies_house_number="01234567")).organisation_id == 1
    found = resolver.find(Named.parse(ods_code="A81001", charity_number="1123456"))
    assert found.problem


def test_a_name_shared_by_two_organisations_asks_for_an_identifier():
    found = _resolver().find(Named.parse(name="Twin Name"))
    assert found.organisation_id is None and "2 organisations" in found.problem
    assert _resolver().find(Named.parse(name="Twin Name",
                                        companies_house_number="SC123456")).organisation_id == 4


def test_the_resolver_learns_organisations_an_import_is_about_to_create():
    resolver = _resolver()
    resolver.learn(-1, {"name": "New Provider CIC", "charity_number": "SC012345"})
    assert resolver.find(Named.parse(name="new provider")).organisation_id == -1


def test_the_stored_name_key_follows_every_write(app, db):
    from register.organisations import queries

    org_id = queries.create_organisation(db, {
        "name": "The Harbour Trust", "kind": "voluntary", "ods_code": None,
        "companies_house_number": None, "charity_number": "1123456", "registered_address": "",
        "postcode": "", "is_member_practice": 0}, "tester")
    assert db["organisations"].get(org_id)["name_key"] == "harbour trust"
    row = db["organisations"].get(org_id)
    queries.update_organisation(db, org_id, row["version"], {**row, "name": "Harbour Hospice Ltd"},
                                "tester")
    assert db["organisations"].get(org_id)["name_key"] == "harbour hospice"
    assert identity.find(db, Named.parse(name="harbour hospice limited")).organisation_id == org_id
    assert identity.find(db, Named.parse(charity_number="1123456")).organisation_id == org_id


def test_every_organisation_written_has_its_name_key(app, db):
    import datetime as dt

    from register.demo import load_demo

    load_demo(db, dt.date(2026, 6, 1))
    add_organisation(db, "Bridge Street Surgery")
    rows = list(db.query("SELECT name, name_key FROM organisations"))
    assert rows and all(row["name_key"] == name_key(row["name"]) for row in rows)
