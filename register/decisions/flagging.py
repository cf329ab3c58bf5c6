"""Load a decision's facts from the database, run the conflict rules, and keep its flags current.

The rules themselves live in `register.rules.conflicts` (pure). This module only gathers the facts
they need - through indexes, for the decision's own participants and providers - and stores the
result. It is called only by `lifecycle.refresh()`, in the write that changed a decision's facts,
so the stored flags are always current and reading them never writes.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from .. import audit
from ..db import write_transaction
from ..rules import conflicts as rules
from ..rules.dates import iso_date
from ..rules.names import names_matching
from ..timeutil import utcnow_iso

# Many facts share the same few dates: each text is read once.
_date = functools.lru_cache(maxsize=8192)(iso_date)


def _placeholders(values: Iterable[Any]) -> str:
    return ", ".join("?" for _ in values)


# Decisions gathered per round of queries: enough to make a bulk refresh cheap, few enough to stay
# well inside SQLite's limit on parameters.
BATCH = 400


def gather_facts(db: Database, decision_id: int) -> dict[str, Any] | None:
    """Everything the conflict rules need for one decision, or None if there is no such decision."""
    return gather_facts_many(db, [decision_id]).get(decision_id)


def gather_facts_many(db: Database, decision_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Everything the conflict rules need for each of these decisions, by id (missing ones left
    out), read in a few queries per batch rather than a few per decision.

    For each decision: its providers (proposed and awarded), every network or federation link
    below them at any depth (every dated period of each), the links one level above the
    providers and above the practice each participant worked in on the meeting date, the
    participants with their home practice periods and their interests, and the organisations all
    of these name. `dependencies.affected` is the inverse of this definition.
    """
    ids = sorted(set(decision_ids))
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), BATCH):
        found.update(_gather_batch(db, ids[start:start + BATCH]))
    return found


def _gather_batch(db: Database, ids: list[int]) -> dict[int, dict[str, Any]]:
    marks = _placeholders(ids)
    rows = {r[0]: r for r in db.execute(
        "SELECT decisions.id, decisions.meeting_date, decisions.awarded_provider_id,"
        " decisions.offered_to_all_member_practices, committees.common_interest_policy"
        " FROM decisions JOIN committees ON committees.id = decisions.committee_id"
        f" WHERE decisions.id IN ({marks})", ids).fetchall()}
    providers: dict[int, list[int]] = {i: [] for i in rows}
    for decision_id, organisation_id in db.execute(
            "SELECT decision_id, organisation_id FROM decision_providers"
            f" WHERE decision_id IN ({marks}) ORDER BY decision_id, organisation_id", ids):
        providers[decision_id].append(organisation_id)
    for decision_id, row in rows.items():
        if row[2] and row[2] not in providers[decision_id]:
            providers[decision_id].append(row[2])
    # Each participant with their home practice periods (one row per period, in one query).
    taking_part: dict[tuple[int, int], tuple[str, str, tuple[int | None, int | None],
                                             list[rules.Period]]] = {}
    for (decision_id, person_id, role, name, birth_month, birth_year, period_id, home, start,
         end) in db.execute(
            "SELECT decision_participants.decision_id, decision_participants.person_id,"
            " decision_participants.role, people.name, people.birth_month, people.birth_year,"
            " home_practices.id,"
            " home_practices.organisation_id, home_practices.date_from, home_practices.date_to"
            " FROM decision_participants JOIN people ON people.id = decision_participants.person_id"
            " LEFT JOIN home_practices ON home_practices.person_id = people.id"
            f" WHERE decision_participants.decision_id IN ({marks})"
            " ORDER BY decision_participants.decision_id, people.name, people.id,"
            " home_practices.date_from IS NOT NULL, home_practices.date_from, home_practices.id",
            ids):
        found = taking_part.setdefault((decision_id, person_id),
                                       (role, name, (birth_month, birth_year), []))
        if period_id is not None:
            found[3].append(rules.Period(home, _date(start), _date(end), period_id))
    participants: dict[int, list[rules.Participant]] = {i: [] for i in rows}
    for (decision_id, person_id), (role, name, born, periods) in taking_part.items():
        participants[decision_id].append(rules.Participant(
            person_id=person_id, name=name, role_in_decision=role, home_practices=tuple(periods),
            birth_month=born[0], birth_year=born[1]))
    # The practice each participant worked in on the meeting date (or today, with no date).
    anchors = {i: set(providers[i]) | {
        home for p in participants[i]
        if (home := rules.home_practice_on(p, _date(rows[i][1]))) is not None} for i in rows}
    below_of, above_of = _links_around(db, sorted({o for i in rows for o in providers[i]}),
                                       sorted({o for group in anchors.values() for o in group}))
    controllers_of = _controllers(db, sorted({o for i in rows for o in providers[i]}))
    facts: dict[int, dict[str, Any]] = {}
    wanted_orgs: dict[int, set[int]] = {}
    # The organisations an interest can matter through: the providers, everything below them,
    # and the participants' home practices (an interest there is its declaration).
    relevant: dict[int, set[int]] = {}
    for decision_id, row in rows.items():
        # Everything below the providers, at any depth; and one level above every anchor.
        chosen: dict[int, tuple] = {}
        seen, todo = set(providers[decision_id]), list(providers[decision_id])
        while todo:
            for link in below_of.get(todo.pop(), ()):
                chosen[link[0]] = link
                if link[1] not in seen:
                    seen.add(link[1])
                    todo.append(link[1])
        for anchor in anchors[decision_id]:
            for link in above_of.get(anchor, ()):
                chosen[link[0]] = link
        links = [rules.OrgLink(member_id=link[1], parent_id=link[2], date_from=_date(link[3]),
                               date_to=_date(link[4])) for _id, link in sorted(chosen.items())]
        relevant[decision_id] = seen | anchors[decision_id]
        wanted_orgs[decision_id] = (
            set(providers[decision_id]) | {link.member_id for link in links}
            | {link.parent_id for link in links} | anchors[decision_id])
        facts[decision_id] = {
            "decision": rules.DecisionFacts(
                id=decision_id, meeting_date=_date(row[1]),
                proposed_provider_ids=tuple(providers[decision_id]), awarded_provider_id=row[2],
                offered_to_all_member_practices=bool(row[3]), common_interest_policy=row[4]),
            "participants": participants[decision_id], "links": links,
            "controllers": [c for o in providers[decision_id] for c in controllers_of.get(o, ())]}
    organisations = _organisations(db, sorted(set().union(*wanted_orgs.values(), set())))
    interests_of = _interests(db, rows, participants, relevant, organisations)
    for decision_id, wanted in wanted_orgs.items():
        facts[decision_id]["interests"] = interests_of[decision_id]
        facts[decision_id]["organisations"] = {
            org_id: organisations[org_id] for org_id in sorted(wanted) if org_id in organisations}
    return facts


