"""Finding the registered organisation that a person or a file names, by any of its identifiers.

This is the one owner of "which organisation is this?". Imports, forms and the free-text resolution
all ask it. An organisation is found by its ODS code, Companies House number, charity number, or its
exact name as a key (see `rules.identifiers`). The answer is one of:

- found: every identifier given that the register knows points at the same organisation, and no
  identifier given contradicts it (an organisation with a different number of the same kind is
  never the one named, whatever its name);
- not found: nothing matches (the caller may create it, or keep the name as free text);
- a problem in words: two identifiers point at two different organisations, or the name alone fits
  several organisations.

`Resolver` loads the identifiers once and answers from memory, so an import of tens of thousands of
rows asks it without a query per row; it learns organisations the same import is about to create.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from ..rules.identifiers import NORMALISERS, SCHEMES, IdentifierError, Named, Reference
from ..rules.names import name_key

IDENTIFIER_COLUMNS = tuple(SCHEMES)


@dataclass(frozen=True)
class Found:
    """The answer: the organisation id (or None), how it was found, or the problem in words."""

    organisation_id: int | None = None
    via: str = ""
    problem: str = ""
    candidates: tuple[int, ...] = ()


@dataclass
class _Entry:
    id: int
    name: str
    identifiers: dict[str, str] = field(default_factory=dict)


def keyed(values: dict[str, Any]) -> dict[str, Any]:
    """The values with `name_key` set from `name`: every write of an organisation's name calls this,
    so the stored key always matches the name."""
    if "name" in values:
        return {**values, "name_key": name_key(values["name"])}
    return values


class Resolver:
    """The register's organisations indexed by every identifier and by name key."""

    def __init__(self, rows: Iterable[dict[str, Any]] = ()):
        self._by: dict[str, dict[str, int]] = {kind: {} for kind in IDENTIFIER_COLUMNS}
        # Built when a name is first looked up: a file that names every organisation by an
        # identifier never pays for the name keys of the whole register.
        self._by_name_index: dict[str, set[int]] | None = None
        self._entries: dict[int, _Entry] = {}
        for row in rows:
            self.learn(row["id"], row)

    @property
    def _by_name(self) -> dict[str, set[int]]:
        if self._by_name_index is None:
            index: dict[str, set[int]] = defaultdict(set)
            for entry in self._entries.values():
                if key := name_key(entry.name):
                    index[key].add(entry.id)
            self._by_name_index = index
        return self._by_name_index

    @classmethod
    def load(cls, db: Database) -> Resolver:
        """A resolver over every organisation in the register."""
        return cls(db.query("SELECT id, name, " + ", ".join(IDENTIFIER_COLUMNS)
                            + " FROM organisations"))

    def learn(self, organisation_id: int, values: dict[str, Any]) -> None:
        """Add (or update) one organisation, for example one an import will create."""
        old = self._entries.get(organisation_id)
        names = self._by_name_index
        if old is not None:
            if names is not None:
                names[name_key(old.name)].discard(organisation_id)
            for kind, value in old.identifiers.items():
                self._by[kind].pop(value, None)
        entry = _Entry(organisation_id, values.get("name") or "",
                       {kind: values[kind] for kind in IDENTIFIER_COLUMNS if values.get(kind)})
        self._entries[organisation_id] = entry
        if names is not None and (key := name_key(entry.name)):
            names[key].add(organisation_id)
        for kind, value in entry.identifiers.items():
            self._by[kind][value] = organisation_id

    def name_of(self, organisation_id: int) -> str:
        """The registered name of an organisation the resolver knows."""
        return self._entries[organisation_id].name

    def identifiers_of(self, organisation_id: int) -> dict[str, str]:
        """The identifiers the register holds for an organisation, by kind."""
        return dict(self._entries[organisation_id].identifiers)

    def holder(self, kind: str, value: str) -> int | None:
        """The organisation that holds this identifier, or None."""
        return self._by[kind].get(value)

    def find(self, named: Named) -> Found:
        """The organisation named, by identifiers first and then by exact name key."""
        given = named.identifiers()
        hits: dict[str, int] = {}
        for kind, value in given.items():
            if (org_id := self._by[kind].get(value)) is not None:
                hits[kind] = org_id
        if len(set(hits.values())) > 1:
            described = [f"{SCHEMES[kind][0]} {given[kind]} is {self.name_of(org_id)}"
                         for kind, org_id in hits.items()]
            return Found(problem="These identifiers name different organisations: "
                                 + "; ".join(described),
                         candidates=tuple(sorted(set(hits.values()))))
        if hits:
            kind, org_id = next(iter(hits.items()))
            clash = self._contradiction(org_id, given)
            if clash:
                return Found(problem=clash, candidates=(org_id,))
            return Found(org_id, via=kind)
        if not named.name:
            return Found()
        # Found by name only when no identifier given contradicts the organisation with that name.
        same_name = [org_id for org_id in sorted(self._by_name.get(name_key(named.name), ()))
                     if not self._contradiction(org_id, given)]
        if len(same_name) == 1:
            return Found(same_name[0], via="name")
        if len(same_name) > 1:
            return Found(problem=f"{len(same_name)} organisations in the register are called "
                                 f"‘{named.name}’: give its ODS code, Companies House number or "
                                 f"charity number to say which",
                         candidates=tuple(same_name))
        return Found()

    def find_reference(self, reference: Reference) -> Found:
        """The organisation one cell of a file names (see `rules.identifiers.parse_organisation_reference`):
        each way of reading it is tried in turn until one finds an organisation or a problem."""
        for named in reference.tries:
            found = self.find(named)
            if found.organisation_id is not None or found.problem:
                return found
        return Found()

    def _contradiction(self, organisation_id: int, given: dict[str, str]) -> str:
        held = self._entries[organisation_id].identifiers
        for kind, value in given.items():
            if held.get(kind) and held[kind] != value:
                return (f"{self.name_of(organisation_id)} has {SCHEMES[kind][0]} {held[kind]}, "
                        f"not {value}")
        return ""

    def find_by_name_key(self, key: str) -> list[int]:
        """Every organisation whose name has this key."""
        return sorted(self._by_name.get(key, ()))


