"""Reading and writing organisations and their network/federation links."""
from __future__ import annotations

import json
import re
from typing import Any

from sqlite_utils import Database

from .. import audit
from ..db import write_transaction
from ..decisions import lifecycle
from ..editing import STALE_MESSAGE as STALE_MESSAGE  # re-exported for the views
from ..editing import create_audited, update_versioned
from ..interests import linking
from ..listing import Page, like_pattern, order_clause, paginate, prefix_pattern, where_clause

# Re-exported for code that imports the page parser from here.
from ..listing import parse_page as parse_page
from ..rules.companies_house import natures_words
from ..rules.dates import iso_date
from ..rules.identifiers import NORMALISERS, IdentifierError
from ..rules.periods import Period, describe, overlaps
from ..timeutil import utcnow_iso
from .identity import keyed

KINDS = {
    "practice": "GP practice",
    "network": "Primary care network",
    "federation": "GP federation",
    "trust": "NHS trust",
    "independent": "Independent provider",
    "voluntary": "Voluntary sector organisation",
    "local_authority": "Local authority",
    "other": "Other",
}
# Kinds that practices can belong to.
PARENT_KINDS = ("network", "federation")

ORGANISATION_SORTS = {
    "name": "organisations.name COLLATE NOCASE",
    "kind": "organisations.kind",
    "ods": "organisations.ods_code",
}

EDITABLE = ("name", "kind", "ods_code", "companies_house_number", "charity_number",
            "registered_address", "postcode", "is_member_practice")


def list_organisations(db: Database, *, q: str = "", kind: str = "", member: str = "",
                       sort: str = "name", direction: str = "asc", page: int = 1,
                       page_size: int = 25) -> tuple[Page, str, str]:
    """Organisations matching the filters, one page, with the sort actually used."""
    where, params = [], {}
    if q:
        where.append("(organisations.name LIKE :q ESCAPE '\\' "
                     "OR organisations.ods_code LIKE :code ESCAPE '\\')")
        params.update(q=like_pattern(q), code=prefix_pattern(q.upper()))
    if kind in KINDS:
        where.append("organisations.kind = :kind")
        params["kind"] = kind
    if member in ("yes", "no"):
        where.append("organisations.is_member_practice = :member")
        params["member"] = 1 if member == "yes" else 0
    from_where = "FROM organisations" + where_clause(where)
    order, sort, direction = order_clause(ORGANISATION_SORTS, sort, direction,
                                           "organisations.id")
    result = paginate(db, "SELECT organisations.*", from_where, params, order, page, page_size)
    return result, sort, direction


def get_organisation(db: Database, organisation_id: int) -> dict[str, Any] | None:
    """One organisation by id, or None."""
    return next(iter(db.query("SELECT * FROM organisations WHERE id = ?", [organisation_id])),
                None)


def find_by_code(db: Database, code: str) -> dict[str, Any] | None:
    """The organisation with this ODS code, or None."""
    return next(iter(db.query("SELECT * FROM organisations WHERE ods_code = ?", [code])), None)


def find_by_companies_house(db: Database, number: str) -> dict[str, Any] | None:
    """The organisation with this Companies House number, or None."""
    return next(iter(db.query(
        "SELECT * FROM organisations WHERE companies_house_number = ?", [number])), None)


def controllers_of(db: Database, organisation_id: int) -> list[dict[str, Any]]:
    """The company's persons with significant control (Companies House), current ones first,
    each with its natures of control in words."""
    rows = list(db.query(
        "SELECT * FROM company_pscs WHERE organisation_id = ?"
        " ORDER BY ceased_on IS NOT NULL, ceased_on DESC, surname COLLATE NOCASE, id",
        [organisation_id]))
    for row in rows:
        row["control"] = natures_words(json.loads(row["natures_of_control"]))
    return rows


def parents_of(db: Database, organisation_id: int) -> list[dict[str, Any]]:
    """The networks and federations an organisation belongs to, with the link id."""
    return list(db.query(
        "SELECT organisations.*, organisation_links.id AS link_id, organisation_links.date_from,"
        " organisation_links.date_to FROM organisation_links"
        " JOIN organisations ON organisations.id = organisation_links.parent_id"
        " WHERE organisation_links.member_id = ? ORDER BY organisations.name COLLATE NOCASE,"
        " organisations.id, organisation_links.date_from IS NOT NULL, organisation_links.date_from",
        [organisation_id]))


