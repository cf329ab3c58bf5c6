"""Shared fixtures: a fresh database file per test, clients signed in by role, small factories."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from register import create_app
from register.auth import passwords
from register.auth.models import create_user
from register.db import connect, migrate
from register.decisions import lifecycle
from register.meetings import store as meeting_store
from register.organisations.identity import keyed
from register.timeutil import utcnow_iso

PASSWORD = "correct horse battery"

# Still argon2id, with light parameters so hundreds of sign-ins in the suite stay quick; the
# production parameters are the library's recommended ones (register/auth/passwords.py).
passwords.use_parameters(time_cost=1, memory_cost=8 * 1024, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def every_module_imported() -> None:
    """Import every module of the app before any test runs. A test that stands in for the clock
    (`monkeypatch.setattr(timeutil, "today_uk", ...)`) is undone when it ends, but a module first
    imported while it ran would keep the stand-in in its own `today_uk` name for the rest of the
    run; with everything imported first, no test's clock outlives it."""
    import importlib
    import pkgutil

    import register

    for module in pkgutil.walk_packages(register.__path__, "register."):
        importlib.import_module(module.name)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """One database file migrated to the latest schema, copied for each test (migrating takes far
    longer than copying a file, and every test would otherwise run every migration)."""
    path = tmp_path_factory.mktemp("template") / "register.sqlite3"
    handle = connect(str(path), foreign_keys=False)
    migrate(handle)
    handle.close()
    return path


def fresh_database(tmp_path: Path, template: Path) -> str:
    """A new database file at the latest schema in `tmp_path`, as `migrate` would leave it."""
    target = tmp_path / "register.sqlite3"
    shutil.copyfile(template, target)
    return str(target)


@pytest.fixture
def app(tmp_path, migrated_template):
    """The app on a fresh database file, CSRF off for unit-level view tests."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE": fresh_database(tmp_path, migrated_template),
        "WTF_CSRF_ENABLED": False,
    })
    yield app


@pytest.fixture
def csrf_app(tmp_path, migrated_template):
    """The app with CSRF protection on, as in production."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE": fresh_database(tmp_path, migrated_template),
    })
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A connection to the test app's database."""
    handle = connect(app.config["DATABASE"])
    yield handle
    handle.close()


# ---- factories: small records with defaults, any field overridable ----

def data_version(db) -> int:
    """SQLite's data version as this connection sees it: it moves when another connection (the
    app's, during a request) commits a change, so an unchanged value means nothing was written."""
    return db.execute("PRAGMA data_version").fetchone()[0]


def count(db, table: str) -> int:
    """How many rows a table holds (table names come from the tests, never from input)."""
    return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def add_organisation(db, name: str = "Riverside Surgery", **over: Any) -> int:
    now = utcnow_iso()
    row = {"name": name, "kind": "practice", "ods_code": None, "companies_house_number": None,
           "registered_address": "", "postcode": "", "is_member_practice": 0,
           "created_at": now, "updated_at": now, "version": 1}
    row.update(over)
    if "name_key" in db["organisations"].columns_dict:  # absent on a database not yet migrated
        row = keyed(row)
    return db["organisations"].insert(row).last_pk


def add_person(db, name: str = "Ada Lovelace", **over: Any) -> int:
    now = utcnow_iso()
    email = over.pop("email", None) or re.sub(r"[^a-z]+", ".", name.lower()).strip(".") + "@example.nhs.uk"
    row = {"name": name, "email": email, "positions": "", "is_decision_maker": 1,
           "home_practice_id": None, "created_at": now, "updated_at": now, "version": 1}
    row.update(over)
    person_id = db["people"].insert(row).last_pk
    if row["home_practice_id"] and db["home_practices"].exists():
        # The home practice as a period with no dates, as the person form records it.
        db["home_practices"].insert({"person_id": person_id,
                                     "organisation_id": row["home_practice_id"],
                                     "date_from": None, "date_to": None, "created_at": now})
    return person_id


