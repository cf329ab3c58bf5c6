"""A person's home practices through time: migration, moves, overlaps, and the decisions judged
by the practice the person was in on the meeting date."""
from __future__ import annotations

import datetime as dt

import pytest
from markupsafe import escape

from register import create_app
from register.db import connect, migrate
from register.decisions import dependencies, flagging, lifecycle
from register.organisations import queries as organisation_queries
from register.people import home_practices

from .conftest import add_committee, add_decision, add_organisation, add_person

D = dt.date


def rules_for(db, decision, person_id):
    return {r["rule"] for r in flagging.current_flags(db, decision) if r["person_id"] == person_id}


def test_migration_gives_existing_home_practices_and_links_open_ended_periods(tmp_path):
    from register.migrations import migrations

    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "DATABASE": str(tmp_path / "old.sqlite3")})
    db = connect(app.config["DATABASE"], foreign_keys=False)
    migrations.apply(db, stop_before="m017_dated_memberships")
    practice = add_organisation(db, "Riverside Surgery", ods_code="Y90001")
    network = add_organisation(db, "North PCN", kind="network", ods_code="U90001")
    gp = add_person(db, "Dr Asha Patel", home_practice_id=practice)
    add_person(db, "Tom Reed")
    db["organisation_links"].insert({"member_id": practice, "parent_id": network,
                                     "date_from": "2020-01-01", "date_to": "2021-12-31",
                                     "created_at": "2020-01-01T00:00:00Z"})
    migrate(db)
    assert [dict(r) for r in db.query(
        "SELECT person_id, organisation_id, date_from, date_to FROM home_practices")] == [
        {"person_id": gp, "organisation_id": practice, "date_from": None, "date_to": None}]
    assert db.execute("SELECT home_practice_id FROM people WHERE id = ?", [gp]).fetchone() == \
        (practice,)
    # The pair may now have a second period.
    db["organisation_links"].insert({"member_id": practice, "parent_id": network,
                                     "date_from": "2023-01-01", "created_at": "2023-01-01"})
    assert db.execute("SELECT count(*) FROM organisation_links").fetchone() == (2,)
    db.close()


def _moved_gp(db):
    old = add_organisation(db, "Riverside Surgery", ods_code="Y90001", is_member_practice=1)
    new = add_organisation(db, "Hilltop Medical Centre", ods_code="Y90002", is_member_practice=1)
    gp = add_person(db, "Dr Asha Patel", home_practice_id=old)
    committee = add_committee(db)
    before = add_decision(db, committee, providers=(old,), participants=((gp, "voting"),),
                          meeting_date="2025-03-10")
    after_old = add_decision(db, committee, providers=(old,), participants=((gp, "voting"),),
                             meeting_date="2025-09-10")
    after_new = add_decision(db, committee, providers=(new,), participants=((gp, "voting"),),
                             meeting_date="2025-09-10")
    return old, new, gp, before, after_old, after_new


def test_a_moved_gp_is_judged_by_the_practice_they_were_in_on_the_meeting_date(db):
    old, new, gp, before, after_old, after_new = _moved_gp(db)
    assert "HOME_PRACTICE_PROVIDER" in rules_for(db, after_old, gp)  # not yet moved
    home_practices.move(db, gp, new, D(2025, 7, 1), "test")
    periods = home_practices.periods_of(db, gp)
    assert [(p["organisation_id"], p["date_from"], p["date_to"]) for p in periods] == [
        (old, None, "2025-06-30"), (new, "2025-07-01", None)]
    # The move refreshed the stored flags in its own write.
    assert "HOME_PRACTICE_PROVIDER" in rules_for(db, before, gp)
    assert "HOME_PRACTICE_PROVIDER" not in rules_for(db, after_old, gp)
    assert "HOME_PRACTICE_PROVIDER" in rules_for(db, after_new, gp)
    flag = next(r for r in flagging.current_flags(db, after_new) if r["person_id"] == gp
                and r["rule"] == "HOME_PRACTICE_PROVIDER")
    assert "Hilltop Medical Centre" in flag["sentence"]
    # The cached current practice follows the move.
    assert db.execute("SELECT home_practice_id FROM people WHERE id = ?", [gp]).fetchone() == \
        (new,)
    actions = [r[0] for r in db.execute(
        "SELECT action FROM audit_events WHERE entity = 'home_practice' ORDER BY seq")]
    assert actions == ["update", "create"]


