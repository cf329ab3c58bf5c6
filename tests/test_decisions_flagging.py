"""Flags gathered from the database, stored, and kept current by the staleness triggers."""
from __future__ import annotations

from register import audit
from register.decisions import flagging

from .conftest import add_committee, add_decision, add_interest, add_organisation, add_person


def setup_practice_decision(db):
    practice = add_organisation(db, "Riverside Surgery", ods_code="Y90001", is_member_practice=1)
    gp = add_person(db, "Dr Asha Patel", home_practice_id=practice)
    lay = add_person(db, "Tom Reed")
    committee = add_committee(db)
    decision = add_decision(db, committee, providers=(practice,),
                            participants=((gp, "voting"), (lay, "voting")))
    return practice, gp, lay, decision


def rules_for(rows, person_id=None):
    return {r["rule"] for r in rows if r["person_id"] == person_id}


def test_flags_are_computed_and_stored(db):
    practice, gp, lay, decision = setup_practice_decision(db)
    rows = flagging.current_flags(db, decision)
    assert "PROVIDER_IS_MEMBER_PRACTICE" in rules_for(rows)
    assert {"HOME_PRACTICE_PROVIDER", "UNDECLARED_PRACTICE_LINK"} <= rules_for(rows, gp)
    assert rules_for(rows, lay) == set()
    stored = db.execute("SELECT flags_stale, conflict_count FROM decisions WHERE id = ?",
                        [decision]).fetchone()
    assert stored == (0, 1)
    gp_flag = next(r for r in rows if r["rule"] == "HOME_PRACTICE_PROVIDER")
    assert "Dr Asha Patel" in gp_flag["sentence"] and "Riverside Surgery" in gp_flag["sentence"]


def test_declaring_an_interest_updates_the_flags(db):
    practice, gp, lay, decision = setup_practice_decision(db)
    flagging.current_flags(db, decision)
    add_interest(db, lay, organisation_id=practice, organisation_name="",
                 date_from="2025-01-01", declared_on="2025-01-05")
    assert db.execute("SELECT flags_stale FROM decisions WHERE id = ?", [decision]).fetchone()[0]
    rows = flagging.current_flags(db, decision)
    assert "DIRECT_INTEREST" in rules_for(rows, lay)


def test_declared_practice_link_clears_the_missing_declaration(db):
    practice, gp, lay, decision = setup_practice_decision(db)
    assert "UNDECLARED_PRACTICE_LINK" in rules_for(flagging.current_flags(db, decision), gp)
    add_interest(db, gp, organisation_id=practice, organisation_name="", nature="Partner",
                 date_from="2020-01-01", declared_on="2020-01-10")
    assert "UNDECLARED_PRACTICE_LINK" not in rules_for(flagging.current_flags(db, decision), gp)


def test_network_link_change_marks_decisions_stale(db):
    network = add_organisation(db, "Northvale PCN", kind="network", ods_code="U90001")
    practice = add_organisation(db, "Hill Surgery", ods_code="Y90002", is_member_practice=1)
    committee = add_committee(db)
    decision = add_decision(db, committee, providers=(network,))
    assert "PROVIDER_OWNED_BY_MEMBERS" not in rules_for(flagging.current_flags(db, decision))
    db["organisation_links"].insert({"member_id": practice, "parent_id": network,
                                     "created_at": "2025-01-01T00:00:00+00:00"})
    assert "PROVIDER_OWNED_BY_MEMBERS" in rules_for(flagging.current_flags(db, decision))


def test_participant_removed_takes_their_flags_away(db):
    practice, gp, lay, decision = setup_practice_decision(db)
    flagging.current_flags(db, decision)
    db.execute("DELETE FROM decision_participants WHERE person_id = ?", [gp])
    assert rules_for(flagging.current_flags(db, decision), gp) == set()


def test_a_change_in_flags_is_audited(db):
    practice, gp, lay, decision = setup_practice_decision(db)
    flagging.current_flags(db, decision)
    events = [e for e in audit.history(db, "decision", decision) if e["action"] == "flags_changed"]
    assert len(events) == 1
    flagging.current_flags(db, decision)  # nothing changed: no new event
    events = [e for e in audit.history(db, "decision", decision) if e["action"] == "flags_changed"]
    assert len(events) == 1
    assert audit.verify(db).ok


def test_ensure_current_recomputes_only_stale_decisions(db):
    practice, gp, lay, decision = setup_practice_decision(db)
    assert flagging.ensure_current(db) == 1
    assert flagging.ensure_current(db) == 0
    db.execute("UPDATE people SET home_practice_id = NULL WHERE id = ?", [gp])
    assert flagging.ensure_current(db) == 1


def test_a_settled_decision_keeps_its_conflicts_as_they_stood(db):
    """Once decided, a decision's conflicts are a record: a home practice changed today or a
    membership removed does not rewrite them; only a late declaration is added afterwards."""
    practice, gp, lay, decision = setup_practice_decision(db)
    network = add_organisation(db, "Northvale PCN", kind="network", ods_code="U90001")
    db["organisation_links"].insert({"member_id": practice, "parent_id": network,
                                     "created_at": "2025-01-01T00:00:00+00:00"})
    db["decision_providers"].insert({"decision_id": decision, "organisation_id": network})
    before = flagging.current_flags(db, decision)
    db.execute("UPDATE decisions SET status = 'published' WHERE id = ?", [decision])
    other = add_organisation(db, "Fernhill Surgery", ods_code="Y90006", is_member_practice=1)
    db.execute("UPDATE people SET home_practice_id = ? WHERE id = ?", [other, gp])
    db.execute("UPDATE people SET home_practice_id = ? WHERE id = ?", [practice, lay])
    db.execute("DELETE FROM organisation_links WHERE member_id = ?", [practice])
    after = flagging.current_flags(db, decision)
    assert [(r["rule"], r["person_id"], r["sentence"]) for r in after] == \
        [(r["rule"], r["person_id"], r["sentence"]) for r in before]
    # An interest held at the meeting (10 March 2026) but declared after it still counts, and
    # its lateness is a breach.
    add_interest(db, lay, organisation_id=practice, organisation_name="", nature="Spouse",
                 date_from="2026-01-01", declared_on="2026-05-01")
    added = flagging.current_flags(db, decision)
    assert {"DIRECT_INTEREST", "LATE_DECLARATION"} <= rules_for(added, lay)
    assert "HOME_PRACTICE_PROVIDER" not in rules_for(added, lay)  # today's home practice
    assert {(r["rule"], r["person_id"]) for r in before} <= {(r["rule"], r["person_id"])
                                                            for r in added}
