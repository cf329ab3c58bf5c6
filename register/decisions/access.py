"""Who may read a decision: the one access rule for every page, list, export and print.

An account reads every decision when its role reads them all (administrator, secretary,
governance lead, auditor), otherwise only the decisions it recorded or its person takes part in.
Whatever the role, a person ruled out of a decision's papers (see `rules.rulings.may_see_papers`)
may not read it: wherever the decision would appear they see only its reference and that they are
excluded. Pages ask `access_to`/`may_read`; lists filter with the SQL condition `visible` and show
`excluded_references`; prints split their decisions with `split_readable`.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Protocol

from sqlite_utils import Database

from ..rules.rulings import RULINGS, may_see_papers
from . import reviewers

# The rulings that keep a person from a decision's papers, from the rule itself.
EXCLUDING_RULINGS = tuple(ruling for ruling in RULINGS if not may_see_papers(ruling))

READ, EXCLUDED, REFUSED = "read", "excluded", "refused"

EXCLUDED_WORDS = "You are excluded from this decision\u2019s papers and discussion"


class Account(Protocol):
    """What the rule needs of an account (the signed-in user)."""

    id: Any
    person_id: int | None

    def can(self, capability: str) -> bool:
        """Whether the account's role has a capability."""


@dataclass(frozen=True)
class Viewer:
    """Whose view of the decisions: everyone's (sees_all), or one member's own decisions.

    The person behind the account, if any, never sees a decision they are excluded from.
    """

    sees_all: bool
    user_id: int | None = None
    person_id: int | None = None
    reads: bool = True  # False: the role reads no decisions at all


def viewer_for(account: Account) -> Viewer:
    """The viewer an account reads decisions as."""
    return Viewer(sees_all=account.can("read_all_decisions"), user_id=account.id,
                  person_id=account.person_id, reads=account.can("read_decisions"))


def _as_viewer(who: Account | Viewer) -> Viewer:
    return who if isinstance(who, Viewer) else viewer_for(who)


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def visible(who: Account | Viewer, table: str = "decisions") -> tuple[str, dict[str, Any]]:
    """The SQL condition (on the decisions table or its alias `table`) and its named parameters
    that keep a list to the decisions this viewer may read."""
    if not table.isidentifier():
        raise ValueError(f"'{table}' is not a table name")
    viewer = _as_viewer(who)
    marks = ", ".join(f":access_ruling_{i}" for i in range(len(EXCLUDING_RULINGS)))
    params: dict[str, Any] = {f"access_ruling_{i}": ruling
                              for i, ruling in enumerate(EXCLUDING_RULINGS)}
    params["access_user"] = viewer.user_id if viewer.user_id is not None else -1
    params["access_person"] = viewer.person_id if viewer.person_id is not None else -1
    if viewer.person_id is None:
        condition = "1"  # no person behind the account: no ruling can exclude it
    else:
        # A list worked out once, not a lookup for every decision in the register.
        condition = (f"{table}.id NOT IN (SELECT access_ruled.decision_id"
                     f" FROM decision_rulings AS access_ruled"
                     f" WHERE access_ruled.person_id = :access_person"
                     f" AND access_ruled.ruling IN ({marks}))")
    if not viewer.reads:
        return "0", params
    if viewer.sees_all:
        return condition, params
    return (f"({table}.author_user_id = :access_user OR EXISTS (SELECT 1 FROM"
            f" decision_participants AS access_mine WHERE access_mine.decision_id = {table}.id"
            f" AND access_mine.person_id = :access_person)) AND {condition}", params)


def excluded_ids(db: Database, who: Account | Viewer,
                 decision_ids: Iterable[int] | None = None) -> set[int]:
    """The decisions (of those given, or of all) the viewer's person is excluded from."""
    viewer = _as_viewer(who)
    if viewer.person_id is None:
        return set()
    sql = (f"SELECT decision_id FROM decision_rulings WHERE person_id = ?"
           f" AND ruling IN ({_marks(EXCLUDING_RULINGS)})")
    params: list[Any] = [viewer.person_id, *EXCLUDING_RULINGS]
    found = {row[0] for row in db.execute(sql, params).fetchall()}
    if decision_ids is not None:
        found &= set(decision_ids)
    return found


def excluded_references(db: Database, who: Account | Viewer) -> list[str]:
    """The references of every decision the viewer's person is excluded from, in order: all a
    list may say about them."""
    ids = sorted(excluded_ids(db, who))
    if not ids:
        return []
    return [row[0] for row in db.execute(
        f"SELECT reference FROM decisions WHERE id IN ({_marks(ids)}) ORDER BY reference",
        ids).fetchall()]


def access_to(db: Database, who: Account | Viewer, decision: dict[str, Any]) -> str:
    """`READ`, `EXCLUDED` (the viewer's person is ruled out of its papers) or `REFUSED` (the
    decision is not one this viewer reads) for a decision row with `id` and `author_user_id`."""
    viewer = _as_viewer(who)
    if excluded_ids(db, viewer, [decision["id"]]):
        return EXCLUDED
    if not viewer.reads:
        return REFUSED
    if viewer.sees_all:
        return READ
    condition, params = visible(viewer)
    row = db.execute(f"SELECT 1 FROM decisions WHERE decisions.id = :access_id AND {condition}",
                     {**params, "access_id": decision["id"]}).fetchone()
    if row:
        return READ
    if viewer.user_id is not None and _routed_to_review(db, viewer.user_id, decision["id"]):
        return READ  # the committee's independent reviewer, for a decision routed to them
    return REFUSED


def _routed_to_review(db: Database, user_id: int, decision_id: int) -> bool:
    """Whether a decision waiting on review is routed to this account as the committee's
    independent reviewer (see decisions/reviewers.py)."""
    status = db.execute("SELECT status FROM decisions WHERE id = ?", [decision_id]).fetchone()
    return bool(status) and status[0] in reviewers.WAITING and \
        reviewers.is_routed_to(db, decision_id, SimpleNamespace(id=user_id))


def may_read(db: Database, who: Account | Viewer, decision: dict[str, Any]) -> bool:
    """Whether this account may read this decision (its page, papers, JSON and prints)."""
    return access_to(db, who, decision) == READ


def split_readable(db: Database, who: Account | Viewer,
                   decision_ids: Sequence[int]) -> tuple[list[int], list[int]]:
    """The given decisions the viewer may read, and those they are excluded from, in order.

    For prints and exports of decisions chosen by other means (a committee and period): the
    excluded ones are left out and named by reference only."""
    excluded = excluded_ids(db, who, decision_ids)
    return ([i for i in decision_ids if i not in excluded],
            [i for i in decision_ids if i in excluded])
