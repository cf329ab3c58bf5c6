"""Full-text search across people, organisations, interests and decisions."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from ..decisions import access
from ..listing import like_pattern

# Runs of letters and digits: the same words SQLite's unicode61 tokenizer indexes, so punctuation
# typed by a user (quotes, brackets, hyphens, asterisks) is never read as FTS syntax.
WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 12
MAX_QUERY_LENGTH = 200
LIMIT = 20


# Ranking: a match in a name or code counts for more than one in a job title or an address.
ORDER = {
    "people": 'bm25("people_fts", 10.0, 2.0, 1.0)',  # name, email, positions
    # name, ODS code, Companies House number, address, postcode
    "organisations": 'bm25("organisations_fts", 10.0, 10.0, 10.0, 1.0, 2.0)',
    # organisation name, its business, nature, associate relationship
    "interests": 'bm25("interests_fts", 5.0, 1.0, 3.0, 2.0)',
}


def prefix_query(text: str) -> str:
    """An FTS5 query matching rows that have every word of the text, whole or as a prefix.

    'go doc' becomes '("go" OR "go"*) AND ("doc" OR "doc"*)': the whole word
    ranks above words it merely starts; text with no letters or digits becomes ''.
    """
    words = WORD.findall(text[:MAX_QUERY_LENGTH])[:MAX_WORDS]
    quoted = ('"' + word.replace('"', '""') + '"' for word in words)
    return " AND ".join(f"({word} OR {word}*)" for word in quoted)


def compacted(column: str) -> str:
    """SQL for a name with its case, spaces and the usual punctuation taken out, so that
    'Go-To-Doc Ltd' and 'GoToDoc Limited' both contain 'gotodoc' (the column is ours)."""
    expression = f"lower({column})"
    for mark in ("-", " ", ".", "'", "’", "&", ",", "/"):
        expression = f"replace({expression}, '{mark.replace(chr(39), chr(39) * 2)}', '')"
    return expression


def _run_together(db: Database, text: str, sql: str, params: dict[str, Any],
                  found: set[int]) -> list[dict[str, Any]]:
    """Rows whose name written without spaces or punctuation contains the search written the
    same way, after the full-text matches and not repeating them (a name typed 'gotodoc' finds
    'Go-To-Doc Ltd'). Only for a search of four or more letters and digits."""
    squeezed = "".join(WORD.findall(text[:MAX_QUERY_LENGTH].lower()))
    if len(squeezed) < 4:
        return []
    rows = db.query(sql + " ORDER BY id LIMIT :limit",
                    {**params, "pattern": like_pattern(squeezed), "limit": LIMIT + 1 + len(found)})
    return [row for row in rows if row["id"] not in found]


@dataclass
class Results:
    """What one search found, by kind; more_* says a kind was cut off at LIMIT rows."""

    query: str
    people: list[dict[str, Any]] = field(default_factory=list)
    organisations: list[dict[str, Any]] = field(default_factory=list)
    interests: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    more: set[str] = field(default_factory=set)

    @property
    def total(self) -> int:
        """How many results were found, of every kind."""
        return (len(self.people) + len(self.organisations) + len(self.interests)
                + len(self.decisions))


def _cut(rows: list[dict[str, Any]], kind: str, results: Results) -> list[dict[str, Any]]:
    if len(rows) > LIMIT:
        results.more.add(kind)
    return rows[:LIMIT]


def _decisions(db: Database, fts: str, text: str, viewer: access.Viewer) -> list[dict[str, Any]]:
    """The decisions the viewer may read (see decisions/access.py) whose reference, title,
    description or comments match; or whose provider (considered or awarded) matches by name,
    ODS code or Companies House number; or whose participant, clinical lead or contract manager
    matches by name. Text matches first, then the newest meeting first."""
    condition, params = access.visible(viewer, "decisions")
    squeezed = "".join(WORD.findall(text[:MAX_QUERY_LENGTH].lower()))
    sql = f"""
        WITH text_found AS (
            SELECT rowid AS id FROM decisions_fts WHERE decisions_fts MATCH :search_fts
            UNION SELECT id FROM decisions WHERE length(:search_squeezed) >= 3
                AND replace(lower(reference), '-', '') LIKE :search_like ESCAPE '\\'),
        organisations_found AS (
            SELECT rowid AS id FROM organisations_fts WHERE organisations_fts
                MATCH '{{name ods_code companies_house_number}} : (' || :search_fts || ')'
            UNION SELECT id FROM organisations WHERE length(:search_squeezed) >= 4
                AND {compacted("name")} LIKE :search_like ESCAPE '\\'),
        people_found AS (
            SELECT rowid AS id FROM people_fts
                WHERE people_fts MATCH 'name : (' || :search_fts || ')'
            UNION SELECT id FROM people WHERE length(:search_squeezed) >= 4
                AND {compacted("name")} LIKE :search_like ESCAPE '\\')
        SELECT decisions.id, decisions.reference, decisions.title, decisions.status,
               decisions.meeting_date, decisions.flag_count,
               decisions.id IN (SELECT id FROM text_found) AS text_match
        FROM decisions
        WHERE ({condition}) AND (
            decisions.id IN (SELECT id FROM text_found)
            OR decisions.awarded_provider_id IN (SELECT id FROM organisations_found)
            OR decisions.id IN (SELECT decision_id FROM decision_providers
                                WHERE organisation_id IN (SELECT id FROM organisations_found))
            OR decisions.clinical_lead_id IN (SELECT id FROM people_found)
            OR decisions.contract_manager_id IN (SELECT id FROM people_found)
            OR decisions.id IN (SELECT decision_id FROM decision_participants
                                WHERE person_id IN (SELECT id FROM people_found)))
        ORDER BY text_match DESC, decisions.meeting_date DESC, decisions.id DESC
        LIMIT :search_limit"""
    return list(db.query(sql, {**params, "search_fts": fts, "search_squeezed": squeezed,
                               "search_like": like_pattern(squeezed),
                               "search_limit": LIMIT + 1}))


def search(db: Database, text: str, *, all_interests: bool,
           person_id: int | None, viewer: access.Viewer | None = None) -> Results:
    """Search everything the user may see; without all_interests only person_id's interests,
    and decisions only as the viewer may read them (none without a viewer)."""
    results = Results(query=text)
    fts = prefix_query(text)
    if not fts:
        return results
    results.people = _cut(list(db["people"].search(
        fts, columns=["id", "name", "positions", "is_decision_maker"], limit=LIMIT + 1,
        order_by=ORDER["people"])),
        "people", results)
    organisations = list(db["organisations"].search(
        fts, columns=["id", "name", "kind", "ods_code", "companies_house_number"],
        limit=LIMIT + 1, order_by=ORDER["organisations"]))
    organisations += _run_together(
        db, text, "SELECT id, name, kind, ods_code, companies_house_number FROM organisations"
        " WHERE " + compacted("name") + " LIKE :pattern ESCAPE '\\'", {},
        {row["id"] for row in organisations})
    results.organisations = _cut(organisations, "organisations", results)
    if viewer is not None and viewer.reads:
        results.decisions = _cut(_decisions(db, fts, text, viewer), "decisions", results)
    if all_interests:
        where, args = None, None
    elif person_id is not None:
        where, args = "person_id = :person_id", {"person_id": person_id}
    else:
        return results
    interests = list(db["interests"].search(
        fts, columns=["id", "person_id", "organisation_name", "nature", "interest_type",
                      "is_indirect", "date_to", "withdrawn"],
        limit=LIMIT + 1, where=where, where_args=args, order_by=ORDER["interests"]))
    interests += _run_together(
        db, text, "SELECT id, person_id, organisation_name, nature, interest_type, is_indirect,"
        " date_to, withdrawn FROM interests WHERE " + compacted("organisation_name")
        + " LIKE :pattern ESCAPE '\\'" + (f" AND {where}" if where else ""),
        args or {}, {row["id"] for row in interests})
    names = {row["id"]: row["name"] for row in db.query(
        "SELECT id, name FROM people WHERE id IN (SELECT value FROM json_each(?))",
        [str([row["person_id"] for row in interests])])}
    for row in interests:
        row["person_name"] = names.get(row["person_id"], "")
    results.interests = _cut(interests, "interests", results)
    return results
