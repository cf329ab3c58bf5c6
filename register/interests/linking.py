"""Free-text interests settled later: linked to the registered organisation they name, or marked
as naming no registered organisation.

An interest declared with the organisation typed as free text (`interests.organisation_name`, no
`organisation_id`) is only ever a *possible* conflict. This module is the one owner of turning it
into an interest in an organisation, for good, so that every later decision sees the conflict and
its lateness:

- `confirm_match`: a governance lead confirmed a possible match in a decision's review;
- `link_exact`: an organisation was added or renamed, and free-text interests now name it exactly
  (the same `name_key`, and only when exactly one organisation has that key);
- `settle`: the free-text page, in bulk: link each ticked row to its chosen organisation, or mark
  it "not a registered organisation".

Each link keeps the interest's earlier version, bumps its version, writes an audit event saying how
it was linked (the event carries the interest's content hash), and refreshes the decisions the
person takes part in, all in the caller's transaction.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from .. import audit
from ..db import write_transaction
from ..decisions import lifecycle
from ..listing import Page, paginate
from ..rules.names import best_candidates, name_key, similarity_words
from ..timeutil import utcnow_iso

# What counts as an interest still held as free text.
FREE_TEXT = ("interests.organisation_id IS NULL AND interests.withdrawn = 0"
             " AND trim(interests.organisation_name) != ''")


class StaleInterest(Exception):
    """An interest changed (or was linked) since the page was loaded."""


@dataclass(frozen=True)
class Linked:
    """One interest linked: to which organisation, and whose decisions it touches."""

    interest_id: int
    person_id: int
    organisation_id: int


@dataclass
class Settled:
    """What a bulk settle did."""

    linked: list[Linked] = field(default_factory=list)
    marked: list[int] = field(default_factory=list)


def _row(db: Database, interest_id: int) -> dict[str, Any] | None:
    return next(iter(db.query("SELECT * FROM interests WHERE id = ?", [interest_id])), None)


def _organisation_name(db: Database, organisation_id: int) -> str | None:
    found = db.execute("SELECT name FROM organisations WHERE id = ?", [organisation_id]).fetchone()
    return found[0] if found else None


def _keep_version(db: Database, before: dict[str, Any], user_id: int | None,
                  now: str | None = None) -> None:
    db["interest_versions"].insert({
        "interest_id": before["id"], "version": before["version"],
        "data": audit.canonical(before), "replaced_at": now or utcnow_iso(),
        "replaced_by_user_id": user_id})


def _write(db: Database, before: dict[str, Any], values: dict[str, Any], *, actor: str,
           user_id: int | None, action: str, how: str, now: str | None = None) -> None:
    """Change one interest from the version read, keeping that version, with its audit event."""
    now = now or utcnow_iso()
    _keep_version(db, before, user_id, now)
    # Column names come from this module's fixed calls, never from a request.
    assignments = ", ".join(f"{column} = :{column}" for column in values)
    cursor = db.execute(
        f"UPDATE interests SET {assignments}, updated_at = :updated_at, version = version + 1"
        " WHERE id = :id AND version = :version",
        {**values, "updated_at": now, "id": before["id"], "version": before["version"]})
    if cursor.rowcount != 1:
        raise StaleInterest
    after = _row(db, before["id"])
    audit.record(db, actor=actor, action=action, entity="interest", entity_id=before["id"],
                 changes={**audit.diff(before, after), "how": [None, how]})


def _link_one(db: Database, before: dict[str, Any], organisation_id: int, *, actor: str,
              user_id: int | None, how: str, now: str | None = None) -> Linked:
    _write(db, before, {"organisation_id": organisation_id, "not_registered": 0}, actor=actor,
           user_id=user_id, action="link", how=how, now=now)
    return Linked(before["id"], before["person_id"], organisation_id)


def _refresh(db: Database, linked: Iterable[Linked], actor: str, now: str | None = None) -> None:
    people = {item.person_id for item in linked}
    if people:
        lifecycle.refresh_affected(db, actor=actor, now=now, people=people)


def confirm_match(db: Database, interest_id: int, organisation_id: int, *, actor: str,
                  user_id: int | None, reference: str, now: str | None = None) -> Linked | None:
    """Link a free-text interest to the organisation a governance lead confirmed it names in the
    review of a decision, and refresh every decision the person takes part in; None if the
    interest is no longer free text (nothing is written then). `now` is the time of the link
    (the real time unless given)."""
    with write_transaction(db):
        before = _row(db, interest_id)
        name = _organisation_name(db, organisation_id)
        if before is None or before["organisation_id"] is not None or name is None:
            return None
        linked = _link_one(db, before, organisation_id, actor=actor, user_id=user_id,
                           how=f"possible match confirmed as {name} in the review of {reference}",
                           now=now)
        _refresh(db, [linked], actor, now)
    return linked


def link_exact(db: Database, organisation_ids: Iterable[int | None], actor: str, *,
               user_id: int | None = None, refresh: bool = True) -> list[Linked]:
    """Link every free-text interest whose organisation name is exactly one of these
    organisations' names (the same `name_key`, held by no other organisation), audited, in the
    caller's transaction; the decisions touched are refreshed unless `refresh` is False (an
    import refreshes once at its end)."""
    ids = sorted({int(i) for i in organisation_ids if i is not None})
    if not ids:
        return []
    with write_transaction(db):
        keys: dict[str, tuple[int, str]] = {}
        for org_id, name, key in db.execute(
                "SELECT id, name, name_key FROM organisations"
                " WHERE id IN (SELECT value FROM json_each(?))", [audit.canonical(ids)]):
            if key:
                keys[key] = (org_id, name)
        if not keys:
            return []
        # A key shared by two organisations names neither of them for sure.
        shared = {row[0] for row in db.execute(
            "SELECT name_key FROM organisations WHERE name_key IN"
            " (SELECT value FROM json_each(?)) GROUP BY name_key HAVING count(*) > 1",
            [audit.canonical(sorted(keys))])}
        wanted = {key: target for key, target in keys.items() if key not in shared}
        if not wanted:
            return []
        linked: list[Linked] = []
        for before in db.query(f"SELECT * FROM interests WHERE {FREE_TEXT} ORDER BY id"):
            target = wanted.get(name_key(before["organisation_name"]))
            if target is None:
                continue
            linked.append(_link_one(db, before, target[0], actor=actor, user_id=user_id,
                                    how=f"linked by exact name to {target[1]}"))
        if refresh:
            _refresh(db, linked, actor)
    return linked


def settle(db: Database, versions: Mapping[int, int], choices: Mapping[int, str], *, actor: str,
           user_id: int | None) -> Settled:
    """Settle ticked free-text interests at once: each choice is an organisation id (link the
    interest to it) or "not_registered" (mark it). `versions` is the version each row was shown
    at; StaleInterest if any row changed since, and then nothing is written."""
    result = Settled()
    with write_transaction(db):
        for interest_id in sorted(choices):
            before = _row(db, interest_id)
            if (before is None or before["version"] != versions.get(interest_id)
                    or before["organisation_id"] is not None or before["withdrawn"]):
                raise StaleInterest
            choice = choices[interest_id]
            if choice == "not_registered":
                _write(db, before, {"not_registered": 1}, actor=actor, user_id=user_id,
                       action="update", how="marked as not a registered organisation")
                result.marked.append(interest_id)
                continue
            name = _organisation_name(db, int(choice))
            if name is None:
                raise StaleInterest
            result.linked.append(_link_one(db, before, int(choice), actor=actor, user_id=user_id,
                                           how=f"linked to {name} from the free-text list"))
        _refresh(db, result.linked, actor)
    return result


# ---- the free-text list ----

@dataclass(frozen=True)
class Candidate:
    """A registered organisation a free-text name may be, with how alike the names are."""

    organisation_id: int
    name: str
    ods_code: str | None
    score: float
    words: str


def free_text_page(db: Database, page: int, page_size: int, limit: int = 3) -> Page:
    """One page of the interests still held as free text (not marked as naming no registered
    organisation), each with its best candidate organisations, best first."""
    result = paginate(
        db, "SELECT interests.id, interests.version, interests.person_id,"
        " interests.organisation_name, interests.nature, interests.interest_type,"
        " interests.date_from, interests.date_to, interests.declared_on,"
        " people.name AS person_name",
        f"FROM interests JOIN people ON people.id = interests.person_id WHERE {FREE_TEXT}"
        " AND interests.not_registered = 0", {},
        "people.name COLLATE NOCASE, interests.id", page, page_size)
    if result.rows:
        organisations = {row[0]: (row[1], row[2]) for row in db.execute(
            "SELECT id, name, ods_code FROM organisations")}
        names = {org_id: name for org_id, (name, _code) in organisations.items()}
        for row in result.rows:
            row["candidates"] = [
                Candidate(org_id, organisations[org_id][0], organisations[org_id][1], score,
                          similarity_words(score))
                for org_id, score in best_candidates(row["organisation_name"], names, limit)]
    return result


def free_text_count(db: Database) -> int:
    """How many interests are still held as free text, waiting to be settled."""
    return db.execute(f"SELECT count(*) FROM interests WHERE {FREE_TEXT}"
                      " AND interests.not_registered = 0").fetchone()[0]