def home_practices_of(db: Database, person_ids: list[int]
                      ) -> dict[int, tuple[rules.Period, ...]]:
    """Each person's home practices through time, earliest first, by person id."""
    found: dict[int, list[rules.Period]] = {}
    for start in range(0, len(person_ids), BATCH):
        chunk = person_ids[start:start + BATCH]
        for r in db.execute(
                "SELECT id, person_id, organisation_id, date_from, date_to FROM home_practices"
                f" WHERE person_id IN ({_placeholders(chunk)})"
                " ORDER BY person_id, date_from IS NOT NULL, date_from, id", chunk):
            found.setdefault(r[1], []).append(rules.Period(
                organisation_id=r[2], date_from=_date(r[3]), date_to=_date(r[4]), id=r[0]))
    return {person_id: tuple(periods) for person_id, periods in found.items()}


_INTEREST_COLUMNS = ("SELECT id, person_id, organisation_id, organisation_name, interest_type,"
                     " is_indirect, associate_relationship, nature, date_from, date_to,"
                     " declared_on, withdrawn FROM interests")


# Each (person, organisation) pair that can matter, looked up through the (person, organisation)
# index: the cost follows the decisions' people and organisations, not how many other interests
# those people hold. A pair travels as one whole number (the person's id above 32 bits, the
# organisation's below): SQLite reads a list of numbers far faster than a list of pairs.
_PAIR_BITS = 32
_PAIRS_TAIL = (
    " interests.id, interests.person_id, interests.organisation_id,"
    " interests.organisation_name, interests.interest_type, interests.is_indirect,"
    " interests.associate_relationship, interests.nature, interests.date_from,"
    " interests.date_to, interests.declared_on, interests.withdrawn")
_PAIRS_SQL = (
    "SELECT" + _PAIRS_TAIL + " FROM json_each(?) AS pairs JOIN interests"
    f" ON interests.person_id = (pairs.value >> {_PAIR_BITS})"
    f" AND interests.organisation_id = (pairs.value & {(1 << _PAIR_BITS) - 1})"
    " WHERE interests.withdrawn = 0"
    # One that began after every meeting in hand cannot have been held at any of them.
    " AND (interests.date_from IS NULL OR interests.date_from <= ?)")