def add_committee(db, name: str = "Primary Care Committee", **over: Any) -> int:
    now = utcnow_iso()
    row = {"name": name, "quorum_min_voting": 4, "quorum_min_gp": 0, "quorum_min_lay": 1,
           "quorum_min_executive": 0, "quorum_min_other": 0,
           "common_interest_policy": "discuss_not_vote", "created_at": now, "updated_at": now,
           "version": 1}
    row.update(over)
    return db["committees"].insert(row).last_pk


def add_member(db, committee_id: int, person_id: int, **over: Any) -> int:
    row = {"committee_id": committee_id, "person_id": person_id, "role": "member",
           "category": "gp", "voting": 1, "created_at": utcnow_iso()}
    row.update(over)
    return db["committee_members"].insert(row).last_pk


def add_interest(db, person_id: int, **over: Any) -> int:
    now = utcnow_iso()
    row = {"person_id": person_id, "organisation_id": None, "organisation_name": "Go-To-Doc Ltd",
           "organisation_business": "", "interest_type": "financial", "is_indirect": 0,
           "associate_relationship": "", "nature": "Shareholder", "date_from": "2025-01-01",
           "date_to": None, "mitigation": "", "declared_on": "2025-01-10",
           "consent_to_publish": 1, "withheld_reason": "", "recorded_by_user_id": None,
           "on_behalf": 0, "withdrawn": 0, "withdrawn_reason": "", "created_at": now,
           "updated_at": now, "version": 1}
    row.update(over)
    interest_id = db["interests"].insert(row).last_pk
    # As the app's own write does: the decisions the holder takes part in are brought up to date.
    lifecycle.refresh_affected(db, people=[row["person_id"]])
    return interest_id


def add_user(db, role: str = "member", username: str | None = None,
             person_id: int | None = None) -> int:
    return create_user(db, username=username or role, password=PASSWORD, role=role,
                       person_id=person_id)


def sign_in(client, username: str, password: str = PASSWORD):
    """Sign a test client in; returns the response."""
    return client.post("/sign-in", data={"username": username, "password": password})


@pytest.fixture
def as_role(app, db):
    """as_role("secretary") gives a test client signed in with that role (person linked)."""

    def make(role: str, username: str | None = None, person_id: int | None = None):
        username = username or role
        if person_id is None:
            person_id = add_person(db, name=f"{role.title()} Person",
                                   email=f"{username}@example.nhs.uk")
        user_id = add_user(db, role=role, username=username, person_id=person_id)
        client = app.test_client()
        response = sign_in(client, username)
        assert response.status_code == 302, response.data[:500]
        client.person_id = person_id
        client.user_id = user_id
        return client

    return make


def add_decision(db, committee_id: int, *, providers: tuple[int, ...] = (),
                 participants: tuple[tuple[int, str], ...] = (), **over: Any) -> int:
    """A decision with providers and (person_id, role) participants; defaults to a draft."""
    now = utcnow_iso()
    number = db.execute("SELECT count(*) FROM decisions").fetchone()[0] + 1
    row = {"reference": f"MOB-2026-{number:04d}", "title": "Community anticoagulation service",
           "description": "", "choice": "make", "contract_kind": "new", "regime": "psr",
           "process": "direct_award_c", "total_value_pence": 1_000_000,
           "annual_value_pence": 500_000, "committee_id": committee_id,
           "meeting_date": "2026-03-10", "status": "draft", "created_at": now,
           "updated_at": now, "version": 1}
    row.update(over)
    decision_id = db["decisions"].insert(row).last_pk
    for organisation_id in providers:
        db["decision_providers"].insert({"decision_id": decision_id,
                                         "organisation_id": organisation_id})
    for person_id, role in participants:
        db["decision_participants"].insert({"decision_id": decision_id, "person_id": person_id,
                                            "role": role})
    if db["agenda_items"].exists():  # absent on a database not yet migrated
        # As the app's own write does: the decision goes on its committee's meeting's agenda.
        meeting_store.place_decision(db, decision_id, now=now)
    lifecycle.refresh(db, [decision_id])
    return decision_id
