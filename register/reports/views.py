"""Printed reports: a decision's audit record and the board's audit pack, as PDF downloads.

The data is read in one short read transaction (see `register.pdf.loaders`) and the PDF laid out
after it is released; the audit pack is read and laid out in the background by a worker process
(see `pack_jobs`), so other people's pages keep loading, and saving, while a pack is built.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.access import requires
from ..db import ConnectionSettings, get_db
from ..decisions import access
from ..decisions.views import excluded_page
from ..pdf import loaders
from ..rules import figures as figure_rules
from ..rules.decisions import format_money
from ..rules.publication import (
    financial_year_dates,
    financial_year_label,
    financial_year_of,
    parse_financial_year,
)
from ..timeutil import today_uk
from . import annual, chart_svg, pack_jobs
from . import figures as figure_queries
from .forms import PackForm

bp = Blueprint("reports", __name__)


@bp.before_app_request
def _note_request() -> None:
    """Every request tells a pack being laid out to give way (`pack_jobs.give_way`)."""
    pack_jobs.note_request()


REFRESH_SECONDS = 2  # how often a pack's page reloads itself while the pack is built


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
    from ..pdf import builders  # the PDF library is loaded when a PDF is first asked for

    data = builders.build_decision_record(record, builders.PrintOptions(
        marking=marking, author=current_user.display_name))
    return pdf_response(data, f"{decision['reference']}-audit-record.pdf")


@bp.route("/reports/pack", methods=["GET", "POST"])
@requires("read_all_decisions")
def pack() -> str | Response:
    """Choose a committee and period; the board's audit pack is built in the background and
    its page shows the progress."""
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
        config = current_app.config
        # The register is read by the worker, not in this request: the job says what to print.
        order = pack_jobs.PackOrder(
            connection=ConnectionSettings.of(config), committee_id=committee["id"],
            committee_name=committee["name"], date_from=form.date_from.data,
            date_to=form.date_to.data, organisation=config["ORGANISATION_NAME"],
            prepared_by=form.prepared_by.data, purpose=form.purpose.data,
            recommendation=form.recommendation.data, marking=form.marking.data,
            review_target_days=config["REVIEW_TARGET_WORKING_DAYS"],
            viewer=access.viewer_for(current_user))
        name = f"audit-pack-{committee['name']}-{form.date_from.data}-to-{form.date_to.data}.pdf"
        job_id = pack_jobs.start(pack_jobs.folder_for(config), order,
                                 owner_user_id=current_user.id, filename=name)
        return redirect(url_for("reports.pack_job", job_id=job_id))
    return render_template("reports/pack.html", form=form)


def _own_job(job_id: str) -> dict[str, Any]:
    """The job, if it is the signed-in account's; 404 otherwise (another's job is not shown)."""
    job = pack_jobs.status(pack_jobs.folder_for(current_app.config), job_id)
    if job is None or job["owner_user_id"] != current_user.id:
        abort(404)
    return job


@bp.route("/reports/pack/jobs/<job_id>")
@requires("read_all_decisions")
def pack_job(job_id: str) -> Response:
    """A pack being built: its stage and pages done (the page refreshes itself), then the file."""
    job = _own_job(job_id)
    response = make_response(render_template("reports/pack_job.html", job=job,
                                             ready=pack_jobs.READY, failed=pack_jobs.FAILED))
    if job["state"] not in (pack_jobs.READY, pack_jobs.FAILED):
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/reports/pack/jobs/<job_id>.json")
@requires("read_all_decisions")
def pack_job_status(job_id: str) -> Response:
    """A pack's progress as JSON: state, stage and pages done."""
    job = _own_job(job_id)
    response = jsonify({key: job[key] for key in ("state", "stage", "pages")})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/reports/pack/jobs/<job_id>/file")
@requires("read_all_decisions")
def pack_job_file(job_id: str) -> Response:
    """The finished pack, for the account that asked for it while it may still read every
    decision in it (the one access rule, as when it was built)."""
    job = _own_job(job_id)
    if job["state"] != pack_jobs.READY or job.get("references") is None:
        abort(404)  # not built yet, or its decisions are not known: nothing to check it against
    db = get_db()
    ids = [row[0] for row in db.execute(
        "SELECT id FROM decisions WHERE reference IN (SELECT value FROM json_each(?))",
        [json.dumps(job["references"])]).fetchall()]
    _readable, excluded = access.split_readable(db, current_user, ids)
    if excluded:
        abort(403)
    path = pack_jobs.pdf_path(pack_jobs.folder_for(current_app.config), job_id)
    return pdf_response(path.read_bytes(), job["filename"])


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
    from ..pdf import builders  # the PDF library is loaded when a PDF is first asked for

    data = builders.build_annual_summary(
        summary, current_app.config["ORGANISATION_NAME"],
        builders.PrintOptions(author=current_user.display_name))
    return pdf_response(data, f"psr-annual-summary-{first_year}-{(first_year + 1) % 100:02d}.pdf")


# ---- the governance dashboard: the figures as charts -----------------------------------------

@bp.route("/reports/dashboard")
@requires("read_all_decisions")
def dashboard() -> str:
    """The governance figures for a period (the financial year now running unless dates are
    typed) and optionally one committee, each as a chart with its numbers in a table: counts
    only, the same figures the board audit pack prints."""
    from ..decisions.register_views import meeting_dates

    db = get_db()
    today = today_uk()
    args = request.args.copy()
    if not any(key.startswith(("from", "to")) for key in args):
        start, end = financial_year_dates(financial_year_of(today))
        args["from"], args["to"] = start.isoformat(), end.isoformat()
    typed: dict[str, Any] = {"committee": (args.get("committee") or "").strip()[:20]}
    problems: list[tuple[str, str]] = []
    date_from, date_to = meeting_dates(args, typed, problems)
    if not problems and (date_from is None or date_to is None):
        for name, words in (("from", "the start of the period"), ("to", "the end of the period")):
            if not typed[name]:
                problems.append((f"{name}-day", f"Enter {words}"))
                typed[f"{name}_error"] = f"Enter {words}"
    committees = loaders.committee_choices(db)
    committee = next((c for c in committees if str(c["id"]) == typed["committee"]), None)
    found = None
    svgs: dict[str, chart_svg.SvgChart] = {}
    if not problems:
        facts = figure_queries.load_facts(db, date_from, date_to,
                                          committee_id=committee["id"] if committee else None)
        found = figure_rules.figures(facts, today,
                                     current_app.config["REVIEW_TARGET_WORKING_DAYS"])
        svgs = {chart.key: chart_svg.layout(chart) for chart in found.charts}
    year = financial_year_of(today)
    years = [(financial_year_label(y), *financial_year_dates(y)) for y in (year, year - 1)]
    return render_template(
        "reports/dashboard.html", figures=found, svgs=svgs, typed=typed, problems=problems,
        committee=committee, years=years,
        committees=[("", "All committees")] + [(str(c["id"]), c["name"]) for c in committees])
