"""Flags gathered from the database, stored, and kept current by the writes that change them."""
from __future__ import annotations

from register import audit
from register.decisions import dependencies, flagging, lifecycle
from register.organisations import queries as organisation_queries
from register.people import queries as people_queries

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
    stored = db.execute("SELECT conflict_count FROM decisions WHERE id = ?",
                        [decision]).fetchone()
    assert stored == (1,)
    gp_flag = next(r for r in rows if r["rule"] == "HOME_PRACTICE_PROVIDER")
    assert "Dr Asha Patel" in gp_flag["sentence"] and "Riverside Surgery" in gp_flag["sentence"]


def test_declaring_an_interest_updates_the_flags(db):
    practice, gp, lay, decision = setup_practice_decision(db)
    flagging.current_flags(db, decision)
    add_interest(db, lay, organisation_id=practice, organisation_name="",
                 date_from="2025-01-01", declared_on="2025-01-05")
    rows = flagging.current_flags(db, decision)
    assert "DIRECT_INTEREST" in rules_for(rows, lay)


def test_declared_practice_link_clears_the_missing_declaration(db):
    practice, gp, lay, decision = setup_practice_decision(db)
    assert "UNDECLARED_PRACTICE_LINK" in rules_for(flagging.current_flags(db, decision), gp)
    add_interest(db, gp, organisation_id=practice, organisation_name="", nature="Partner",
                 date_from="2020-01-01", declared_on="2020-01-10")
    assert "UNDECLARED_PRACTICE_LINK" not in rules_for(flagging.current_flags(db, decision), gp)


def test_a_network_link_updates_the_flags_when_it_is_saved(db):
    network = add_organisation(db, "Northvale PCN", kind="network", ods_code="U90001")
    practice = add_organisation(db, "Hill Surgery", ods_code="Y90002", is_member_practice=1)
    committee = add_committee(db)
    decision = add_decision(db, committee, providers=(network,))
    assert "PROVIDER_OWNED_BY_MEMBERS" not in rules_for(flagging.current_flags(db, decision))
    organisation_queries.add_link(db, network, practice, None, None, "test")
    assert "PROVIDER_OWNED_BY_MEMBERS" in rules_for(flagging.current_flags(db, decision))


def test_a_practice_joining_a_network_inside_a_provider_federation_flags_at_once(db):
    """The nested case: the federation is the provider, the network belongs to it, and a member
    practice joins the network. The flag is stored by the write that added the membership."""
    federation = add_organisation(db, "Valley GP Federation", kind="federation")
    network = add_organisation(db, "Northvale PCN", kind="network", ods_code="U90001")
    practice = add_organisation(db, "Hill Surgery", ods_code="Y90002", is_member_practice=1)
    organisation_queries.add_link(db, federation, network, None, None, "test")
    gp = add_person(db, "Dr Ravi Shah", home_practice_id=practice)
    committee = add_committee(db)
    decision = add_decision(db, committee, providers=(federation,),
                            participants=((gp, "voting"),))
    assert rules_for(flagging.current_flags(db, decision), gp) == set()
    organisation_queries.add_link(db, network, practice, None, None, "test")
    stored = flagging.current_flags(db, decision)
    assert "PROVIDER_OWNED_BY_MEMBERS" in rules_for(stored)
    assert rules_for(stored, gp), "the GP's practice is now inside the provider federation"
    assert stored == flagging.current_flags(db, decision)
    assert {f.rule for f in flagging.compute_flags(db, decision)} == {r["rule"] for r in stored}
    # And taking the practice out again takes the flags away, in the same write.
    link = db.execute("SELECT id FROM organisation_links WHERE member_id = ?",
                      [practice]).fetchone()[0]
    organisation_queries.remove_link(db, link, "test")
    assert rules_for(flagging.current_flags(db, decision), gp) == set()


def test_reading_flags_never_writes(db):
    practice, gp, lay, decision = setup_practice_decision(db)
    changes = db.conn.total_changes
    flagging.current_flags(db, decision)
    flagging.current_flags(db, decision)
    assert db.conn.total_changes == changes


def test_a_home_practice_change_updates_the_flags_when_it_is_saved(db):
    practice, gp, lay, decision = setup_practice_decision(db)
    assert "HOME_PRACTICE_PROVIDER" not in rules_for(flagging.current_flags(db, decision), lay)
    version = db.execute("SELECT version FROM people WHERE id = ?", [lay]).fetchone()[0]
    person = dict(db["people"].get(lay))
    assert people_queries.update_person(db, lay, version, {**person,
                                                           "home_practice_id": practice}, "test")
    assert "HOME_PRACTICE_PROVIDER" in rules_for(flagging.current_flags(db, decision), lay)


