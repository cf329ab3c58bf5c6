"""Organisations: the list, a record's page, adding and editing, network and federation links."""
from __future__ import annotations

import sqlite3
from typing import Any

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.access import requires
from ..db import get_db
from ..editing import save_edit, save_new
from ..listing import list_options
from ..rules import identifiers
from ..rules.companies_house import is_dissolved
from . import identity, queries
from .forms import LinkDatesForm, LinkForm, OrganisationForm
from .queries import KINDS, PARENT_KINDS

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


def _organisation_or_404(organisation_id: int) -> dict:
    row = queries.get_organisation(get_db(), organisation_id)
    if row is None:
        abort(404)
    return row


@bp.route("/")
@requires("read_reference_data")
def index() -> str:
    """Every organisation, filtered, sorted and a page at a time."""
    q = (request.args.get("q") or "").strip()
    kind = request.args.get("kind") or ""
    member = request.args.get("member") or ""
    result, sort, direction = queries.list_organisations(
        get_db(), q=q, kind=kind, member=member, **list_options(request.args),
        page_size=current_app.config["PAGE_SIZE"])
    return render_template("organisations/index.html", result=result, q=q, kind=kind,
                           member=member, sort=sort, direction=direction, kinds=KINDS)


@bp.route("/lookup")
@requires("read_reference_data")
def lookup() -> Response:
    """Up to 20 organisations matching typed text by any identifier or name, for type-ahead
    pickers; `label` is how a form box writes the organisation so that saving finds it again."""
    rows = queries.lookup(get_db(), (request.args.get("q") or "")[:100],
                          kind=request.args.get("kind") or "")
    return jsonify([{"id": r["id"], "name": r["name"], "ods_code": r["ods_code"],
                     "companies_house_number": r["companies_house_number"],
                     "charity_number": r["charity_number"], "kind": r["kind"],
                     "label": identity.label(r)} for r in rows])


@bp.route("/new", methods=["GET", "POST"])
@requires("edit_reference_data")
def new() -> str | Response:
    """Add an organisation."""
    form = OrganisationForm()
    if form.validate_on_submit() and (new_id := save_new(
            lambda: queries.create_organisation(get_db(), form.values(), current_user.actor),
            form.ods_code, "That ODS code or Companies House number is already used")):
        flash(f"{form.name.data} added.", "success")
        return redirect(url_for("organisations.detail", organisation_id=new_id))
    return render_template("organisations/form.html", form=form, organisation=None, kinds=KINDS)


@bp.route("/<int:organisation_id>")
@requires("read_reference_data")
def detail(organisation_id: int) -> str:
    """One organisation: its details, its links and the people based there."""
    organisation = _organisation_or_404(organisation_id)
    db = get_db()
    return render_template(
        "organisations/detail.html", organisation=organisation, kinds=KINDS,
        parents=queries.parents_of(db, organisation_id),
        members=queries.members_of(db, organisation_id),
        people=queries.people_at(db, organisation_id),
        controllers=queries.controllers_of(db, organisation_id),
        dissolved=is_dissolved(organisation["company_status"], organisation["dissolved_on"]),
        is_parent_kind=organisation["kind"] in PARENT_KINDS,
        charity_register=identifiers.charity_register)


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@requires("edit_reference_data")
def edit(organisation_id: int) -> str | Response:
    """Edit an organisation, refusing the save if someone else changed it meanwhile."""
    organisation = _organisation_or_404(organisation_id)
    form = OrganisationForm(data=organisation if request.method == "GET" else None,
                            organisation_id=organisation_id)
    if form.validate_on_submit() and save_edit(
            form, lambda version: queries.update_organisation(
                get_db(), organisation_id, version, form.values(), current_user.actor),
            form.ods_code, "That ODS code or Companies House number is already used"):
        flash(f"{form.name.data} saved.", "success")
        return redirect(url_for("organisations.detail", organisation_id=organisation_id))
    return render_template("organisations/form.html", form=form, organisation=organisation,
                           kinds=KINDS)


@bp.route("/links/new", methods=["GET", "POST"])
@requires("edit_reference_data")
def new_link() -> str | Response:
    """Add a practice to a primary care network or GP federation."""
    db = get_db()
    form = LinkForm()
    form.parent_id.choices = [("", "Choose a network or federation")] + [
        (str(p["id"]), f"{p['name']} ({KINDS[p['kind']]})") for p in queries.parent_choices(db)]
    again = None
    if request.method == "GET":
        parent_id = request.args.get("parent_id", "")
        member_id = request.args.get("member_id", "")
        again = (queries.get_organisation(db, int(member_id))
                 if member_id.isdecimal() and parent_id.isdecimal() else None)
        form.parent_id.data = parent_id if parent_id.isdecimal() else ""
        if member_id.isdecimal():
            member = queries.get_organisation(db, int(member_id))
            form.member_code.data = (member or {}).get("ods_code") or ""
    if form.validate_on_submit():
        try:
            queries.add_link(
                db, form.parent["id"], form.member["id"],
                form.date_from.data.isoformat() if form.date_from.data else None,
                form.date_to.data.isoformat() if form.date_to.data else None,
                current_user.actor)
        except (sqlite3.IntegrityError, queries.LinkOverlap) as error:
            form.date_from.errors.append(
                f"{form.member['name']} already belongs to {form.parent['name']} then. {error}")
        else:
            flash(f"{form.member['name']} added to {form.parent['name']}.", "success")
            return redirect(url_for("organisations.detail", organisation_id=form.parent["id"]))
    return render_template("organisations/link_form.html", form=form, again=again)


def _link_and_back(link_id: int) -> tuple[dict[str, Any], int]:
    link = queries.get_link(get_db(), link_id)
    if link is None:
        abort(404)
    back = request.args.get("back", "")
    target = int(back) if back.isdecimal() and int(back) in (
        link["member_id"], link["parent_id"]) else link["parent_id"]
    return link, target


@bp.route("/links/<int:link_id>/dates", methods=["GET", "POST"])
@requires("edit_reference_data")
def link_dates(link_id: int) -> str | Response:
    """Change when a practice joined or left a network or federation (to end a membership)."""
    link, target = _link_and_back(link_id)
    form = LinkDatesForm(data={"date_from": link["date_from"], "date_to": link["date_to"]}
                         if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            queries.set_link_dates(
                get_db(), link_id,
                form.date_from.data.isoformat() if form.date_from.data else None,
                form.date_to.data.isoformat() if form.date_to.data else None, current_user.actor)
        except queries.LinkOverlap as error:
            form.date_from.errors.append(str(error))
        else:
            flash(f"Dates of {link['member_name']} in {link['parent_name']} saved.", "success")
            return redirect(url_for("organisations.detail", organisation_id=target))
    return render_template("organisations/link_dates.html", form=form, link=link, back=target)


@bp.route("/links/<int:link_id>/remove", methods=["GET", "POST"])
@requires("edit_reference_data")
def remove_link(link_id: int) -> str | Response:
    """Remove a membership recorded by mistake (asks first), then go back to where it was."""
    link, target = _link_and_back(link_id)
    if request.method == "GET":
        return render_template("organisations/link_remove.html", link=link, back=target)
    db = get_db()
    if queries.remove_link(db, link_id, current_user.actor):
        flash(f"{link['member_name']} removed from {link['parent_name']}.", "success")
    return redirect(url_for("organisations.detail", organisation_id=target))
