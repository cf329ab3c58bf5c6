"""Which decisions a change touches: one query, at any depth.

A decision's conflict flags are computed from facts gathered by `flagging.gather_facts`: its
providers (proposed and awarded) and every organisation below them through network and federation
memberships, at any depth; one level above the providers and above the participants' home
practices; the participants, their home practices, their declared interests and their month and
year of birth; the persons with significant control of the providers (Companies House); and the
committee's policy for common interests. This module answers the inverse question for a write:
given the people, organisations, links, committees or decisions it changed, which decisions'
facts may have changed. Every write that can change a decision's facts asks it and passes the
answer to `lifecycle.refresh()` in the same transaction.

`tests/test_decisions_dependencies.py` checks the two definitions against each other: after each
kind of change, every decision whose computed flags changed is among those named here.
"""
from __future__ import annotations

import json
from collections.abc import Iterable

from sqlite_utils import Database

_AFFECTED_SQL = """
WITH RECURSIVE
changed(id) AS (SELECT value FROM json_each(:organisations)),
-- the changed organisations and everything above them: a provider there has them below it
above(id) AS (
    SELECT id FROM changed
    UNION SELECT organisation_links.parent_id FROM organisation_links
        JOIN above ON organisation_links.member_id = above.id
),
-- one level below the changed organisations: a provider or home practice there has them above it
just_below(id) AS (
    SELECT member_id FROM organisation_links WHERE parent_id IN (SELECT id FROM changed)
)
SELECT decision_id FROM decision_providers
    WHERE organisation_id IN (SELECT id FROM above UNION SELECT id FROM just_below)
UNION SELECT id FROM decisions
    WHERE awarded_provider_id IN (SELECT id FROM above UNION SELECT id FROM just_below)
UNION SELECT decision_participants.decision_id FROM decision_participants
    JOIN home_practices ON home_practices.person_id = decision_participants.person_id
    WHERE home_practices.organisation_id IN (SELECT id FROM changed UNION SELECT id FROM just_below)
UNION SELECT decision_participants.decision_id FROM decision_participants
    JOIN interests ON interests.person_id = decision_participants.person_id
    WHERE interests.organisation_id IN (SELECT id FROM changed)
UNION SELECT decision_id FROM decision_participants
    WHERE person_id IN (SELECT value FROM json_each(:people))
UNION SELECT id FROM decisions WHERE committee_id IN (SELECT value FROM json_each(:committees))
UNION SELECT value FROM json_each(:decisions)
"""


def affected(db: Database, *, people: Iterable[int | None] = (),
             organisations: Iterable[int | None] = (), committees: Iterable[int | None] = (),
             decisions: Iterable[int | None] = ()) -> set[int]:
    """The ids of the decisions whose facts may change when these records change.

    Pass both ends of a network or federation membership that was added, changed or removed as
    `organisations`; a company whose persons with significant control changed as
    `organisations` (decisions it provides for are above it); the people whose interests, home
    practice periods, name or month and year of birth changed as `people`; a committee whose
    common-interest policy changed as `committees`; a decision edited as `decisions`.
    Call it after the change (in the same transaction).
    """
    def ids(values: Iterable[int | None]) -> str:
        return json.dumps(sorted({int(v) for v in values if v is not None}))

    found = db.execute(_AFFECTED_SQL, {
        "organisations": ids(organisations), "people": ids(people),
        "committees": ids(committees), "decisions": ids(decisions)}).fetchall()
    return {row[0] for row in found if row[0] is not None}


# A new interest of a person in an organisation is read for a decision (`flagging._interests`)
# only if the person takes part and the organisation is one of its providers, below one at any
# depth, or a participant's home practice; the periods and dates are left out, so this is a
# superset. A free-text interest (no organisation) may match any name: all the person's decisions.
# Worked out from three reads (the people's decisions; those decisions' providers and their
# participants' home practices; the links below the providers), each decision's reach built once
# in memory: a file of thousands of interests names most people's decisions, and joining every
# new interest with every decision in SQL cost more than the rest of the import's reading.
_TAKING_PART_SQL = ("SELECT decision_id, person_id FROM decision_participants"
                    " WHERE person_id IN (SELECT value FROM json_each(?))")
