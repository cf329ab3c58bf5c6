"""The published register of interests, open to the public: a web page, a CSV file and a PDF.

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

from flask import Blueprint, current_app, render_template, request
from werkzeug.wrappers import Response

from ..db import get_db
from ..pdf import builders, loaders
from ..timeutil import today_uk
from .forms import RegisterDateForm

bp = Blueprint("public", __name__, url_prefix="/public")

# Characters that make a spreadsheet read a cell as a formula (or hide one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

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


def neutralise(text: str) -> str:
    """Text a spreadsheet shows and never runs: a leading apostrophe before a formula character."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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
    data = builders.build_interests_register(_register(on), builders.PrintOptions(
        author=current_app.config["ORGANISATION_NAME"]))
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="register-of-interests-{on.isoformat()}.pdf"')
    return response