def test_a_change_to_a_persons_periods_names_the_decisions_it_affects(db):
    old, new, gp, before, after_old, after_new = _moved_gp(db)
    assert {before, after_old, after_new} <= dependencies.affected(db, people=[gp])
    assert {before, after_old} <= dependencies.affected(db, organisations=[old])


def test_a_settled_decision_keeps_its_home_practice_flags_after_a_move(db):
    old, new, gp, before, after_old, after_new = _moved_gp(db)
    db.execute("UPDATE decisions SET status = 'decided' WHERE id = ?", [after_old])
    lifecycle.refresh(db, [after_old])
    kept = rules_for(db, after_old, gp)
    assert "HOME_PRACTICE_PROVIDER" in kept
    home_practices.move(db, gp, new, D(2025, 7, 1), "test")
    assert rules_for(db, after_old, gp) == kept


@pytest.mark.parametrize("date_from, date_to, message", [
    (D(2024, 1, 1), None, "overlaps their home practice period with no start or end date"),
    (D(2024, 1, 1), D(2023, 1, 1), "must be the same as or after the date they started"),
])
def test_overlapping_home_practice_periods_are_refused(db, date_from, date_to, message):
    old = add_organisation(db, "Riverside Surgery", ods_code="Y90001")
    other = add_organisation(db, "Hilltop Medical Centre", ods_code="Y90002")
    gp = add_person(db, "Dr Asha Patel", home_practice_id=old)
    with pytest.raises(home_practices.PeriodProblem, match=message):
        home_practices.add_period(db, gp, other, date_from, date_to, "test")
    assert db.execute("SELECT count(*) FROM home_practices").fetchone() == (1,)


def test_a_move_into_a_later_period_is_refused(db):
    old, new, gp, *_ = _moved_gp(db)
    home_practices.move(db, gp, new, D(2025, 7, 1), "test")
    with pytest.raises(home_practices.PeriodProblem, match="would overlap it"):
        home_practices.move(db, gp, old, D(2025, 5, 1), "test")
    assert len(home_practices.periods_of(db, gp)) == 2


def test_a_practice_that_left_and_rejoined_a_network_is_not_linked_in_the_gap(db):
    practice = add_organisation(db, "Riverside Surgery", ods_code="Y90001", is_member_practice=1)
    network = add_organisation(db, "North PCN", kind="network", ods_code="U90001")
    organisation_queries.add_link(db, network, practice, "2020-01-01", "2022-12-31", "test")
    organisation_queries.add_link(db, network, practice, "2024-01-01", None, "test")
    committee = add_committee(db)
    rules = {}
    for day in ("2021-06-01", "2023-06-01", "2024-06-01"):
        decision = add_decision(db, committee, providers=(network,), meeting_date=day)
        rules[day] = {r["rule"] for r in flagging.current_flags(db, decision)}
    assert "PROVIDER_OWNED_BY_MEMBERS" in rules["2021-06-01"]
    assert "PROVIDER_OWNED_BY_MEMBERS" not in rules["2023-06-01"]
    assert "PROVIDER_OWNED_BY_MEMBERS" in rules["2024-06-01"]
    facts = flagging.gather_facts(db, decision)
    assert len([link for link in facts["links"] if link.member_id == practice]) == 2


def test_an_overlapping_link_period_is_refused(db):
    practice = add_organisation(db, "Riverside Surgery", ods_code="Y90001")
    network = add_organisation(db, "North PCN", kind="network", ods_code="U90001")
    first = organisation_queries.add_link(db, network, practice, "2020-01-01", "2022-12-31",
                                          "test")
    with pytest.raises(organisation_queries.LinkOverlap, match="from 1 January 2020 to 31 "
                                                               "December 2022"):
        organisation_queries.add_link(db, network, practice, "2022-06-01", None, "test")
    second = organisation_queries.add_link(db, network, practice, "2023-01-01", None, "test")
    with pytest.raises(organisation_queries.LinkOverlap):
        organisation_queries.set_link_dates(db, first, "2020-01-01", None, "test")
    assert second and db.execute("SELECT count(*) FROM organisation_links").fetchone() == (2,)


def _shows(response, text):
    return str(escape(text)) in response.get_data(as_text=True)