# Ids too large to share one number (never in practice) travel as pairs.
_WIDE_PAIRS_SQL = (
    "WITH pairs(person_id, organisation_id) AS (SELECT json_extract(value, '$[0]'),"
    " json_extract(value, '$[1]') FROM json_each(?))"
    " SELECT" + _PAIRS_TAIL + " FROM pairs JOIN interests"
    " ON interests.person_id = pairs.person_id"
    " AND interests.organisation_id = pairs.organisation_id WHERE interests.withdrawn = 0"
    " AND (interests.date_from IS NULL OR interests.date_from <= ?)")


def _pairs_query(orgs_of: dict[int, set[int]], people: list[int]) -> tuple[str, str]:
    """The query and its list of each person's (person, organisation) pairs, as numbers where
    the ids fit (people sorted)."""
    top = max((max(orgs) for person in people if (orgs := orgs_of.get(person))), default=0)
    if people and people[-1] < 1 << (63 - _PAIR_BITS) and top < 1 << _PAIR_BITS:
        return _PAIRS_SQL, json.dumps([person << _PAIR_BITS | org for person in people
                                       for org in orgs_of.get(person, ())])
    return _WIDE_PAIRS_SQL, json.dumps([(person, org) for person in people
                                        for org in orgs_of.get(person, ())])


def _interest(r: tuple) -> rules.Interest:
    return rules.Interest(
        id=r[0], person_id=r[1], organisation_id=r[2], organisation_name=r[3],
        interest_type=r[4], is_indirect=bool(r[5]), associate_relationship=r[6], nature=r[7],
        date_from=_date(r[8]), date_to=_date(r[9]), declared_on=_date(r[10]),
        withdrawn=bool(r[11]))


def _interests(db: Database, rows: dict[int, tuple],
               participants: dict[int, list[rules.Participant]], relevant: dict[int, set[int]],
               organisations: dict[int, rules.Organisation]) -> dict[int, list[rules.Interest]]:
    """Each decision's participants' interests that the rules can flag: those in an organisation
    it may benefit (or a home practice), and free-text ones whose name may be one of them. An
    interest in any other organisation can give no flag, so it is not read at all; this keeps
    the cost of a decision independent of how many interests each person holds elsewhere."""
    people_of = {i: {p.person_id for p in participants[i]} for i in rows}
    latest = max((row[1] for row in rows.values()), default="")
    person_ids = sorted(set().union(*people_of.values(), set()))
    linked_of: dict[int, list[tuple]] = {}
    free_of: dict[int, list[tuple[int, str]]] = {}
    # The organisations each person's interests can matter through, over all these decisions.
    orgs_of: dict[int, set[int]] = {}
    for decision_id in rows:
        for person_id in people_of[decision_id]:
            orgs_of.setdefault(person_id, set()).update(relevant[decision_id])
    for start in range(0, len(person_ids), BATCH):
        chunk = person_ids[start:start + BATCH]
        marks = _placeholders(chunk)
        # Plain tuples, only the columns the rules read, through the (person, organisation)
        # index: this runs for every decision a write touches, so it stays cheap.
        sql, wanted = _pairs_query(orgs_of, chunk)
        for r in db.execute(sql, [wanted, latest]):
            linked_of.setdefault(r[1], []).append(r)
        # Free text through its own partial index, which holds the name: no table reads, and
        # only the free-text entries (the planner would otherwise pick the wider index above).
        for interest_id, person_id, name in db.execute(
                "SELECT id, person_id, organisation_name FROM interests"
                " INDEXED BY interests_person_free_text"
                f" WHERE person_id IN ({marks}) AND organisation_id IS NULL AND withdrawn = 0"
                " AND organisation_name != ''", chunk):
            free_of.setdefault(person_id, []).append((interest_id, name))
    kept_free: set[int] = set()
    for decision_id in rows:
        people = {p.person_id for p in participants[decision_id]}
        typed = [item for person_id in people for item in free_of.get(person_id, ())]
        if not typed:
            continue
        targets = [organisations[o].name for o in relevant[decision_id] if o in organisations]
        kept_free |= {typed[i][0] for i in names_matching([name for _id, name in typed],
                                                          targets)}
    free_rows: dict[int, tuple] = {}
    ids = sorted(kept_free)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        for r in db.execute(_INTEREST_COLUMNS + f" WHERE id IN ({_placeholders(chunk)})", chunk):
            free_rows[r[0]] = r
    found: dict[int, list[rules.Interest]] = {}
    for decision_id in rows:
        chosen: list[tuple] = []
        for person_id in sorted({p.person_id for p in participants[decision_id]}):
            mine = [r for r in linked_of.get(person_id, ()) if r[2] in relevant[decision_id]]
            mine += [free_rows[i] for i, _name in free_of.get(person_id, ()) if i in free_rows]
            chosen += sorted(mine, key=lambda r: r[0])
        found[decision_id] = [_interest(r) for r in chosen]
    return found


