"""What the public reads without signing in: the published register of interests (a web page, a
CSV file and a PDF) and the register of procurement decisions (a web page, a page per decision,
CSV, Excel and Open Contracting data; see `register.public.decisions`).

The register of interests:

The content is the same in all three (see `register.pdf.loaders.published_interests`):
decision-makers only, interests ended more than six months ago left out, withheld entries shown
as "Withheld" without detail, withdrawn entries left out.

"As at" a date (`?on=YYYY-MM-DD`, or the page's day/month/year control) is a snapshot of the
register at the end of that day: only the interests declared by then, each entry as it read then
(edits, end dates and withdrawals recorded later are undone from the kept versions; see
`register.interests.history`). A date that is not real, or is in the future, is refused with a
message rather than quietly replaced by today.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from werkzeug.wrappers import Response

from ..db import get_db
from ..decisions.record import load_records
from ..decisions.register_views import meeting_dates
from ..decisions.serialise import RegisterFilters, to_json
from ..listing import parse_page
from ..pdf import loaders
from ..rules.decisions import REGIMES
from ..rules.text import neutralise
from ..timeutil import today_uk, utcnow
from . import decisions as public_decisions
from . import ocds
from .forms import RegisterDateForm

bp = Blueprint("public", __name__, url_prefix="/public")

CSV_COLUMNS = [
    ("name", "Name"),
    ("positions", "Current position(s)"),
    ("organisation", "Organisation"),
    ("business", "Nature of the organisation's business"),
    ("type_label", "Type of interest"),
    ("direct_text", "Direct or indirect"),
    ("nature", "Nature of the interest"),
    ("date_from", "Date from"),
    ("date_to", "Date to"),
    ("mitigation", "Action taken to mitigate"),
    ("declared_on", "Declared on"),
    ("organisation_ods_code", "Organisation's ODS code"),
    ("organisation_companies_house_number", "Organisation's Companies House number"),
    ("organisation_charity_number", "Organisation's charity number"),
]


BAD_ADDRESS_DATE = "The date must be a real date, like 2026-03-31"


def _on() -> tuple[dt.date, RegisterDateForm]:
    """The day the register is shown for, with the date control as asked: the day/month/year
    boxes when they were sent, otherwise ?on=YYYY-MM-DD (links and downloads), otherwise today
    in England. When the date asked for is refused, today's register is shown beside the message."""
    typed = request.args.get("on", "").strip()
    given = None
    if typed:
        try:
            given = dt.date.fromisoformat(typed)
        except ValueError:
            given = None
    form = RegisterDateForm(formdata=request.args, on=given)
    ok = form.validate()
    boxes_sent = any(form.on.parts.values())
    if typed and given is None and not boxes_sent:
        form.on.errors = [*form.on.errors, BAD_ADDRESS_DATE]
        ok = False
    return (form.on.data if ok and form.on.data else today_uk()), form


def _refused(form: RegisterDateForm) -> Response | None:
    """A download asked for a date that is refused: say why, as plain text, and send nothing."""
    if not form.errors:
        return None
    return Response(f"{form.on.errors[0]}.\n", status=400, mimetype="text/plain")


def _register(on: dt.date) -> dict[str, Any]:
    return loaders.published_interests(get_db(), on,
                                       organisation=current_app.config["ORGANISATION_NAME"])


@bp.route("/interests")
def interests() -> str:
    """The register of interests as a web page as at a day, filtered by name, a page at a time."""
    on, form = _on()
    register = _register(on)
    q = (request.args.get("q") or "").strip()
    rows = register["rows"]
    if q:
        rows = [r for r in rows if q.casefold() in r["name"].casefold()]
    size = current_app.config["PAGE_SIZE"] * 2
    pages = max(1, math.ceil(len(rows) / size))
    try:
        page = min(max(1, int(request.args.get("page", "1"))), pages)
    except ValueError:
        page = 1
    return render_template("public/interests.html", register=register, q=q, on=on, form=form,
                           rows=rows[(page - 1) * size:page * size], page=page, pages=pages,
                           total=len(rows))