def test_a_secretary_records_a_move_on_the_person_page(as_role, db):
    old, new, gp, before, after_old, after_new = _moved_gp(db)
    client = as_role("secretary")
    page = client.get(f"/people/{gp}")
    assert _shows(page, "Moved practice") and _shows(page, "No start date recorded")
    response = client.post(f"/people/{gp}/moved-practice", data={
        "practice_id": str(new), "date_from-day": "1", "date_from-month": "7",
        "date_from-year": "2025"})
    assert response.status_code == 302
    page = client.get(f"/people/{gp}")
    assert _shows(page, "30 June 2025") and _shows(page, "1 July 2025")
    assert _shows(page, "Still there") and _shows(page, "Hilltop Medical Centre")
    assert "HOME_PRACTICE_PROVIDER" not in rules_for(db, after_old, gp)
    # A second move before the first is refused on the form, with the reason; nothing written.
    response = client.post(f"/people/{gp}/moved-practice", data={
        "practice_id": str(old), "date_from-day": "1", "date_from-month": "5",
        "date_from-year": "2025"})
    assert response.status_code == 200
    assert _shows(response, "would overlap it") and "Error: " in response.get_data(as_text=True)
    assert len(home_practices.periods_of(db, gp)) == 2


@pytest.mark.parametrize("data, message", [
    ({"practice_id": ""}, "Choose the practice"),
    ({"practice_id": "TRUST"}, "Choose a GP practice from the list"),
    ({"practice_id": "OLD", "date_from-day": "1", "date_from-month": "1",
      "date_from-year": "2020", "date_to-day": "1", "date_to-month": "1",
      "date_to-year": "2019"}, "The date they left must be the same as or after the date they "
                              "started"),
    ({"practice_id": "OLD", "date_from-day": "1", "date_from-month": "1",
      "date_from-year": "2020"}, "overlaps their home practice period with no start or end "
                                 "date"),
])
def test_a_bad_home_practice_period_is_refused_on_the_form(as_role, db, data, message):
    old = add_organisation(db, "Riverside Surgery", ods_code="Y90001")
    trust = add_organisation(db, "Northvale Hospitals", kind="trust", ods_code="RX1")
    gp = add_person(db, "Dr Asha Patel", home_practice_id=old)
    data = {**data, "practice_id": {"OLD": str(old), "TRUST": str(trust)}.get(
        data["practice_id"], data["practice_id"])}
    response = as_role("secretary").post(f"/people/{gp}/home-practices/new", data=data)
    assert response.status_code == 200 and _shows(response, message)
    assert len(home_practices.periods_of(db, gp)) == 1


def test_a_secretary_ends_the_current_period(as_role, db):
    old = add_organisation(db, "Riverside Surgery", ods_code="Y90001")
    gp = add_person(db, "Dr Asha Patel", home_practice_id=old)
    response = as_role("secretary").post(f"/people/{gp}/left-practice", data={
        "date_to-day": "31", "date_to-month": "3", "date_to-year": "2025"})
    assert response.status_code == 302
    assert [p["date_to"] for p in home_practices.periods_of(db, gp)] == ["2025-03-31"]
    assert db.execute("SELECT home_practice_id FROM people WHERE id = ?", [gp]).fetchone() == \
        (None,)


def test_a_member_cannot_record_a_move(as_role, db):
    old = add_organisation(db, "Riverside Surgery", ods_code="Y90001")
    gp = add_person(db, "Dr Asha Patel", home_practice_id=old)
    response = as_role("member").post(f"/people/{gp}/moved-practice", data={
        "practice_id": str(old), "date_from-day": "1", "date_from-month": "7",
        "date_from-year": "2025"})
    assert response.status_code == 403
    assert len(home_practices.periods_of(db, gp)) == 1


# ---- the people import --------------------------------------------------------------------------

def _import(db, text):
    from register.imports.writers import import_file

    return import_file(db, "people", text.encode(), actor="tester")


def test_a_people_file_moves_a_gp_and_closes_the_old_period_the_day_before(db):
    old, new, gp, before, after_old, after_new = _moved_gp(db)
    email = db["people"].get(gp)["email"]
    plan = _import(db, "name,email,home_practice_ods,home_practice_from\n"
                       f"Dr Asha Patel,{email},Y90002,2025-07-01\n"
                       "Dr Ben Carter,ben@example.nhs.uk,Y90001,01/04/2024\n")
    assert plan.ok, [str(p) for p in plan.problems]
    assert plan.summary(done=True) == ["1 person created", "2 home practice periods created"]
    assert [(p["organisation_id"], p["date_from"], p["date_to"])
            for p in home_practices.periods_of(db, gp)] == [
        (old, None, "2025-06-30"), (new, "2025-07-01", None)]
    ben = next(db["people"].rows_where("email = 'ben@example.nhs.uk'"))
    assert [(p["organisation_id"], p["date_from"]) for p in home_practices.periods_of(
        db, ben["id"])] == [(old, "2024-04-01")]
    # The import refreshed the decisions once, at its end.
    assert "HOME_PRACTICE_PROVIDER" not in rules_for(db, after_old, gp)
    assert "HOME_PRACTICE_PROVIDER" in rules_for(db, after_new, gp)


