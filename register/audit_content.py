"""The canonical content of the records the audit trail vouches for, and its SHA-256.

Every event about a decision, interest, ruling or sign-off carries the hash of that record's
content after the change, so `verify-audit` can name a record changed outside the app. One function
per kind builds the content, for one record (when an event is written) or for all of them (when the
trail is verified), so the two can never compute it differently.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlite_utils import Database

from .db import one as db_one

# A record an event says was deleted carries this instead of a hash.
DELETED = "deleted"

# Columns that are derived or bookkeeping, kept current without an event about the record.
DECISION_DERIVED = frozenset({"flags_stale", "flag_count", "conflict_count", "flags_computed_at",
                              "updated_at", "version"})
INTEREST_DERIVED = frozenset({"updated_at", "version"})
RULING_DERIVED = frozenset({"version"})


def encoder(*, sort_keys: bool = True, separators: tuple[str, str] = (",", ":")
            ) -> Callable[[Any], str]:
    """`json.JSONEncoder(sort_keys=..., separators=..., ensure_ascii=False, default=str).encode`
    for values without cycles, with the C encoder made once instead of on every call (values are
    spelt by the same C functions either way)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return json.JSONEncoder(sort_keys=sort_keys, separators=separators, ensure_ascii=False,
                                default=str).encode
    # No circular check (markers None): hashed values are rows and lists of rows.
    encode = make(None, str, json.encoder.encode_basestring, None, separators[1], separators[0],
                  sort_keys, False, True)
    join = "".join

    def spell(value: Any) -> str:
        return join(encode(value, 0))
    return spell


_canonical = encoder()


def _sorted(rows: list[Any]) -> list[Any]:
    try:
        return sorted(rows)
    except TypeError:  # a NULL beside a value: order by the canonical spelling instead
        return sorted(rows, key=_canonical)


def sha256_of(content: dict[str, Any]) -> str:
    """The SHA-256 of a record's canonical content."""
    return hashlib.sha256(_canonical(content).encode("utf-8")).hexdigest()


def _where(ids: list[int] | None, column: str = "id") -> tuple[str, list[Any]]:
    if ids is None:
        return "", []
    return f" WHERE {column} IN (SELECT value FROM json_each(?))", [json.dumps(ids)]


# Empty values are left out of the content, so a column added later with an empty default does
# not change the hash of every existing record (a change from one empty value to another, such as
# NULL to '', is therefore not seen).
_EMPTY = (None, "", 0)


def _rows(db: Database, sql: str, args: list[Any], derived: frozenset[str] = frozenset(), *,
          drop_empty: bool = True) -> Iterable[dict[str, Any]]:
    """Rows as dicts without the derived columns (straight from the cursor: this runs over every
    record when the trail is verified)."""
    cursor = db.conn.execute(sql, args)
    content = _content_of([c[0] for c in cursor.description], derived, drop_empty=drop_empty)
    for values in cursor:
        yield content(values)


def _content_of(names: Sequence[str], derived: frozenset[str], *, drop_empty: bool = True
                ) -> Callable[[Sequence[Any]], dict[str, Any]]:
    """A row's content from its values in the order of `names`: without the derived columns,
    and (with `drop_empty`) without empty values but the id."""
    pairs = [(name, i) for i, name in enumerate(names) if name not in derived]

    def content(values: Sequence[Any]) -> dict[str, Any]:
        return {name: values[i] for name, i in pairs
                if not drop_empty or values[i] not in _EMPTY or name == "id"}
    return content


