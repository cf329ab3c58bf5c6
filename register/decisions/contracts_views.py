"""Contracts over time: recording a contract modification, and the contracts coming up for
renewal (page and CSV)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import RadioField, StringField, TextAreaField

from ..auth.access import requires
from ..db import get_db
from ..forms import BaseForm, DateInputField, MaxLength, Required
from ..rules import modifications as rules
from ..rules.decisions import format_money, parse_money
from ..rules.text import neutralise
from ..timeutil import today_uk
from . import access, modifications
from .serialise import pounds

bp = Blueprint("contracts", __name__)


@bp.app_context_processor
def contract_helpers() -> dict[str, Any]:
    """`contract_money(pence)`: an amount in pounds, or a dash for none (for the modifications)."""
    return {"contract_money": lambda pence: format_money(pence) if pence is not None else "-"}


class ModificationForm(BaseForm):
    """A change to an awarded contract under regulation 13."""

    modified_on = DateInputField("Date of the modification", noun="the date of the modification",
                                 required=True)
    what_changed = TextAreaField("What changed", validators=[
        Required("Enter what changed"), MaxLength(2000)])
    value_before = StringField("Contract value before (optional)")
    value_after = StringField("Contract value after (optional)")
    new_end = DateInputField("New contract end date (optional)",
                             noun="the new contract end date")
    ground = RadioField("Permitted ground", choices=[("", "None: the value and term do not change"),
                                                     *rules.GROUNDS.items()], default="",
                        validate_choice=False)
    published_where = StringField("Where the notice was published (optional)",
                                  validators=[MaxLength(500)])
    published_on = DateInputField("Date the notice was published (optional)",
                                  noun="the date the notice was published")


def _decision(reference: str) -> dict[str, Any]:
    found = next(iter(get_db().query(
        "SELECT id, reference, title, status, author_user_id, meeting_date, contract_start,"
        " contract_end, total_value_pence FROM decisions WHERE reference = ?", [reference])), None)
    if found is None:
        abort(404)
    if access.access_to(get_db(), access.viewer_for(current_user), found) != access.READ:
        abort(403)
    return found


def _money(form: ModificationForm, name: str, noun: str) -> int | None:
    field = getattr(form, name)
    if not (field.data or "").strip():
        return None
    try:
        return parse_money(field.data, noun)
    except ValueError as error:
        field.errors.append(str(error))
        return None


def checked_modification(form: ModificationForm, decision: dict[str, Any],
                         current: list[rules.Modification]) -> rules.Modification | None:
    """The modification the form describes when every rule allows it, else None (with the
    reasons on the form's fields)."""
    before = _money(form, "value_before", "the contract value before")
    after = _money(form, "value_after", "the contract value after")
    if form.errors:
        return None
    if (before is None) != (after is None):
        missing = form.value_after if after is None else form.value_before
        missing.errors.append("Enter both the value before and the value after, or neither")
        return None
    original = decision["total_value_pence"]
    problem = rules.value_before_problem(before, rules.current_value(original, current))
    if problem:
        form.value_before.errors.append(problem)
        return None
    start = dt.date.fromisoformat(decision["contract_start"]) if decision["contract_start"] \
        else None
    problem = rules.dates_problem(form.modified_on.data,
                                  dt.date.fromisoformat(decision["meeting_date"]), start,
                                  form.new_end.data)
    if problem:
        field = form.new_end if problem.startswith("The new end") else form.modified_on
        field.errors.append(problem)
        return None
    old_end = rules.current_end(dt.date.fromisoformat(decision["contract_end"])
                                if decision["contract_end"] else None, current)
    term_changes = form.new_end.data is not None and form.new_end.data != old_end
    problem = rules.ground_problem(form.ground.data, original, before, after, term_changes)
    if problem:
        form.ground.errors.append(problem)
        return None
    problem = rules.published_problem(form.modified_on.data, form.published_on.data,
                                      form.published_where.data or "")
    if problem:
        field = form.published_where if "where" in problem else form.published_on
        field.errors.append(problem)
        return None
    assert form.modified_on.data is not None
    return rules.Modification(form.modified_on.data, form.what_changed.data.strip(), before, after,
                              form.new_end.data, form.ground.data or "",
                              (form.published_where.data or "").strip(), form.published_on.data)


@bp.route("/decisions/<reference>/modifications/new", methods=["GET", "POST"])
@requires("record_outcomes")
def new_modification(reference: str) -> Any:
    """Record a modification of a decided or published decision's contract."""
    decision = _decision(reference)
    if decision["status"] not in modifications.MODIFIABLE_STATUSES:
        flash(f"{reference} is not decided yet, so its contract cannot be modified.", "info")
        return redirect(url_for("decisions.show", reference=reference))
    db = get_db()
    current = list(modifications.load_for(db, [decision["id"]]).get(decision["id"], ()))
    current_value = rules.current_value(decision["total_value_pence"], current)
    form = ModificationForm()
    if request.method == "GET" and current_value is not None:
        form.value_before.data = f"{current_value / 100:.2f}"
    if form.validate_on_submit():
        checked = checked_modification(form, decision, current)
        if checked is not None:
            modifications.add(db, decision["id"], checked, current_user.actor)
            flash(f"Modification of {reference} recorded.", "success")
            return redirect(url_for("decisions.show", reference=reference) + "#modifications")
    status = 400 if request.method == "POST" else 200
    return render_template("decisions/modification_new.html", decision=decision, form=form,
                           current_value=format_money(current_value)), status


class NoticeForm(BaseForm):
    """Where and when a modification's notice was published, recorded after the modification."""

    published_where = StringField("Where the notice was published", validators=[
        Required("Enter where the notice of the modification was published"), MaxLength(500)])
    published_on = DateInputField("Date the notice was published",
                                  noun="the date the notice was published", required=True)


@bp.route("/decisions/<reference>/modifications/<int:modification_id>/notice",
          methods=["GET", "POST"])
@requires("record_outcomes")
def record_notice(reference: str, modification_id: int) -> Any:
    """Record the publication of a modification's notice."""
    decision = _decision(reference)
    db = get_db()
    found = next((m for m in modifications.load_for(db, [decision["id"]]).get(decision["id"], ())
                  if m.id == modification_id), None)
    if found is None:
        abort(404)
    form = NoticeForm()
    if form.validate_on_submit():
        problem = rules.published_problem(found.modified_on, form.published_on.data,
                                          form.published_where.data or "")
        if problem:
            form.published_on.errors.append(problem)
        else:
            assert form.published_on.data is not None
            modifications.record_notice(db, modification_id, form.published_where.data.strip(),
                                        form.published_on.data, current_user.actor)
            flash(f"Notice of the modification of {reference} recorded.", "success")
            return redirect(url_for("decisions.show", reference=reference) + "#modifications")
    return render_template("decisions/modification_notice.html", decision=decision, form=form,
                           modification=found), (400 if request.method == "POST" else 200)


@bp.route("/contracts/renewals")
@requires("read_all_decisions")
def renewals() -> Any:
    """Contracts ending within a chosen number of months, soonest first."""
    months_text = (request.args.get("months") or str(rules.DEFAULT_RENEWAL_MONTHS)).strip()[:10]
    problem = rules.renewal_months_problem(months_text)
    found = [] if problem else modifications.renewals(get_db(), today_uk(), int(months_text))
    return render_template("decisions/renewals.html", renewals=found, months=months_text,
                           problem=problem, lead_months=rules.RENEWAL_LEAD_MONTHS,
                           format_money=format_money), (400 if problem else 200)


@bp.route("/contracts/renewals.csv")
@requires("read_all_decisions")
def renewals_csv() -> Response:
    """The renewal list as a CSV file, text neutralised so no cell runs as a formula."""
    months_text = (request.args.get("months") or str(rules.DEFAULT_RENEWAL_MONTHS)).strip()[:10]
    if rules.renewal_months_problem(months_text):
        abort(400)
    found = modifications.renewals(get_db(), today_uk(), int(months_text))
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in modifications.renewal_rows(found, lambda p: pounds(p) or ""):
        writer.writerow([neutralise(c) if isinstance(c, str) else c for c in row])
    filename = f"contracts-renewals-{today_uk().isoformat()}.csv"
    return Response(out.getvalue().encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