@pytest.mark.parametrize("row, message", [
    ("Dr Asha Patel,{email},Y90001,2025-07-01",
     "Line 2: home_practice_from: That is already their home practice on that date"),
    ("Dr Asha Patel,{email},Y90002,",
     "Line 2: email {email} is already in the register, for Dr Asha Patel (to record a move"),
    ("Sam Lee,sam@example.nhs.uk,,2025-07-01",
     "Line 2: home_practice_from needs the home_practice_ods"),
    ("Sam Lee,sam@example.nhs.uk,Y90001,2025-02-30", "Line 2: home_practice_from '2025-02-30'"),
])
def test_a_bad_home_practice_row_is_refused_with_its_line(db, row, message):
    old, new, gp, *_ = _moved_gp(db)
    email = db["people"].get(gp)["email"]
    plan = _import(db, "name,email,home_practice_ods,home_practice_from\n"
                       + row.format(email=email) + "\n")
    assert any(str(p).startswith(message.format(email=email)) for p in plan.problems), \
        [str(p) for p in plan.problems]
    assert db.execute("SELECT count(*) FROM home_practices").fetchone() == (1,)
    assert db.execute("SELECT count(*) FROM people").fetchone() == (1,)


def test_a_move_into_a_later_period_is_refused_by_the_import(db):
    old, new, gp, *_ = _moved_gp(db)
    home_practices.move(db, gp, new, D(2025, 7, 1), "test")
    email = db["people"].get(gp)["email"]
    plan = _import(db, "name,email,home_practice_ods,home_practice_from\n"
                       f"Dr Asha Patel,{email},Y90001,2025-05-01\n")
    assert [str(p) for p in plan.problems] == [
        "Line 2: home_practice_from: There is already a home practice period from 1 July 2025 "
        "with no end date: a move on 1 May 2025 would overlap it. Change or remove that period "
        "first"]
    assert len(home_practices.periods_of(db, gp)) == 2


def test_a_period_recorded_by_mistake_is_removed_after_asking(as_role, db):
    old, new, gp, before, after_old, after_new = _moved_gp(db)
    home_practices.move(db, gp, new, D(2025, 7, 1), "test")
    mistaken = home_practices.periods_of(db, gp)[1]["id"]
    client = as_role("secretary")
    ask = client.get(f"/people/{gp}/home-practices/{mistaken}/remove")
    assert _shows(ask, "Only for a period recorded by mistake")
    assert len(home_practices.periods_of(db, gp)) == 2  # asking writes nothing
    assert client.post(f"/people/{gp}/home-practices/{mistaken}/remove").status_code == 302
    assert [p["organisation_id"] for p in home_practices.periods_of(db, gp)] == [old]
    assert "HOME_PRACTICE_PROVIDER" not in rules_for(db, after_new, gp)
    assert client.get(f"/people/{gp}/home-practices/{mistaken}/remove").status_code == 404
    event = db.execute("SELECT action FROM audit_events WHERE entity = 'home_practice'"
                       " ORDER BY seq DESC LIMIT 1").fetchone()
    assert event == ("delete",)


def test_the_person_page_and_list_show_the_practice_they_work_in_today(as_role, db):
    old = add_organisation(db, "Riverside Surgery", ods_code="Y90001")
    new = add_organisation(db, "Hilltop Medical Centre", ods_code="Y90002")
    gp = add_person(db, "Dr Asha Patel", home_practice_id=old)
    # A move recorded ahead of time: today they are still at Riverside.
    home_practices.move(db, gp, new, dt.date.today() + dt.timedelta(days=30), "test")
    client = as_role("secretary")
    page = client.get(f"/people/{gp}").get_data(as_text=True)
    now = page.split("Home practice now", 1)[1].split("</dd>", 1)[0]
    assert "Riverside Surgery" in now and "Hilltop" not in now
    listing = client.get("/people/?q=Asha").get_data(as_text=True)
    assert "Riverside Surgery" in listing and "Hilltop" not in listing
    form = client.get(f"/people/{gp}/edit").get_data(as_text=True)
    assert f'<option selected value="{old}">' in form or f'value="{old}" selected' in form
