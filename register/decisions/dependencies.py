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
_NEW_INTERESTS_SQL = """
WITH RECURSIVE
new(person_id, organisation_id) AS (
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(:interests)
),
-- each organisation with everything above it: a provider there has it below
up(origin, id) AS (
    SELECT DISTINCT organisation_id, organisation_id FROM new WHERE organisation_id IS NOT NULL
    UNION SELECT up.origin, organisation_links.parent_id FROM organisation_links
        JOIN up ON organisation_links.member_id = up.id
),
-- each decision with the organisations an interest can be read through for it
reached(decision_id, origin) AS MATERIALIZED (
    SELECT decision_id, up.origin FROM up JOIN decision_providers
        ON decision_providers.organisation_id = up.id
    UNION SELECT decisions.id, up.origin FROM up JOIN decisions
        ON decisions.awarded_provider_id = up.id
    UNION SELECT decision_participants.decision_id, home_practices.organisation_id
        FROM home_practices JOIN decision_participants
        ON decision_participants.person_id = home_practices.person_id
        WHERE home_practices.organisation_id IN (SELECT origin FROM up)
)
-- from each new interest to its person's decisions, then whether it is read there (CROSS
-- JOIN keeps this order: the person's decisions are few, the decisions reached many)
SELECT decision_participants.decision_id FROM new CROSS JOIN decision_participants
    ON decision_participants.person_id = new.person_id
    CROSS JOIN reached ON reached.decision_id = decision_participants.decision_id
        AND reached.origin = new.organisation_id
UNION SELECT decision_participants.decision_id FROM new JOIN decision_participants
    ON decision_participants.person_id = new.person_id WHERE new.organisation_id IS NULL
"""


def affected_by_new_interests(db: Database,
                              interests: Iterable[tuple[int, int | None]]) -> set[int]:
    """The ids of the decisions whose flags new interests can change, given each as (person id,
    organisation id or None for a free-text one); call it after they are written.

    Narrower than `affected(db, people=...)`, which names every decision the people take part
    in: an interest in an organisation none of a decision's providers or home practices reach
    is never read for it, so cannot change its flags.
    """
    pairs = sorted({(int(person), None if organisation is None else int(organisation))
                    for person, organisation in interests if person is not None},
                   key=lambda pair: (pair[0], pair[1] or 0))
    if not pairs:
        return set()
    found = db.execute(_NEW_INTERESTS_SQL, {"interests": json.dumps(pairs)}).fetchall()
    return {row[0] for row in found if row[0] is not None}