def decision_contents(db: Database, ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
    """Each decision's substantive columns with its options, providers, participants,
    criteria and scores (not its flags or flag bookkeeping), by id; all decisions when ids is None."""
    where, args = _where(ids)
    out = {row["id"]: row
           for row in _rows(db, "SELECT * FROM decisions" + where, args, DECISION_DERIVED)}
    child_where, child_args = _where(ids, "decision_id")
    # Each child row is the decision's id and then what its content lists, in this order; read
    # as plain tuples (this runs over every decision's rows when the trail is verified).
    children = {
        "options": "SELECT decision_id, position, description, outcome, reason"
                   " FROM decision_options",
        "providers": "SELECT decision_id, organisation_id FROM decision_providers",
        "participants": "SELECT decision_id, person_id, role FROM decision_participants",
        "criteria": "SELECT decision_id, criterion, weight, how_applied FROM decision_criteria",
        "scores": "SELECT decision_id, organisation_id, score, assessment FROM decision_scores",
        "notices": "SELECT decision_id, kind, published_on, published_where, reference"
                   " FROM decision_notices",
        "representations": "SELECT decision_id, id, received_on, provider_name, summary,"
                           " response, responded_on FROM decision_representations",
    }
    # A provider is listed by its id alone.
    _add_children(db, out, children, child_where, child_args, single={"providers"})
    return out


def _add_children(db: Database, out: dict[int, dict[str, Any]], children: dict[str, str],
                  where: str, args: list[Any], *, single: frozenset[str] | set[str] = frozenset()
                  ) -> None:
    """Put into each record's content, under each key, the sorted rows of its child query (the
    record's id first, then what the content lists; the value alone for keys in `single`)."""
    for key, sql in children.items():
        grouped: dict[int, list[Any]] = defaultdict(list)
        alone = key in single
        for row in db.conn.execute(sql + where, args):
            grouped[row[0]].append(row[1] if alone else list(row[1:]))
        for record_id, content in out.items():
            if record_id in grouped:
                content[key] = _sorted(grouped[record_id])


def interest_contents(db: Database, ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
    """Each interest as declared (every column but the edit counter and time), by id."""
    return _table_contents(*ROW_KINDS["interest"])(db, ids)


def ruling_contents(db: Database, ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
    """Each ruling on a conflicted person (every column but its edit counter), by id."""
    return _table_contents(*ROW_KINDS["ruling"])(db, ids)


def sign_off_contents(db: Database, ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
    """Each sign-off, including whether and why it was voided, by id."""
    return _table_contents(*ROW_KINDS["sign_off"])(db, ids)


def _table_contents(table: str, derived: frozenset[str] = frozenset()
                    ) -> Callable[[Database, list[int] | None], dict[int, dict[str, Any]]]:
    """A content builder for a table whose rows are records in their own right."""
    def build(db: Database, ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
        where, args = _where(ids)
        return {row["id"]: row for row in _rows(db, f"SELECT * FROM {table}" + where, args,
                                                  derived)}
    return build


# The kinds whose content is their own row alone: entity -> (table, the columns left out).
ROW_KINDS: dict[str, tuple[str, frozenset[str]]] = {
    "interest": ("interests", INTEREST_DERIVED),
    "ruling": ("decision_rulings", RULING_DERIVED),
    "sign_off": ("sign_offs", frozenset()),
    "contract_modification": ("contract_modifications", frozenset()),
    "gift": ("gifts", frozenset({"updated_at", "version"})),
    "breach": ("breaches", frozenset({"version"})),
    # A confirmation or nil return: who is not a non-declarer, on the public list, rests on it.
    "declaration_return": ("declaration_returns", frozenset()),
    # Who sits on a committee, in which category and whether they vote: the quorum rests on it.
    "committee_member": ("committee_members", frozenset()),
    # A practice's membership of a network or federation, with its dates: flags rest on it.
    "organisation_link": ("organisation_links", frozenset()),
}


def campaign_contents(db: Database, ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
    """Each declaration campaign with the people it asks (by id), by id: who is published as
    not having declared rests on both."""
    where, args = _where(ids)
    out = {row["id"]: row for row in _rows(db, "SELECT * FROM campaigns" + where, args)}
    child_where, child_args = _where(ids, "campaign_id")
    for campaign_id, person_id in db.conn.execute(
            "SELECT campaign_id, person_id FROM campaign_people" + child_where
            + " ORDER BY campaign_id, person_id", child_args):
        if campaign_id in out:
            out[campaign_id].setdefault("people", []).append(person_id)
    return out


def outcome_contents(db: Database, ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
    """Each decision's recorded outcome, by the decision's id: the result and the votes, who was
    in the room for the item, who left and came back and when, how each voted (and for whom by
    proxy), and the proxy votes the chair refused."""
    where, args = _where(ids, "decision_id")
    out = {row["decision_id"]: row
           for row in _rows(db, "SELECT * FROM decision_outcomes" + where, args)}
    children = {
        "attendance": "SELECT decision_id, person_id, present, vote, proxy_for_person_id,"
                      " left_at, returned_at, left_stage FROM outcome_attendance",
        "proxies_refused": "SELECT decision_id, for_person_id, offered_to_person_id, reason"
                           " FROM outcome_refused_proxies",
    }
    _add_children(db, out, children, where, args)
    return out


# Kinds vouched for from a later version: an event recorded before then carries no content hash,
# and is not a mismatch.
LATER_KINDS = frozenset({"contract_modification", "gift", "breach", "declaration_return",
                         "campaign", "outcome", "committee_member", "organisation_link"})


# The record kinds whose events carry a content hash: entity name -> its content builder.
CONTENT_KINDS: dict[str, Callable[[Database, list[int] | None], dict[int, dict[str, Any]]]] = {
    "decision": decision_contents,
    "interest": interest_contents,
    "ruling": ruling_contents,
    "sign_off": sign_off_contents,
    "contract_modification": _table_contents(*ROW_KINDS["contract_modification"]),
    "gift": _table_contents(*ROW_KINDS["gift"]),
    "breach": _table_contents(*ROW_KINDS["breach"]),
    "declaration_return": _table_contents(*ROW_KINDS["declaration_return"]),
    "campaign": campaign_contents,
    "outcome": outcome_contents,
    "committee_member": _table_contents(*ROW_KINDS["committee_member"]),
    "organisation_link": _table_contents(*ROW_KINDS["organisation_link"]),
}


def content_sha256(db: Database, entity: str, entity_id: Any) -> str | None:
    """The hash of one record's content now (DELETED if it is gone); None for other kinds."""
    build = CONTENT_KINDS.get(entity)
    if build is None:
        return None
    try:
        record_id = int(entity_id)
    except (TypeError, ValueError):
        return None
    contents = build(db, [record_id])
    return sha256_of(contents[record_id]) if record_id in contents else DELETED


def content_sha256_many(db: Database, entity: str, entity_ids: Iterable[Any]
                        ) -> dict[str, str | None]:
    """`content_sha256` for many records of one kind at once (one read per kind), keyed by the
    id as an event spells it."""
    ids = {str(entity_id): entity_id for entity_id in entity_ids}
    build = CONTENT_KINDS.get(entity)
    if build is None:
        return dict.fromkeys(ids)
    numbers: dict[str, int] = {}
    for text, entity_id in ids.items():
        try:
            numbers[text] = int(entity_id)
        except (TypeError, ValueError):
            continue
    contents = build(db, sorted(set(numbers.values()))) if numbers else {}
    return {text: (None if text not in numbers else
                   sha256_of(contents[numbers[text]]) if numbers[text] in contents else DELETED)
            for text in ids}


def row_content_hashes(entity: str, names: Sequence[str], rows: Iterable[Sequence[Any]]
                       ) -> Mapping[str, str | None] | None:
    """`content_sha256_many` for records of a kind whose content is its own row, from the rows
    just read whole (`SELECT *`, columns in the order of `names`), keyed by the id as an event
    spells it; None for a kind whose content is built from more (read it instead)."""
    if entity not in CONTENT_KINDS:
        return {str(row[names.index("id")]): None for row in rows}
    kind = ROW_KINDS.get(entity)
    if kind is None:
        return None
    content = _content_of(names, kind[1])
    at = names.index("id")
    return {str(row[at]): sha256_of(content(row)) for row in rows}


def all_content_hashes(db: Database) -> Iterable[tuple[str, int, str]]:
    """(entity, id, hash) for every live record of every kind the trail vouches for."""
    for entity, build in CONTENT_KINDS.items():
        for record_id, content in build(db, None).items():
            yield entity, record_id, sha256_of(content)


def _person_named(table: str) -> str:
    return (f"SELECT people.name FROM people WHERE id = (SELECT person_id FROM {table}"
            " WHERE id = ?)")


# How each kind of record is named: the query reading what names it (by the record's id), the
# name from that row and the id, and the name when the row is gone.
_NAMES: dict[str, tuple[str, Callable[[dict[str, Any], Any], str], Callable[[Any], str]]] = {
    "decision": (
        "SELECT reference FROM decisions WHERE id = ?",
        lambda row, i: f"decision {row['reference']}", lambda i: f"decision id {i}"),
    "interest": (
        "SELECT interests.organisation_name, people.name FROM interests"
        " LEFT JOIN people ON people.id = interests.person_id WHERE interests.id = ?",
        lambda row, i: f"interest {i} ({row['name']}: {row['organisation_name']})",
        lambda i: f"interest {i}"),
    "ruling": (
        "SELECT decisions.reference, people.name FROM decision_rulings"
        " LEFT JOIN decisions ON decisions.id = decision_rulings.decision_id"
        " LEFT JOIN people ON people.id = decision_rulings.person_id"
        " WHERE decision_rulings.id = ?",
        lambda row, i: f"ruling {i} (on {row['name']} for {row['reference']})",
        lambda i: f"ruling {i}"),
    "contract_modification": (
        "SELECT decisions.reference FROM contract_modifications LEFT JOIN decisions"
        " ON decisions.id = contract_modifications.decision_id"
        " WHERE contract_modifications.id = ?",
        lambda row, i: f"contract modification {i} (of {row['reference']})",
        lambda i: f"contract modification {i}"),
    "gift": (_person_named("gifts"), lambda row, i: f"gift {i} ({row['name']})",
             lambda i: f"gift {i}"),
    "breach": (_person_named("breaches"), lambda row, i: f"breach {i} ({row['name']})",
               lambda i: f"breach {i}"),
    "declaration_return": (
        "SELECT declaration_returns.kind, declaration_returns.returned_on, people.name"
        " FROM declaration_returns LEFT JOIN people ON people.id = declaration_returns.person_id"
        " WHERE declaration_returns.id = ?",
        lambda row, i: (f"{'nil return' if row['kind'] == 'nil' else 'declaration return'}"
                        f" {i} ({row['name']}, {row['returned_on']})"),
        lambda i: f"declaration return {i}"),
    "outcome": (
        "SELECT reference FROM decisions WHERE id = ?",
        lambda row, i: f"the outcome of {row['reference']}",
        lambda i: f"the outcome of decision id {i}"),
    "committee_member": (
        "SELECT people.name, committees.name AS committee FROM committee_members"
        " LEFT JOIN people ON people.id = committee_members.person_id"
        " LEFT JOIN committees ON committees.id = committee_members.committee_id"
        " WHERE committee_members.id = ?",
        lambda row, i: f"committee membership {i} ({row['name']} on the {row['committee']})",
        lambda i: f"committee membership {i}"),
    "organisation_link": (
        "SELECT member.name AS member, parent.name AS parent FROM organisation_links"
        " LEFT JOIN organisations AS member ON member.id = organisation_links.member_id"
        " LEFT JOIN organisations AS parent ON parent.id = organisation_links.parent_id"
        " WHERE organisation_links.id = ?",
        lambda row, i: f"membership {i} ({row['member']} in {row['parent']})",
        lambda i: f"membership {i} of a network or federation"),
    "campaign": (
        "SELECT title FROM campaigns WHERE id = ?",
        lambda row, i: f"campaign {i} ({row['title']})", lambda i: f"campaign {i}"),
    "sign_off": (
        "SELECT decisions.reference, sign_offs.signer_name FROM sign_offs"
        " LEFT JOIN decisions ON decisions.id = sign_offs.decision_id WHERE sign_offs.id = ?",
        lambda row, i: f"sign-off {i} (of {row['reference']} by {row['signer_name']})",
        lambda i: f"sign-off {i}"),
}


def describe(db: Database, entity: str, entity_id: int) -> str:
    """A record named the way its users know it: a decision by reference, and so on."""
    if entity not in _NAMES:
        return f"{entity} {entity_id}"
    sql, named, gone = _NAMES[entity]
    row = db_one(db, sql, [entity_id])
    return named(row, entity_id) if row else gone(entity_id)