def members_of(db: Database, organisation_id: int) -> list[dict[str, Any]]:
    """The practices that belong to a network or federation, with the link id."""
    return list(db.query(
        "SELECT organisations.*, organisation_links.id AS link_id, organisation_links.date_from,"
        " organisation_links.date_to FROM organisation_links"
        " JOIN organisations ON organisations.id = organisation_links.member_id"
        " WHERE organisation_links.parent_id = ? ORDER BY organisations.name COLLATE NOCASE,"
        " organisations.id, organisation_links.date_from IS NOT NULL, organisation_links.date_from",
        [organisation_id]))


def people_at(db: Database, organisation_id: int) -> list[dict[str, Any]]:
    """The people whose home practice this is or was, with the dates of each period."""
    return list(db.query(
        "SELECT people.id, people.name, people.positions, people.is_decision_maker,"
        " home_practices.date_from, home_practices.date_to FROM home_practices"
        " JOIN people ON people.id = home_practices.person_id"
        " WHERE home_practices.organisation_id = ?"
        " ORDER BY home_practices.date_to IS NOT NULL, people.name COLLATE NOCASE, people.id,"
        " home_practices.date_from", [organisation_id]))


def parent_choices(db: Database) -> list[dict[str, Any]]:
    """Every network and federation, for the link form."""
    return list(db.query(
        "SELECT id, name, kind, ods_code FROM organisations WHERE kind IN ('network', 'federation')"
        " ORDER BY name COLLATE NOCASE"))


def practice_choices(db: Database) -> list[dict[str, Any]]:
    """Every practice, member practices of the consortium first, for pickers."""
    return list(db.query(
        "SELECT id, name, ods_code, is_member_practice FROM organisations WHERE kind = 'practice'"
        " ORDER BY is_member_practice DESC, name COLLATE NOCASE"))


def lookup(db: Database, q: str, kind: str = "", limit: int = 20) -> list[dict[str, Any]]:
    """Organisations whose ODS code, Companies House number, charity number or name matches
    typed text, best matches first (an identifier typed in full first of all)."""
    q = q.strip()
    if not q:
        return []
    squeezed = re.sub(r"[\s.\-/]", "", q.upper())
    exact = {kind_: "" for kind_ in NORMALISERS}
    for kind_, normalise in NORMALISERS.items():
        try:
            exact[kind_] = normalise(q) or ""
        except IdentifierError:
            pass
    params = {"code": prefix_pattern(squeezed) if squeezed else "", "prefix": prefix_pattern(q),
              "anywhere": like_pattern(q), "kind": kind, "limit": limit,
              "ods": exact["ods_code"], "ch": exact["companies_house_number"],
              "charity": exact["charity_number"]}
    kind_clause = " AND kind = :kind" if kind in KINDS else ""
    return list(db.query(
        "SELECT id, name, ods_code, companies_house_number, charity_number, kind"
        " FROM organisations"
        " WHERE (ods_code LIKE :code ESCAPE '\\' OR companies_house_number LIKE :code ESCAPE '\\'"
        " OR charity_number LIKE :code ESCAPE '\\' OR companies_house_number = :ch"
        " OR charity_number = :charity OR name LIKE :anywhere ESCAPE '\\')" + kind_clause +
        " ORDER BY CASE WHEN ods_code = :ods OR companies_house_number = :ch"
        " OR charity_number = :charity THEN 0"
        " WHEN ods_code LIKE :code ESCAPE '\\' OR companies_house_number LIKE :code ESCAPE '\\'"
        " OR charity_number LIKE :code ESCAPE '\\' THEN 1"
        " WHEN name LIKE :prefix ESCAPE '\\' THEN 2 ELSE 3 END,"
        " name COLLATE NOCASE, id LIMIT :limit", params))


def create_organisation(db: Database, data: dict[str, Any], actor: str) -> int:
    """Insert an organisation and audit it; free-text interests that name it exactly are linked
    to it in the same write. Returns its id."""
    with write_transaction(db):
        organisation_id = create_audited(db, "organisations", "organisation",
                                         keyed({key: data[key] for key in EDITABLE}), actor,
                                         get_organisation)
        linking.link_exact(db, [organisation_id], actor)
    return organisation_id


def update_organisation(db: Database, organisation_id: int, version: int,
                        data: dict[str, Any], actor: str) -> bool:
    """Save an edit made from the given version; False if someone else saved first."""
    return update_versioned(db, "organisations", "organisation", organisation_id, version,
                            keyed({key: data[key] for key in EDITABLE}), actor, get_organisation,
                            then=lambda db: (
                                lifecycle.refresh_affected(db, actor=actor,
                                                           organisations=[organisation_id]),
                                linking.link_exact(db, [organisation_id], actor)))