def _links_around(db: Database, providers: list[int], anchors: list[int]
                  ) -> tuple[dict[int, list[tuple]], dict[int, list[tuple]]]:
    """The links below these providers at any depth, by parent; the links one level above these
    anchors, by member. Each link is (id, member_id, parent_id, date_from, date_to)."""
    below_of: dict[int, list[tuple]] = {}
    above_of: dict[int, list[tuple]] = {}
    if providers:
        for link in db.execute(
                """
                WITH RECURSIVE below(id) AS (
                    SELECT value FROM json_each(?)
                    UNION SELECT organisation_links.member_id FROM organisation_links
                        JOIN below ON organisation_links.parent_id = below.id
                )
                SELECT id, member_id, parent_id, date_from, date_to FROM organisation_links
                WHERE parent_id IN (SELECT id FROM below) ORDER BY id
                """, [json.dumps(providers)]):
            below_of.setdefault(link[2], []).append(link)
    for start in range(0, len(anchors), BATCH):
        chunk = anchors[start:start + BATCH]
        for link in db.execute(
                "SELECT id, member_id, parent_id, date_from, date_to FROM organisation_links"
                f" WHERE member_id IN ({_placeholders(chunk)}) ORDER BY id", chunk):
            above_of.setdefault(link[1], []).append(link)
    return below_of, above_of


def _controllers(db: Database, providers: list[int]) -> dict[int, list[rules.Controller]]:
    """The individual persons with significant control of these providers (Companies House)."""
    found: dict[int, list[rules.Controller]] = {}
    for start in range(0, len(providers), BATCH):
        chunk = providers[start:start + BATCH]
        for r in db.execute(
                "SELECT id, organisation_id, name, forename, middle_name, surname, birth_month,"
                " birth_year, natures_of_control, notified_on, ceased_on FROM company_pscs"
                f" WHERE organisation_id IN ({_placeholders(chunk)}) ORDER BY id", chunk):
            found.setdefault(r[1], []).append(rules.Controller(
                id=r[0], organisation_id=r[1], name=r[2], forename=r[3], middle_name=r[4],
                surname=r[5], birth_month=r[6], birth_year=r[7],
                natures_of_control=tuple(json.loads(r[8])), notified_on=_date(r[9]),
                ceased_on=_date(r[10])))
    return found