def test_participant_removed_takes_their_flags_away(db):
    practice, gp, lay, decision = setup_practice_decision(db)
    flagging.current_flags(db, decision)
    db.execute("DELETE FROM decision_participants WHERE person_id = ?", [gp])
    lifecycle.refresh(db, dependencies.affected(db, decisions=[decision]))
    assert rules_for(flagging.current_flags(db, decision), gp) == set()


def test_a_change_in_flags_is_audited(db):
    practice, gp, lay, decision = setup_practice_decision(db)
    flagging.current_flags(db, decision)
    events = [e for e in audit.history(db, "decision", decision) if e["action"] == "flags_changed"]
    assert len(events) == 1
    lifecycle.refresh(db, [decision])  # nothing changed: no new event
    events = [e for e in audit.history(db, "decision", decision) if e["action"] == "flags_changed"]
    assert len(events) == 1
    assert audit.verify(db).ok


def test_a_settled_decision_keeps_its_conflicts_as_they_stood(db):
    """Once decided, a decision's conflicts are a record: a home practice changed today or a
    membership removed does not rewrite them; only a late declaration is added afterwards."""
    practice, gp, lay, decision = setup_practice_decision(db)
    network = add_organisation(db, "Northvale PCN", kind="network", ods_code="U90001")
    organisation_queries.add_link(db, network, practice, None, None, "test")
    db["decision_providers"].insert({"decision_id": decision, "organisation_id": network})
    lifecycle.refresh(db, [decision])
    before = flagging.current_flags(db, decision)
    db.execute("UPDATE decisions SET status = 'published' WHERE id = ?", [decision])
    other = add_organisation(db, "Fernhill Surgery", ods_code="Y90006", is_member_practice=1)
    db.execute("UPDATE home_practices SET organisation_id = ? WHERE person_id = ?", [other, gp])
    db["home_practices"].insert({"person_id": lay, "organisation_id": practice,
                                 "created_at": "2026-01-01T00:00:00Z"})
    db.execute("DELETE FROM organisation_links WHERE member_id = ?", [practice])
    lifecycle.refresh(db, dependencies.affected(db, people=[gp, lay],
                                                organisations=[practice, network]))
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


def test_a_practice_joining_a_group_three_levels_below_the_provider_flags_at_once(db):
    """Memberships count at any depth: a practice joins a sub-network of a network that belongs
    to the provider federation."""
    federation = add_organisation(db, "Valley GP Federation", kind="federation")
    network = add_organisation(db, "Northvale PCN", kind="network", ods_code="U90001")
    cluster = add_organisation(db, "Northvale East cluster", kind="network", ods_code="U90002")
    practice = add_organisation(db, "Hill Surgery", ods_code="Y90002", is_member_practice=1)
    organisation_queries.add_link(db, federation, network, None, None, "test")
    organisation_queries.add_link(db, network, cluster, None, None, "test")
    committee = add_committee(db)
    decision = add_decision(db, committee, providers=(federation,))
    assert "PROVIDER_OWNED_BY_MEMBERS" not in rules_for(flagging.current_flags(db, decision))
    organisation_queries.add_link(db, cluster, practice, None, None, "test")
    assert "PROVIDER_OWNED_BY_MEMBERS" in rules_for(flagging.current_flags(db, decision))


def test_interests_are_found_whatever_the_size_of_the_ids(db):
    """The interests read for a decision travel as (person, organisation) numbers where the ids
    fit and as pairs where they do not; both find the same interest."""
    small = add_organisation(db, "Riverside Surgery", ods_code="Y90001", is_member_practice=1)
    large = add_organisation(db, "Hill Surgery", ods_code="Y90002", is_member_practice=1,
                             id=2**40)
    committee = add_committee(db)
    for provider in (small, large):
        lay = add_person(db, f"Tom Reed {provider}", email=f"tom.{provider}@example.nhs.uk")
        decision = add_decision(db, committee, providers=(provider,),
                                participants=((lay, "voting"),))
        assert rules_for(flagging.current_flags(db, decision), lay) == set()
        add_interest(db, lay, organisation_id=provider, organisation_name="",
                     date_from="2025-01-01", declared_on="2025-01-05")
        assert rules_for(flagging.current_flags(db, decision), lay) == {"DIRECT_INTEREST"}
        sql, _numbers = flagging._pairs_query({lay: {provider}}, [lay])
        assert sql == (flagging._PAIRS_SQL if provider == small else flagging._WIDE_PAIRS_SQL)