def csv_text(rows: list[dict[str, Any]]) -> str:
    """The register as CSV text, with a byte-order mark so spreadsheets read it as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([heading for _key, heading in CSV_COLUMNS])
    for row in rows:
        if row["withheld"]:
            cells = [row["name"], row["positions"], "Withheld"] + [""] * (len(CSV_COLUMNS) - 3)
        elif row["no_interests"]:
            cells = [row["name"], row["positions"], row["no_interests"]] + [""] * (
                len(CSV_COLUMNS) - 3)
        else:
            cells = [row.get(key) or "" for key, _ in CSV_COLUMNS]
        writer.writerow([neutralise(str(cell)) for cell in cells])
    return out.getvalue()


@bp.route("/interests.csv")
def interests_csv() -> Response:
    """The register of interests as a CSV download."""
    on, form = _on()
    if (refused := _refused(form)) is not None:
        return refused
    response = Response(csv_text(_register(on)["rows"]).encode("utf-8"),
                        content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="register-of-interests-{on.isoformat()}.csv"')
    return response


@bp.route("/interests.pdf")
def interests_pdf() -> Response:
    """The register of interests as a PDF download."""
    on, form = _on()
    if (refused := _refused(form)) is not None:
        return refused
    from ..pdf import builders  # the PDF library is loaded when a PDF is first asked for

    data = builders.build_interests_register(_register(on), builders.PrintOptions(
        author=current_app.config["ORGANISATION_NAME"]))
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="register-of-interests-{on.isoformat()}.pdf"')
    return response


# ---- the register of procurement decisions ---------------------------------------------------

def decision_filters(args: Any) -> tuple[RegisterFilters, dict[str, Any], list[tuple[str, str]]]:
    """The public register's filters from the query string (committee, regime, meeting date from
    and to), what was typed, and (field, message) problems."""
    typed: dict[str, Any] = {name: (args.get(name) or "").strip()[:200]
                             for name in ("committee", "regime", "from", "to")}
    problems: list[tuple[str, str]] = []
    dates = dict(zip(("from", "to"), meeting_dates(args, typed, problems), strict=True))
    filters = public_decisions.public_filters(
        committee_id=int(typed["committee"]) if typed["committee"].isdecimal() else None,
        regime=typed["regime"] if typed["regime"] in REGIMES else "",
        date_from=dates["from"], date_to=dates["to"])
    return filters, typed, problems


def _download_args(typed: dict[str, Any]) -> dict[str, str]:
    return {key: typed[key] for key in ("committee", "regime", "from", "to") if typed.get(key)}


@bp.route("/decisions")
def decisions() -> str:
    """The register of procurement decisions: every published decision, filtered by committee,
    regime and meeting date, a page at a time."""
    db = get_db()
    filters, typed, problems = decision_filters(request.args)
    if problems:
        filters = public_decisions.public_filters()
    result = public_decisions.public_page(db, filters, parse_page(request.args.get("page")),
                                          current_app.config["PAGE_SIZE"])
    committees = [("", "Any committee")] + [
        (str(r["id"]), r["name"]) for r in db.query(
            "SELECT id, name FROM committees WHERE id IN (SELECT committee_id FROM decisions"
            " WHERE status = ?) ORDER BY name COLLATE NOCASE", [public_decisions.PUBLISHED])]
    return render_template(
        "public/decisions.html", result=result, typed=typed, problems=problems,
        committees=committees, regimes=[("", "Any regime"), *REGIMES.items()],
        organisation=current_app.config["ORGANISATION_NAME"],
        downloads=_download_args(typed) if not problems else {},
        ocds_ready=bool(current_app.config.get("OCDS_PREFIX")))


@bp.route("/decisions/<reference>")
def decision(reference: str) -> str:
    """One published decision, every column of the register with its conflicts in words."""
    db = get_db()
    rec = public_decisions.published_record(db, reference)
    if rec is None:
        abort(404)
    row = public_decisions.public_rows(db, [rec.id])[0]
    return render_template("public/decision.html", row=row, rec=rec,
                           organisation=current_app.config["ORGANISATION_NAME"])


def _filtered_ids() -> tuple[list[int], Response | None]:
    """The published decisions a download asks for, or a plain-text refusal of its filters."""
    filters, _typed, problems = decision_filters(request.args)
    if problems:
        return [], Response(f"{problems[0][1]}.\n", status=400, mimetype="text/plain")
    return public_decisions.public_ids(get_db(), filters), None


def _attachment(body: bytes, mimetype: str, extension: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="register-of-procurement-decisions-{today_uk().isoformat()}'
        f'.{extension}"')
    return response


@bp.route("/decisions.csv")
def decisions_csv() -> Response:
    """The register of procurement decisions as a CSV file, with the page's filters."""
    ids, refused = _filtered_ids()
    if refused is not None:
        return refused
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([heading for _key, heading, _kind in public_decisions.COLUMNS])
    for row in public_decisions.public_rows(get_db(), ids):
        writer.writerow([public_decisions.cell_text(row, key, kind)
                         for key, _heading, kind in public_decisions.COLUMNS])
    return _attachment(out.getvalue().encode("utf-8"), "text/csv", "csv")


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/decisions.xlsx")
def decisions_xlsx() -> Response:
    """The register of procurement decisions as an Excel workbook, with the page's filters."""
    ids, refused = _filtered_ids()
    if refused is not None:
        return refused
    from . import xlsx  # openpyxl is imported only when a workbook is asked for

    body = xlsx.workbook_bytes("Procurement decisions", public_decisions.COLUMNS,
                               public_decisions.public_rows(get_db(), ids))
    return _attachment(body, XLSX_TYPE, "xlsx")


@bp.route("/decisions.ocds.json")
def decisions_ocds() -> Response:
    """The published decisions as an Open Contracting (OCDS 1.1.5) release package."""
    prefix = current_app.config.get("OCDS_PREFIX")
    if not prefix:
        return Response("The open contracting data is not published yet: the register has no "
                        "OCDS prefix set.\n", status=404, mimetype="text/plain")
    ids, refused = _filtered_ids()
    if refused is not None:
        return refused
    db = get_db()
    records = [rec for start in range(0, len(ids), 500)
               for rec in load_records(db, ids[start:start + 500])]
    package = ocds.release_package(
        records, prefix=prefix, organisation=current_app.config["ORGANISATION_NAME"],
        uri=url_for("public.decisions_ocds", _external=True, **request.args),
        published=utcnow(), today=today_uk(),
        modifications=public_decisions.ocds_modifications(records))
    response = Response(to_json(package), mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'inline; filename="register-of-procurement-decisions-{today_uk().isoformat()}'
        f'.ocds.json"')
    return response