def _organisations(db: Database, ids: list[int]) -> dict[int, rules.Organisation]:
    found: dict[int, rules.Organisation] = {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        for r in db.execute(
                "SELECT id, name, kind, ods_code, is_member_practice FROM organisations"
                f" WHERE id IN ({_placeholders(chunk)})", chunk):
            found[r[0]] = rules.Organisation(id=r[0], name=r[1], kind=r[2], ods_code=r[3],
                                             is_member_practice=bool(r[4]))
    return found


def flags_from(facts: dict[str, Any] | None) -> list[rules.Flag]:
    """The flags the rules find in one decision's gathered facts (none for no decision)."""
    if facts is None:
        return []
    return rules.conflicts_for(facts["decision"], facts["participants"], facts["organisations"],
                               facts["links"], facts["interests"],
                               facts.get("controllers", ()))


def compute_flags(db: Database, decision_id: int) -> list[rules.Flag]:
    """The decision's flags as the rules see them now (nothing is stored)."""
    return flags_from(gather_facts(db, decision_id))


def _flag_key(flag: dict[str, Any]) -> tuple[str, ...]:
    return (flag["rule"], str(flag["person_id"]), str(flag["organisation_id"]), flag["evidence"],
            flag["sentence"])


# A decided, published or withdrawn decision is a settled record: no conflict it was settled with
# is taken away, whatever is edited later, and nothing is added from home practices or
# memberships (dated, but their periods are often recorded or corrected long after the meeting,
# and the record keeps what the committee was shown). What an interest shows is still added:
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


def recompute(db: Database, decision_id: int, *, actor: str = "system",
              gathered: dict[int, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Recompute and store one decision's flags; an audit event records any change in them.
    `gathered` is `gather_facts_many` over a batch this decision belongs to, if read already."""
    return recompute_many(db, [decision_id], actor=actor, gathered=gathered)[decision_id]


_OLD_FLAGS_SQL = ("SELECT decision_id, rule, severity, person_id, organisation_id, evidence,"
                  " sentence FROM decision_flags WHERE decision_id IN (SELECT value FROM"
                  " json_each(?)) ORDER BY decision_id, position")
_FLAG_COLUMNS = ("rule", "severity", "person_id", "organisation_id", "evidence", "sentence")


def recompute_many(db: Database, decision_ids: Iterable[int], *, actor: str = "system",
                   gathered: dict[int, dict[str, Any]] | None = None
                   ) -> dict[int, list[dict[str, Any]]]:
    """Recompute and store the flags of these decisions, by id; an audit event records each
    change. The stored flags and counts are read in one query each, and only the decisions whose
    flags or counts changed are written (together). `gathered` is `gather_facts_many` over
    these decisions, if read already."""
    ids = sorted(set(decision_ids))
    if gathered is None:
        gathered = gather_facts_many(db, ids)
    result: dict[int, list[dict[str, Any]]] = {}
    with write_transaction(db):
        old_of: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        for row in db.execute(_OLD_FLAGS_SQL, [json.dumps(ids)]):
            old_of[row[0]].append(dict(zip(_FLAG_COLUMNS, row[1:], strict=True)))
        state_of = {row[0]: row[1:] for row in db.execute(
            "SELECT id, status, flags_computed_at, flag_count, conflict_count FROM decisions"
            " WHERE id IN (SELECT value FROM json_each(?))", [json.dumps(ids)])}
        replaced: list[int] = []
        inserted: list[dict[str, Any]] = []
        events: list[audit.Pending] = []
        counted: list[list[Any]] = []
        now = utcnow_iso()
        for decision_id in ids:
            flags = flags_from(gathered.get(decision_id))
            new_rows = [{
                "decision_id": decision_id, "rule": f.rule, "severity": f.severity,
                "person_id": f.person_id, "organisation_id": f.organisation_id,
                "evidence": audit.canonical(f.evidence), "sentence": f.sentence,
                "position": index,
            } for index, f in enumerate(flags)]
            old_rows = old_of[decision_id]
            state = state_of.get(decision_id)
            if state is not None and state[0] in SETTLED_STATUSES and state[1]:
                new_rows = _settled_rows(old_rows, new_rows, decision_id)
                flags = [_as_flag(r) for r in new_rows]
            result[decision_id] = new_rows
            before = sorted(_flag_key(r) for r in old_rows)
            after = sorted(_flag_key(r) for r in new_rows)
            if before != after:
                replaced.append(decision_id)
                inserted += new_rows
                events.append(audit.Pending(
                    actor=actor, action="flags_changed", entity="decision",
                    entity_id=decision_id, changes={
                        "flags": [[r["rule"] + ":" + str(r["person_id"] or "")
                                   for r in old_rows],
                                  [r["rule"] + ":" + str(r["person_id"] or "")
                                   for r in new_rows]]}))
            conflicted = rules.conflicted_people(flags)
            counts = [sum(1 for f in flags if f.severity != "context")
                      if rules.decision_is_flagged(flags) else 0, len(conflicted)]
            if state is None or state[1] is None or before != after or list(state[2:]) != counts:
                counted.append([*counts, now, decision_id])
        if replaced:
            db.conn.executemany("DELETE FROM decision_flags WHERE decision_id = ?",
                                [[i] for i in replaced])
            columns = ("decision_id", "rule", "severity", "person_id", "organisation_id",
                       "evidence", "sentence", "position")
            db.conn.executemany(
                f"INSERT INTO decision_flags ({', '.join(columns)})"
                f" VALUES ({', '.join('?' for _ in columns)})",
                [[r[c] for c in columns] for r in inserted])
            audit.record_many(db, events)
        if counted:
            db.conn.executemany(
                "UPDATE decisions SET flag_count = ?, conflict_count = ?, flags_computed_at = ?"
                " WHERE id = ?", counted)
    return result


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
