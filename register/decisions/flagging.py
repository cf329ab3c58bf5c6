"""Load a decision's facts from the database, run the conflict rules, and keep its flags current.

The rules themselves live in `register.rules.conflicts` (pure). This module only gathers the facts
they need - through indexes, for the decision's own participants and providers - and stores the
result. It is called only by `lifecycle.refresh()`, in the write that changed a decision's facts,
so the stored flags are always current and reading them never writes.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from .. import audit
from ..db import write_transaction
from ..rules import conflicts as rules
from ..timeutil import utcnow_iso


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _placeholders(values: Iterable[Any]) -> str:
    return ", ".join("?" for _ in values)


def gather_facts(db: Database, decision_id: int) -> dict[str, Any] | None:
    """Everything the conflict rules need for one decision, or None if there is no such decision."""
    row = next(iter(db.query(
        "SELECT decisions.*, committees.common_interest_policy FROM decisions "
        "JOIN committees ON committees.id = decisions.committee_id WHERE decisions.id = ?",
        [decision_id])), None)
    if row is None:
        return None
    provider_ids = [r["organisation_id"] for r in db.query(
        "SELECT organisation_id FROM decision_providers WHERE decision_id = ? "
        "ORDER BY organisation_id", [decision_id])]
    if row["awarded_provider_id"] and row["awarded_provider_id"] not in provider_ids:
        provider_ids.append(row["awarded_provider_id"])
    participants = [
        rules.Participant(person_id=r["person_id"], name=r["name"], role_in_decision=r["role"],
                          home_practice_id=r["home_practice_id"])
        for r in db.query(
            "SELECT decision_participants.person_id, decision_participants.role, people.name, "
            "people.home_practice_id FROM decision_participants "
            "JOIN people ON people.id = decision_participants.person_id "
            "WHERE decision_participants.decision_id = ? ORDER BY people.name", [decision_id])
    ]
    person_ids = [p.person_id for p in participants]
    interests = []
    if person_ids:
        # Plain tuples, only the columns the rules read: this runs for every decision a write
        # touches, so it stays cheap.
        interests = [
            rules.Interest(
                id=r[0], person_id=r[1], organisation_id=r[2], organisation_name=r[3],
                interest_type=r[4], is_indirect=bool(r[5]), associate_relationship=r[6],
                nature=r[7], date_from=_date(r[8]), date_to=_date(r[9]),
                declared_on=_date(r[10]), withdrawn=bool(r[11]))
            for r in db.execute(
                "SELECT id, person_id, organisation_id, organisation_name, interest_type,"
                " is_indirect, associate_relationship, nature, date_from, date_to, declared_on,"
                f" withdrawn FROM interests WHERE person_id IN ({_placeholders(person_ids)})",
                person_ids).fetchall()
        ]
    # Links: everything below the providers (networks in federations, practices in networks),
    # and one level above the providers and the participants' home practices.
    anchors = sorted(set(provider_ids) | {p.home_practice_id for p in participants
                                          if p.home_practice_id})
    links = []
    if anchors:
        link_rows = db.query(
            f"""
            WITH RECURSIVE below(id) AS (
                SELECT value FROM json_each(?)
                UNION SELECT organisation_links.member_id FROM organisation_links
                    JOIN below ON organisation_links.parent_id = below.id
            )
            SELECT * FROM organisation_links WHERE parent_id IN (SELECT id FROM below)
            UNION
            SELECT * FROM organisation_links WHERE member_id IN ({_placeholders(anchors)})
            """,
            [json.dumps(provider_ids), *anchors],
        )
        links = [rules.OrgLink(member_id=r["member_id"], parent_id=r["parent_id"],
                               date_from=_date(r["date_from"]), date_to=_date(r["date_to"]))
                 for r in link_rows]
    org_ids = (set(provider_ids) | {link.member_id for link in links}
               | {link.parent_id for link in links}
               | {p.home_practice_id for p in participants if p.home_practice_id}
               | {i.organisation_id for i in interests if i.organisation_id})
    organisations = {}
    if org_ids:
        ids = sorted(org_ids)
        for r in db.query(
                f"SELECT id, name, kind, ods_code, is_member_practice FROM organisations "
                f"WHERE id IN ({_placeholders(ids)})", ids):
            organisations[r["id"]] = rules.Organisation(
                id=r["id"], name=r["name"], kind=r["kind"], ods_code=r["ods_code"],
                is_member_practice=bool(r["is_member_practice"]))
    facts = rules.DecisionFacts(
        id=decision_id, meeting_date=_date(row["meeting_date"]),
        proposed_provider_ids=tuple(provider_ids),
        awarded_provider_id=row["awarded_provider_id"],
        offered_to_all_member_practices=bool(row["offered_to_all_member_practices"]),
        common_interest_policy=row["common_interest_policy"])
    return {"decision": facts, "participants": participants, "organisations": organisations,
            "links": links, "interests": interests}


def compute_flags(db: Database, decision_id: int) -> list[rules.Flag]:
    """The decision's flags as the rules see them now (nothing is stored)."""
    facts = gather_facts(db, decision_id)
    if facts is None:
        return []
    return rules.conflicts_for(facts["decision"], facts["participants"], facts["organisations"],
                               facts["links"], facts["interests"])


