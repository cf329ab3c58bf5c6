"""A provider not yet on the organisation list, added from the decision form.

The form's "Add the organisation" button posts the whole decision form with the new
organisation's name and identifiers. The organisation is added (audited, in its own write, with
the organisation form's checks), and the decision form comes back with everything typed kept
and the new organisation in the provider box that named it. The decision itself is not saved:
Save draft or Continue do that, as always.
"""
from __future__ import annotations

from typing import Any

from flask import request
from sqlite_utils import Database

from ..editing import save_new
from ..organisations import identity
from ..organisations import queries as organisation_queries
from ..organisations.forms import OrganisationForm

ACTION = "add_provider"
PREFIX = "new_provider-"
# The start of the message a provider box gets when nothing on the list matches what was typed
# (decisions/queries.py, resolve_organisation).
NO_MATCH = "No organisation matches"
CLASH = "That ODS code, Companies House number or charity number is already used"


def is_asked() -> bool:
    """Whether this request is the decision form's "Add the organisation" button."""
    return request.method == "POST" and request.form.get("action") == ACTION


def unmatched_text(decision_form: Any) -> str:
    """What was typed in the first provider box that matched nothing on the list, or ''."""
    for entry in decision_form.providers:
        if any(str(message).startswith(NO_MATCH) for message in entry.errors):
            return (entry.data or "").strip()
    return ""


def blank_form(decision_form: Any) -> OrganisationForm:
    """The add-organisation fields, the name filled in from a provider box that matched
    nothing (so the secretary need not type it again); `unmatched` says there was one."""
    unmatched = unmatched_text(decision_form)
    fields = _fields(formdata=None, data={"name": unmatched})
    fields.unmatched = unmatched
    return fields


def _fields(**kwargs: Any) -> OrganisationForm:
    """The organisation form's fields and checks, named apart from the decision form's (the
    decision form's own token covers the post)."""
    fields = OrganisationForm(prefix=PREFIX, meta={"csrf": False}, **kwargs)
    fields.name.label.text = "Name of the organisation"
    return fields


def add(db: Database, decision_form: Any, actor: str) -> tuple[OrganisationForm, str | None]:
    """Add the organisation posted with the decision form and put it in a provider box.

    Returns the add-organisation fields to show again (blank once added; with their errors
    when refused) and, once added, the sentence saying so. The decision form keeps every value
    typed; the box that held the new organisation's name (or the first empty box) now names it.
    """
    fields = _fields(formdata=request.form)
    fields.unmatched = ""
    if not fields.validate():
        return fields, None
    new_id = save_new(
        lambda: organisation_queries.create_organisation(db, fields.values(), actor),
        fields.ods_code, CLASH)
    if new_id is None:
        return fields, None
    organisation = organisation_queries.get_organisation(db, new_id)
    assert organisation is not None
    written = identity.label(organisation)
    box = _box_for(decision_form, fields.name.data or "")
    if box is None:
        where = "Type it in a provider box: they are all in use"
    else:
        old = (box.data or "").strip()
        box.data = written
        if old and (decision_form.awarded_provider.data or "").strip() == old:
            decision_form.awarded_provider.data = written
        where = f"It is now in proposed provider {_number(decision_form, box)}"
    decision_form.refresh_awarded_choices()
    return (blank_form(decision_form),
            f"{organisation['name']} added to the organisation list. {where}. "
            "The decision is not saved yet: save the draft or continue.")


def _squeezed(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _box_for(decision_form: Any, name: str) -> Any | None:
    """The provider box that held this name as typed, else the first box whose text matches
    nothing on the list, else the first empty one."""
    for entry in decision_form.providers:
        if _squeezed(entry.data or "") and _squeezed(entry.data or "") == _squeezed(name):
            return entry
    for entry in decision_form.providers:
        text = (entry.data or "").strip()
        if text:
            _found, problem = decision_form.resolve(text)
            if problem and problem.startswith(NO_MATCH):
                return entry
    return next((entry for entry in decision_form.providers
                 if not (entry.data or "").strip()), None)


def _number(decision_form: Any, box: Any) -> int:
    return next(number for number, entry in enumerate(decision_form.providers, start=1)
                if entry is box)
