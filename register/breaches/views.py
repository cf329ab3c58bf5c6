"""The breaches register: the list, recording a breach, its investigation and closing, and the
anonymised published summary."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.access import requires
from ..db import get_db
from ..interests.queries import person_choices
from ..rules import breaches as rules
from ..timeutil import today_uk
from . import queries
from .forms import BreachForm, InvestigationForm

bp = Blueprint("breaches", __name__)
public_bp = Blueprint("public_breaches", __name__)


@bp.route("/breaches/")
@requires("read_breaches")
def index() -> str:
    """Every breach, open first."""
    state = request.args.get("state", "")
    state = state if state in ("open", "closed") else ""
    return render_template("breaches/index.html", rows=queries.breaches(get_db(), state=state),
                           state=state)


@bp.route("/breaches/new", methods=["GET", "POST"])
@requires("manage_breaches")
def new() -> str | Response:
    """Record a breach found."""
    db = get_db()
    form = BreachForm(people=person_choices(db))
    if form.validate_on_submit():
        decision_id = None
        typed = (form.reference.data or "").strip().upper()
        if typed:
            found = db.execute("SELECT id FROM decisions WHERE reference = ?",
                               [typed]).fetchone()
            if found is None:
                form.reference.errors.append(
                    f"No decision has the reference {typed}: check it, or leave it empty")
                return render_template("breaches/new.html", form=form)
            decision_id = found[0]
        breach_id = queries.create_breach(db, {
            "kind": form.kind.data, "detail": form.detail.data,
            "person_id": int(form.person_id.data) if form.person_id.data else None,
            "decision_id": decision_id, "found_on": form.found_on.data.isoformat()},
            user_id=current_user.id, actor=current_user.actor)
        flash("Breach recorded. Record the investigation and its outcome here when you have "
              "them.", "success")
        return redirect(url_for("breaches.show", breach_id=breach_id))
    return render_template("breaches/new.html", form=form)


def _breach_or_404(breach_id: int) -> dict[str, Any]:
    row = queries.get_breach(get_db(), breach_id)
    if row is None:
        abort(404)
    return row


@bp.route("/breaches/<int:breach_id>", methods=["GET", "POST"])
@requires("read_breaches")
def show(breach_id: int) -> str | Response | tuple[str, int]:
    """One breach; a governance lead records its investigation and closes it here."""
    row = _breach_or_404(breach_id)
    manage = current_user.can("manage_breaches") and not row["closed_on"]
    form = InvestigationForm(data=None if request.method == "POST" else {
        **{k: row[k] for k in ("investigation", "outcome", "lessons", "public_summary")},
        "version": str(row["version"])})
    if request.method == "POST":
        if not manage:
            abort(403)
        if form.validate_on_submit():
            refused = False
            if form.close.data and (problem := rules.closing_problem(
                    form.outcome.data, form.lessons.data, form.public_summary.data)):
                form.form_errors.append(problem)
                refused = True
            if (form.public_summary.data or "").strip() and (
                    problem := rules.named_in_summary_problem(
                        form.public_summary.data,
                        [row["person_name"]] if row["person_name"] else [])):
                form.public_summary.errors.append(problem)
                refused = True
            if not refused:
                values = {k: form[k].data or "" for k in
                          ("investigation", "outcome", "lessons", "public_summary")}
                if form.close.data:
                    values["closed_on"] = today_uk().isoformat()
                version = int(form.version.data) if (form.version.data or "").isdecimal() else -1
                try:
                    queries.update_breach(get_db(), breach_id, version, values,
                                          actor=current_user.actor)
                except queries.StaleBreach:
                    form.form_errors.append("Someone else changed this breach while you were "
                                            "editing it: nothing was saved. What you typed is "
                                            "still here; reload the page to see their changes.")
                    return render_template("breaches/show.html", row=row, form=form,
                                           manage=manage), 409
                flash("Breach closed." if form.close.data else "Breach saved.", "success")
                return redirect(url_for("breaches.show", breach_id=breach_id))
    return render_template("breaches/show.html", row=row, form=form, manage=manage)


@public_bp.route("/public/breaches")
def register() -> str:
    """The anonymised summaries of closed breaches and the lessons learned (no sign-in)."""
    return render_template("breaches/public.html", rows=queries.published(get_db()))