def _flag_key(flag: dict[str, Any]) -> tuple[str, ...]:
    return (flag["rule"], str(flag["person_id"]), str(flag["organisation_id"]), flag["evidence"],
            flag["sentence"])


# A decided, published or withdrawn decision is a settled record: no conflict it was settled with
# is taken away, whatever is edited later, and nothing is added from facts the register keeps
# without dates (a person's home practice as it is today). What an interest shows is still added:
# interests are dated, so one held at the meeting but declared after it still counts, and its
# lateness is a breach.
SETTLED_STATUSES = ("decided", "published", "withdrawn")
ADDED_WHEN_SETTLED = ("DIRECT_INTEREST", "INDIRECT_INTEREST", "INTEREST_IN_MEMBER_OF_PROVIDER",
                      "POSSIBLE_NAME_MATCH", "LATE_DECLARATION", "ENDED_INTEREST")


def _settled_rows(old_rows: list[dict[str, Any]], new_rows: list[dict[str, Any]],
                  decision_id: int) -> list[dict[str, Any]]:
    """The flags of a settled decision: the new computation's order, keeping every old flag and
    adding only interest flags; old flags the computation no longer finds go last."""
    known = {_flag_key(r) for r in old_rows}
    found = {_flag_key(r) for r in new_rows}
    merged = [r for r in new_rows
              if _flag_key(r) in known or r["rule"] in ADDED_WHEN_SETTLED]
    merged += [{"decision_id": decision_id, **r} for r in old_rows if _flag_key(r) not in found]
    return [{**r, "position": index} for index, r in enumerate(merged)]


def _as_flag(row: dict[str, Any]) -> rules.Flag:
    return rules.Flag(row["rule"], row["person_id"], row["organisation_id"],
                      json.loads(row["evidence"]), row["sentence"], row["severity"])


def recompute(db: Database, decision_id: int, *, actor: str = "system") -> list[dict[str, Any]]:
    """Recompute and store one decision's flags; an audit event records any change in them."""
    with write_transaction(db):
        flags = compute_flags(db, decision_id)
        new_rows = [{
            "decision_id": decision_id, "rule": f.rule, "severity": f.severity,
            "person_id": f.person_id, "organisation_id": f.organisation_id,
            "evidence": audit.canonical(f.evidence), "sentence": f.sentence, "position": index,
        } for index, f in enumerate(flags)]
        old_rows = list(db.query(
            "SELECT rule, severity, person_id, organisation_id, evidence, sentence "
            "FROM decision_flags WHERE decision_id = ? ORDER BY position", [decision_id]))
        state = db.execute("SELECT status, flags_computed_at FROM decisions WHERE id = ?",
                           [decision_id]).fetchone()
        if state is not None and state[0] in SETTLED_STATUSES and state[1]:
            new_rows = _settled_rows(old_rows, new_rows, decision_id)
            flags = [_as_flag(r) for r in new_rows]
        before = sorted(_flag_key(r) for r in old_rows)
        after = sorted(_flag_key(r) for r in new_rows)
        if before != after:
            db.execute("DELETE FROM decision_flags WHERE decision_id = ?", [decision_id])
            if new_rows:
                db["decision_flags"].insert_all(new_rows)
            audit.record(db, actor=actor, action="flags_changed", entity="decision",
                         entity_id=decision_id, changes={
                             "flags": [[r["rule"] + ":" + str(r["person_id"] or "")
                                        for r in old_rows],
                                       [r["rule"] + ":" + str(r["person_id"] or "")
                                        for r in new_rows]]})
        conflicted = rules.conflicted_people(flags)
        counts = [sum(1 for f in flags if f.severity != "context")
                  if rules.decision_is_flagged(flags) else 0, len(conflicted)]
        if state is None or state[1] is None or before != after or \
                list(db.execute("SELECT flag_count, conflict_count FROM decisions WHERE id = ?",
                                [decision_id]).fetchone()) != counts:
            db.execute(
                "UPDATE decisions SET flag_count = ?, conflict_count = ?, flags_computed_at = ?"
                " WHERE id = ?", [*counts, utcnow_iso(), decision_id])
    return new_rows


# A possible name match with the governance lead's answer (confirmed or dismissed), if any.
MATCH_JOIN = (
    " LEFT JOIN match_resolutions ON decision_flags.severity = 'possible'"
    " AND match_resolutions.decision_id = decision_flags.decision_id"
    " AND match_resolutions.person_id = decision_flags.person_id"
    " AND match_resolutions.interest_id = json_extract(decision_flags.evidence, '$.interest_id')")


def current_flags(db: Database, decision_id: int) -> list[dict[str, Any]]:
    """The decision's flags as stored (kept current by every write that changes their facts)."""
    rows = list(db.query(
        "SELECT decision_flags.*, people.name AS person_name, organisations.name AS "
        "organisation_name, organisations.ods_code, match_resolutions.outcome AS match_outcome,"
        " match_resolutions.reason AS match_reason FROM decision_flags "
        "LEFT JOIN people ON people.id = decision_flags.person_id "
        "LEFT JOIN organisations ON organisations.id = decision_flags.organisation_id"
        + MATCH_JOIN +
        " WHERE decision_flags.decision_id = ? ORDER BY position", [decision_id]))
    for row in rows:
        row["evidence"] = json.loads(row["evidence"])
        row["rule_label"] = rules.RULES.get(row["rule"], row["rule"])
    return rows
