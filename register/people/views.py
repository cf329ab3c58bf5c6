"""People: the list, a person's page, adding and editing."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from ..auth.access import requires
from ..auth.roles import ROLE_LABELS
from ..committees.queries import CATEGORIES, ROLES
from ..db import get_db
from ..editing import save_edit, save_new
from ..listing import list_options
from ..organisations.queries import practice_choices
from . import queries
from .forms import PersonForm

bp = Blueprint("people", __name__, url_prefix="/people")


def _person_or_404(person_id: int) -> dict:
    row = queries.get_person(get_db(), person_id)
    if row is None:
        abort(404)
    return row


def _interests_url(person_id: int) -> str:
    """The person's interests page (its blueprint may not be registered in every build)."""
    try:
        return url_for("interests.person", person_id=person_id)
    except BuildError:
        return f"/interests/person/{person_id}"


def _with_practices(form: PersonForm) -> PersonForm:
    form.home_practice_id.choices = [("", "No home practice")] + [
        (str(p["id"]), f"{p['name']} ({p['ods_code']})" if p["ods_code"] else p["name"])
        for p in practice_choices(get_db())]
    if form.home_practice_id.data is not None:
        form.home_practice_id.data = str(form.home_practice_id.data)
    if form.birth_month.data is not None:
        form.birth_month.data = str(form.birth_month.data)
    if form.birth_year.data is not None:
        form.birth_year.data = str(form.birth_year.data)
    return form


@bp.route("/")
@requires("read_reference_data")
def index() -> str:
    """Everyone in the register, filtered, sorted and a page at a time."""
    q = (request.args.get("q") or "").strip()
    decision_makers = request.args.get("decision_makers") or ""
    result, sort, direction = queries.list_people(
        get_db(), q=q, decision_makers=decision_makers, **list_options(request.args),
        page_size=current_app.config["PAGE_SIZE"])
    return render_template("people/index.html", result=result, q=q,
                           decision_makers=decision_makers, sort=sort, direction=direction)


@bp.route("/new", methods=["GET", "POST"])
@requires("edit_reference_data")
def new() -> str | Response:
    """Add a person."""
    form = _with_practices(PersonForm())
    if form.validate_on_submit() and (new_id := save_new(
            lambda: queries.create_person(get_db(), form.values(), current_user.actor),
            form.email, f"Someone already has the email address {form.email.data}")):
        flash(f"{form.name.data} added.", "success")
        return redirect(url_for("people.detail", person_id=new_id))
    return render_template("people/form.html", form=form, person=None)


@bp.route("/<int:person_id>")
@requires("read_reference_data")
def detail(person_id: int) -> str:
    """One person: positions, home practice, committees and a link to their interests."""
    person = _person_or_404(person_id)
    db = get_db()
    return render_template(
        "people/detail.html", person=person, committees=queries.committees_of(db, person_id),
        account=queries.account_of(db, person_id), role_labels=ROLE_LABELS,
        interests_url=_interests_url(person_id), roles=ROLES, categories=CATEGORIES)


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@requires("edit_reference_data")
def edit(person_id: int) -> str | Response:
    """Edit a person, refusing the save if someone else changed them meanwhile."""
    person = _person_or_404(person_id)
    form = _with_practices(PersonForm(data=person if request.method == "GET" else None,
                                      person_id=person_id))
    if form.validate_on_submit() and save_edit(
            form, lambda version: queries.update_person(
                get_db(), person_id, version, form.values(), current_user.actor),
            form.email, f"Someone already has the email address {form.email.data}"):
        flash(f"{form.name.data} saved.", "success")
        return redirect(url_for("people.detail", person_id=person_id))
    return render_template("people/form.html", form=form, person=person)
