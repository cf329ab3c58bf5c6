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
from . import home_practices, queries
from .forms import HomePracticePeriodForm, LeftPracticeForm, MovedPracticeForm, PersonForm

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
        periods=home_practices.periods_of(db, person_id),
        account=queries.account_of(db, person_id), role_labels=ROLE_LABELS,
        interests_url=_interests_url(person_id), roles=ROLES, categories=CATEGORIES)


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@requires("edit_reference_data")
def edit(person_id: int) -> str | Response:
    """Edit a person, refusing the save if someone else changed them meanwhile."""
    person = _person_or_404(person_id)
    form = _with_practices(PersonForm(
        data={**person, "home_practice_id": person["current_practice_id"]}
        if request.method == "GET" else None, person_id=person_id))
    if form.validate_on_submit() and save_edit(
            form, lambda version: queries.update_person(
                get_db(), person_id, version, form.values(), current_user.actor),
            form.email, f"Someone already has the email address {form.email.data}"):
        flash(f"{form.name.data} saved.", "success")
        return redirect(url_for("people.detail", person_id=person_id))
    return render_template("people/form.html", form=form, person=person)


def _practice_choices(form: MovedPracticeForm | HomePracticePeriodForm) -> None:
    form.practice_id.choices = [("", "Choose a practice")] + [
        (str(p["id"]), f"{p['name']} ({p['ods_code']})" if p["ods_code"] else p["name"])
        for p in practice_choices(get_db())]


@bp.route("/<int:person_id>/moved-practice", methods=["GET", "POST"])
@requires("edit_reference_data")
def moved_practice(person_id: int) -> str | Response:
    """A GP moved practice: their current period ends the day before they start at the new one,
    so decisions before the move are judged by the old practice and after it by the new."""
    person = _person_or_404(person_id)
    form = MovedPracticeForm()
    _practice_choices(form)
    if form.validate_on_submit():
        try:
            home_practices.move(get_db(), person_id, int(form.practice_id.data),
                                form.date_from.data, current_user.actor)
        except home_practices.PeriodProblem as error:
            form.date_from.errors.append(str(error))
        else:
            flash(f"{person['name']}'s move of practice saved.", "success")
            return redirect(url_for("people.detail", person_id=person_id))
    return render_template("people/home_practice_form.html", form=form, person=person,
                           heading=f"{person['name']} moved practice", button="Save move")


@bp.route("/<int:person_id>/home-practices/new", methods=["GET", "POST"])
@requires("edit_reference_data")
def add_home_practice(person_id: int) -> str | Response:
    """Record a home practice period with its dates (an earlier practice, recorded late)."""
    person = _person_or_404(person_id)
    form = HomePracticePeriodForm()
    _practice_choices(form)
    if form.validate_on_submit():
        try:
            home_practices.add_period(get_db(), person_id, int(form.practice_id.data),
                                      form.date_from.data, form.date_to.data, current_user.actor)
        except home_practices.PeriodProblem as error:
            form.date_from.errors.append(str(error))
        else:
            flash(f"Home practice period of {person['name']} added.", "success")
            return redirect(url_for("people.detail", person_id=person_id))
    return render_template("people/home_practice_form.html", form=form, person=person,
                           heading=f"Add a home practice period for {person['name']}",
                           button="Add period")


@bp.route("/<int:person_id>/left-practice", methods=["GET", "POST"])
@requires("edit_reference_data")
def left_practice(person_id: int) -> str | Response:
    """They left their home practice and work in none now: end the current period."""
    person = _person_or_404(person_id)
    form = LeftPracticeForm()
    if form.validate_on_submit():
        if home_practices.end_current(get_db(), person_id, form.date_to.data, current_user.actor):
            flash(f"{person['name']}'s home practice period ended.", "success")
            return redirect(url_for("people.detail", person_id=person_id))
        form.date_to.errors.append("They have no home practice period still open on that date")
    return render_template("people/home_practice_form.html", form=form, person=person,
                           heading=f"{person['name']} left their practice", button="End period")


@bp.route("/<int:person_id>/home-practices/<int:period_id>/remove", methods=["GET", "POST"])
@requires("edit_reference_data")
def remove_home_practice(person_id: int, period_id: int) -> str | Response:
    """Delete a home practice period recorded by mistake (asks first)."""
    person = _person_or_404(person_id)
    db = get_db()
    period = next((p for p in home_practices.periods_of(db, person_id) if p["id"] == period_id),
                  None)
    if period is None:
        abort(404)
    if request.method == "GET":
        return render_template("people/home_practice_remove.html", person=person, period=period)
    if home_practices.remove_period(db, person_id, period_id, current_user.actor):
        flash(f"{period['practice_name']} removed from {person['name']}'s home practices.",
              "success")
    return redirect(url_for("people.detail", person_id=person_id))