class LinkOverlap(ValueError):
    """A membership period that would overlap another period of the same practice in the same
    network or federation; the message says which, in the user's words."""


def link_periods(db: Database, parent_id: int, member_id: int) -> list[dict[str, Any]]:
    """Every period of one practice's membership of one network or federation, earliest first."""
    return list(db.query(
        "SELECT * FROM organisation_links WHERE parent_id = ? AND member_id = ?"
        " ORDER BY date_from IS NOT NULL, date_from, id", [parent_id, member_id]))


def overlapping_link(db: Database, parent_id: int, member_id: int, date_from: str | None,
                     date_to: str | None, *, except_id: int | None = None) -> str | None:
    """Why a period of this membership cannot be recorded (it overlaps another), or None."""
    new = Period(member_id, iso_date(date_from), iso_date(date_to))
    for row in link_periods(db, parent_id, member_id):
        old = Period(member_id, iso_date(row["date_from"]), iso_date(row["date_to"]), row["id"])
        if row["id"] != except_id and overlaps(old, new):
            return (f"This overlaps the period it already belongs, {describe(old)}: periods of "
                    "one membership cannot overlap. Change that period's dates instead")
    return None




def add_link(db: Database, parent_id: int, member_id: int, date_from: str | None,
             date_to: str | None, actor: str) -> int:
    """Record that a practice belongs to a network or federation for a period (it may have left
    and rejoined: several periods, never overlapping); returns the link id. LinkOverlap if the
    period overlaps another of the same pair."""
    row = {"member_id": member_id, "parent_id": parent_id, "date_from": date_from,
           "date_to": date_to, "created_at": utcnow_iso()}
    with write_transaction(db):
        problem = overlapping_link(db, parent_id, member_id, date_from, date_to)
        if problem:
            raise LinkOverlap(problem)
        link_id = db["organisation_links"].insert(row).last_pk
        audit.record(db, actor=actor, action="create", entity="organisation_link",
                     entity_id=link_id, after=row)
        lifecycle.refresh_affected(db, actor=actor, organisations=[member_id, parent_id])
    return link_id


def get_link(db: Database, link_id: int) -> dict[str, Any] | None:
    """One link with both organisations' names, or None."""
    return next(iter(db.query(
        "SELECT organisation_links.*, parent.name AS parent_name, member.name AS member_name"
        " FROM organisation_links"
        " JOIN organisations AS parent ON parent.id = organisation_links.parent_id"
        " JOIN organisations AS member ON member.id = organisation_links.member_id"
        " WHERE organisation_links.id = ?", [link_id])), None)


def link_exists(db: Database, parent_id: int, member_id: int) -> bool:
    """Whether the practice has ever been linked to that network or federation."""
    return db.execute("SELECT 1 FROM organisation_links WHERE parent_id = ? AND member_id = ?",
                      [parent_id, member_id]).fetchone() is not None


def set_link_dates(db: Database, link_id: int, date_from: str | None, date_to: str | None,
                   actor: str) -> bool:
    """Change when a practice joined or left a network or federation, audited; False if the
    link has gone, LinkOverlap if the new dates overlap another period of the same membership.
    The affected decisions' flags are brought up to date in the same write."""
    with write_transaction(db):
        before = next(iter(db.query("SELECT * FROM organisation_links WHERE id = ?", [link_id])),
                      None)
        if before is None:
            return False
        problem = overlapping_link(db, before["parent_id"], before["member_id"], date_from,
                                   date_to, except_id=link_id)
        if problem:
            raise LinkOverlap(problem)
        db.execute("UPDATE organisation_links SET date_from = ?, date_to = ? WHERE id = ?",
                   [date_from, date_to, link_id])
        after = {**before, "date_from": date_from, "date_to": date_to}
        audit.record(db, actor=actor, action="update", entity="organisation_link",
                     entity_id=link_id, before=before, after=after)
        lifecycle.refresh_affected(db, actor=actor,
                                   organisations=[before["member_id"], before["parent_id"]])
    return True


def remove_link(db: Database, link_id: int, actor: str) -> bool:
    """Delete a link and audit it; False if it had already gone."""
    with write_transaction(db):
        before = next(iter(db.query("SELECT * FROM organisation_links WHERE id = ?", [link_id])),
                      None)
        if before is None:
            return False
        db.execute("DELETE FROM organisation_links WHERE id = ?", [link_id])
        audit.record(db, actor=actor, action="delete", entity="organisation_link",
                     entity_id=link_id, before=before)
        lifecycle.refresh_affected(db, actor=actor,
                                   organisations=[before["member_id"], before["parent_id"]])
    return True

