"""Adding and editing versioned records: the insert and the version-checked update, each audited
in the same transaction, and the message shown when someone else saved first."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

from . import audit
from .db import write_transaction
from .timeutil import utcnow_iso

STALE_MESSAGE = ("Someone else changed this record while you were editing it. "
                 "Your changes have not been saved.")

# Reads a record back as the audit trail records it.
Fetch = Callable[[Database, int], "dict[str, Any] | None"]


def create_audited(db: Database, table: str, entity: str, values: dict[str, Any], actor: str,
                   fetch: Fetch) -> int:
    """Insert a record at version 1 and audit it; returns its id."""
    now = utcnow_iso()
    row = {**values, "created_at": now, "updated_at": now, "version": 1}
    with write_transaction(db):
        new_id = db[table].insert(row).last_pk
        audit.record(db, actor=actor, action="create", entity=entity, entity_id=new_id,
                     after=fetch(db, new_id))
    return new_id


def update_versioned(db: Database, table: str, entity: str, record_id: int, version: int,
                     values: dict[str, Any], actor: str, fetch: Fetch, *,
                     then: Callable[[Database], Any] | None = None) -> bool:
    """Save an edit made from the given version and audit it; False if someone else saved first.

    `then` runs in the same transaction after a saved edit: what the edit changes elsewhere (the
    decisions whose facts it touched) is brought up to date before anything commits."""
    # Column names come from each module's fixed EDITABLE tuple, never from the request.
    assignments = ", ".join(f"{key} = :{key}" for key in values)
    with write_transaction(db):
        before = fetch(db, record_id)
        changed = db.execute(
            f"UPDATE {table} SET {assignments}, updated_at = :now, version = version + 1"
            " WHERE id = :id AND version = :version",
            {**values, "now": utcnow_iso(), "id": record_id, "version": version},
        ).rowcount
        if not changed:
            return False
        audit.record(db, actor=actor, action="update", entity=entity, entity_id=record_id,
                     before=before, after=fetch(db, record_id))
        if then is not None:
            then(db)
    return True


def save_new(save: Callable[[], int], clash_field: Any, clash_message: str) -> int | None:
    """Run save() for an add form and return the new id; None, with the message on the clashing
    field, if a unique value was taken (perhaps by someone saving between the check and the write)."""
    try:
        return save()
    except sqlite3.IntegrityError:
        clash_field.errors.append(clash_message)
        return None


def submitted_version(form: Any) -> int:
    """The version an edit form was loaded at (0, which never matches, if it was tampered with)."""
    return int(form.version.data) if (form.version.data or "").isdecimal() else 0


def save_edit(form: Any, save: Callable[[int], bool], clash_field: Any, clash_message: str) -> bool:
    """Run save(version) for an edit form; if a unique value clashes or someone else saved first,
    put the message on the form and return False."""
    try:
        saved = save(submitted_version(form))
    except sqlite3.IntegrityError:
        clash_field.errors.append(clash_message)
        return False
    if not saved:
        form.form_errors.append(STALE_MESSAGE)
    return saved
