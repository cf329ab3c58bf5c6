"""Printed reports: a decision's audit record and the board's audit pack, as PDF downloads.

The data is read in one short read transaction (see `register.pdf.loaders`) and the PDF laid out
after it is released, so other people's pages keep loading, and saving, while a pack is built.
"""
from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.access import requires
from ..db import get_db
from ..decisions import access
from ..decisions.views import excluded_page
from ..pdf import builders, loaders
from ..rules.decisions import format_money
from ..rules.publication import financial_year_label, financial_year_of, parse_financial_year
from ..timeutil import today_uk
from . import annual
from .forms import PackForm

bp = Blueprint("reports", __name__)


def pdf_response(data: bytes, filename: str) -> Response:
    """PDF bytes as a download with a safe file name."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "document.pdf"
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _index_page(reference: str = "", problem: str | None = None) -> str:
    """The reports page, with the reference typed in the box and what is wrong with it."""
    return render_template("reports/index.html", can_pack=current_user.can("read_all_decisions"),
                           reference=reference, problem=problem)


@bp.route("/reports/")
@requires("read_decisions")
def index() -> str:
    """What can be printed, and a box to print any decision's audit record."""
    return _index_page()


@bp.route("/reports/decision")
@requires("read_decisions")
def find_decision() -> Response | str:
    """Go to the audit record of the decision whose reference was typed; a reference that is
    empty, or names no decision this user may read, is an error message on the form."""
    typed = (request.args.get("reference") or "").strip()[:50]
    if not typed:
        return _index_page(typed, "Enter the decision reference, like MOB-2026-0007")
    db = get_db()
    decision = loaders.decision_for_reference(db, typed)
    # A decision the user may not read is answered as one that does not exist; one they are
    # excluded from goes to the record, which says they are excluded.
    if decision is None or access.access_to(db, current_user, decision) == access.REFUSED:
        return _index_page(typed, f"There is no decision {typed.upper()} that you may read: "
                                  "check the reference, like MOB-2026-0007")
    return redirect(url_for("reports.decision_record", reference=decision["reference"]))


@bp.route("/decisions/<reference>/record.pdf")
@bp.route("/reports/decisions/<reference>.pdf", endpoint="decision_record_alias")
@requires("read_decisions")
def decision_record(reference: str) -> Response | tuple[str, int]:
    """A decision's audit record as a PDF (OFFICIAL-SENSITIVE with ?marking=OFFICIAL-SENSITIVE)."""
    db = get_db()
    decision = loaders.decision_for_reference(db, reference)
    if decision is None:
        abort(404)
    answer = access.access_to(db, current_user, decision)
    if answer == access.EXCLUDED:
        return excluded_page(decision["reference"])
    if answer != access.READ:
        abort(403)
    marking = request.args.get("marking", "OFFICIAL")
    if marking not in ("OFFICIAL", "OFFICIAL-SENSITIVE"):
        marking = "OFFICIAL"
    record = loaders.decision_record(db, decision["reference"],
                                     organisation=current_app.config["ORGANISATION_NAME"])
    if record is None:
        abort(404)
    data = builders.build_decision_record(record, builders.PrintOptions(
        marking=marking, author=current_user.display_name))
    return pdf_response(data, f"{decision['reference']}-audit-record.pdf")


@bp.route("/reports/pack", methods=["GET", "POST"])
@requires("read_all_decisions")
def pack() -> str | Response:
    """Choose a committee and period; the board's audit pack comes back as a PDF download."""
    db = get_db()
    form = PackForm()
    form.committee_id.choices = [("", "Select a committee")] + [
        (str(c["id"]), c["name"]) for c in loaders.committee_choices(db)]
    if request.method == "GET":
        form.prepared_by.data = form.prepared_by.data or current_user.display_name
        if form.date_from.data is None:
            today = today_uk()
            start = dt.date(today.year, ((today.month - 1) // 3) * 3 + 1, 1)
            form.date_from.process(None, start)
            form.date_to.process(None, today)
    if form.validate_on_submit():
        committee = next(c for c in loaders.committee_choices(db)
                         if str(c["id"]) == form.committee_id.data)
        committee = loaders.committee_by_name(db, committee["name"])
        data = loaders.audit_pack(
            db, committee, form.date_from.data, form.date_to.data,
            organisation=current_app.config["ORGANISATION_NAME"],
            prepared_by=form.prepared_by.data, purpose=form.purpose.data,
            recommendation=form.recommendation.data, marking=form.marking.data,
            viewer=access.viewer_for(current_user))
        pdf = builders.build_audit_pack(data, builders.PrintOptions(
            marking=form.marking.data, author=form.prepared_by.data,
            review_target_days=current_app.config["REVIEW_TARGET_WORKING_DAYS"]))
        name = f"audit-pack-{committee['name']}-{form.date_from.data}-to-{form.date_to.data}.pdf"
        return pdf_response(pdf, name)
    return render_template("reports/pack.html", form=form)


# ---- the annual summary of the Provider Selection Regime --------------------------------------

def _annual_year() -> tuple[int, str, str | None]:
    """The financial year asked for (?year=2025 or 2025/26), what was typed, and any problem;
    the year now running when nothing was typed."""
    typed = (request.args.get("year") or "").strip()[:20]
    if not typed:
        return financial_year_of(today_uk()), typed, None
    try:
        return parse_financial_year(typed), typed, None
    except ValueError as error:
        return financial_year_of(today_uk()), typed, str(error)


@bp.route("/reports/annual-summary")
@requires("read_all_decisions")
def annual_summary() -> str:
    """The year's use of the Provider Selection Regime: routes, awards and conflicts managed."""
    first_year, typed, problem = _annual_year()
    summary = annual.load_summary(get_db(), access.viewer_for(current_user), first_year)
    return render_template("reports/annual.html", summary=summary,
                           typed=typed or financial_year_label(first_year), problem=problem,
                           format_money=format_money)


@bp.route("/reports/annual-summary.csv")
@requires("read_all_decisions")
def annual_summary_csv() -> Response:
    """The annual summary as a CSV file: the routes, then the awards."""
    first_year, _typed, problem = _annual_year()
    if problem:
        return Response(f"{problem}.\n", status=400, mimetype="text/plain")
    summary = annual.load_summary(get_db(), access.viewer_for(current_user), first_year)
    response = Response(annual.summary_csv(summary).encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="psr-annual-summary-{first_year}-{(first_year + 1) % 100:02d}.csv"')
    return response


@bp.route("/reports/annual-summary.pdf")
@requires("read_all_decisions")
def annual_summary_pdf() -> Response:
    """The annual summary as a PDF."""
    first_year, _typed, problem = _annual_year()
    if problem:
        return Response(f"{problem}.\n", status=400, mimetype="text/plain")
    summary = annual.load_summary(get_db(), access.viewer_for(current_user), first_year)
    data = builders.build_annual_summary(
        summary, current_app.config["ORGANISATION_NAME"],
        builders.PrintOptions(author=current_user.display_name))
    return pdf_response(data, f"psr-annual-summary-{first_year}-{(first_year + 1) % 100:02d}.pdf")