def find(db: Database, named: Named) -> Found:
    """Resolve one named organisation against the whole register (forms, single lookups)."""
    given = named.identifiers()
    clauses, params = [], []
    for kind, value in given.items():
        clauses.append(f"{kind} = ?")  # kind is one of the fixed identifier columns
        params.append(value)
    if named.name:
        clauses.append("name_key = ?")
        params.append(name_key(named.name))
    if not clauses:
        return Found()
    rows = db.query("SELECT id, name, " + ", ".join(IDENTIFIER_COLUMNS) + " FROM organisations"
                    " WHERE " + " OR ".join(clauses), params)
    return Resolver(rows).find(named)


# A box in a form holds a name, an identifier, or a suggestion picked from the list:
# "Name (identifier)".
_NAME_WITH_IDENTIFIER = re.compile(r"^(?P<name>.*\S)\s*\((?P<code>[^()]+)\)$")


def label(organisation: dict[str, Any]) -> str:
    """How a form shows an organisation so that `find_typed` finds it again: 'Name (identifier)'
    with its ODS code, Companies House number or charity number, or the name alone."""
    code = next((organisation.get(kind) for kind in IDENTIFIER_COLUMNS if organisation.get(kind)),
                None)
    return f"{organisation['name']} ({code})" if code else organisation["name"]


def find_typed(db: Database, text: str) -> Found:
    """The organisation a person typed in a box: an identifier of any kind, 'Name (identifier)'
    as the suggestions write it, or the exact name (see `rules.names.name_key`)."""
    typed = (text or "").strip()
    if not typed:
        return Found()
    match = _NAME_WITH_IDENTIFIER.match(typed)
    code = match.group("code") if match else typed
    hits: dict[int, str] = {}
    for kind, normalise in NORMALISERS.items():
        try:
            value = normalise(code)
        except IdentifierError:
            continue
        if value and (found := find(db, Named(**{kind: value}))).organisation_id is not None:
            hits.setdefault(found.organisation_id, kind)
    if len(hits) == 1:
        organisation_id, kind = next(iter(hits.items()))
        return Found(organisation_id, via=kind)
    if len(hits) > 1:
        return Found(problem=f"'{code.strip()}' is a code or number of {len(hits)} different "
                             "organisations: choose the organisation from the suggestions, or "
                             "enter its name",
                     candidates=tuple(sorted(hits)))
    found = find(db, Named(name=typed))
    if found.organisation_id is None and not found.problem and match:
        found = find(db, Named(name=match.group("name")))
    return found