_REACH_SQL = """
WITH wanted(id) AS (SELECT value FROM json_each(?))
SELECT decision_id, organisation_id, 1 FROM decision_providers
    WHERE decision_id IN (SELECT id FROM wanted)
UNION ALL SELECT id, awarded_provider_id, 1 FROM decisions
    WHERE id IN (SELECT id FROM wanted) AND awarded_provider_id IS NOT NULL
UNION ALL SELECT decision_participants.decision_id, home_practices.organisation_id, 0
    FROM decision_participants JOIN home_practices
    ON home_practices.person_id = decision_participants.person_id
    WHERE decision_participants.decision_id IN (SELECT id FROM wanted)
"""
_BELOW_SQL = """
WITH RECURSIVE below(id) AS (
    SELECT value FROM json_each(?)
    UNION SELECT organisation_links.member_id FROM organisation_links
        JOIN below ON organisation_links.parent_id = below.id
)
SELECT parent_id, member_id FROM organisation_links WHERE parent_id IN (SELECT id FROM below)
"""


def affected_by_new_interests(db: Database,
                              interests: Iterable[tuple[int, int | None]]) -> set[int]:
    """The ids of the decisions whose flags new interests can change, given each as (person id,
    organisation id or None for a free-text one); call it after they are written.

    Narrower than `affected(db, people=...)`, which names every decision the people take part
    in: an interest in an organisation none of a decision's providers or home practices reach
    is never read for it, so cannot change its flags.
    """
    organisations_of: dict[int, set[int | None]] = {}
    for person, organisation in interests:
        if person is not None:
            organisations_of.setdefault(int(person), set()).add(
                None if organisation is None else int(organisation))
    if not organisations_of:
        return set()
    free_text = {person for person, wanted in organisations_of.items() if None in wanted}
    linked = {person: frozenset(o for o in wanted if o is not None)
              for person, wanted in organisations_of.items()}
    # Each decision the people take part in, with those of them who have a new interest there.
    asking: dict[int, list[int]] = {}
    for decision_id, person_id in db.execute(
            _TAKING_PART_SQL, [json.dumps(sorted(organisations_of))]):
        asking.setdefault(decision_id, []).append(person_id)
    found = {decision_id for decision_id, people in asking.items()
             if not free_text.isdisjoint(people)}
    candidates = sorted(set(asking) - found)
    if not candidates:
        return found
    providers_of: dict[int, list[int]] = {}
    homes_of: dict[int, set[int]] = {}
    for decision_id, organisation_id, is_provider in db.execute(
            _REACH_SQL, [json.dumps(candidates)]):
        if is_provider:
            providers_of.setdefault(decision_id, []).append(organisation_id)
        else:
            homes_of.setdefault(decision_id, set()).add(organisation_id)
    members_of: dict[int, list[int]] = {}
    providers = sorted({o for group in providers_of.values() for o in group})
    for parent_id, member_id in db.execute(_BELOW_SQL, [json.dumps(providers)]):
        members_of.setdefault(parent_id, []).append(member_id)
    below: dict[int, frozenset[int]] = {}

    def at_or_below(organisation_id: int) -> frozenset[int]:
        if organisation_id not in below:
            seen, todo = {organisation_id}, [organisation_id]
            while todo:
                for member_id in members_of.get(todo.pop(), ()):
                    if member_id not in seen:
                        seen.add(member_id)
                        todo.append(member_id)
            below[organisation_id] = frozenset(seen)
        return below[organisation_id]

    # Each decision's reach is its participants' home practices and everything at or below its
    # providers; it is asked about the few new organisations of its people rather than built.
    for decision_id in candidates:
        wanted: set[int] = set()
        for person in asking[decision_id]:
            wanted |= linked[person]
        if not wanted:
            continue
        homes = homes_of.get(decision_id)
        if homes and not wanted.isdisjoint(homes):
            found.add(decision_id)
            continue
        if any(not wanted.isdisjoint(at_or_below(provider))
               for provider in providers_of.get(decision_id, ())):
            found.add(decision_id)
    return found
