"""The register of procurement decisions (page and CSV) and each decision as JSON."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup

from ..auth.access import requires
from ..db import get_db, read_snapshot
from ..forms import BaseForm, DateInputField
from ..listing import parse_page
from ..rules import csvrows
from ..rules.decisions import MONEY_FORMAT_MESSAGE, format_money, parse_money
from ..timeutil import today_uk
from ..views_common import links_to
from . import access, serialise, versioned
from .queries import STATUSES, status_label
from .serialise import RegisterFilters, Viewer

bp = Blueprint("decision_register", __name__, url_prefix="/decisions")

FLAGGED_CHOICES = [("", "Flagged or not"), ("yes", "Flagged"), ("no", "Not flagged")]


def viewer() -> Viewer:
    """The signed-in user as a viewer of decisions: members see only their own."""
    return access.viewer_for(current_user)


class MeetingDatesForm(BaseForm):
    """The register's meeting-date filter as day, month and year boxes, like every other date
    (a GET form: it reads and never writes, so no CSRF)."""

    class Meta:
        csrf = False

    date_from = DateInputField("Meeting date from", noun="meeting date from", name="from")
    date_to = DateInputField("Meeting date to", noun="meeting date to", name="to")


def meeting_dates(args: Any, typed: dict[str, Any],
                  problems: list[tuple[str, str]]) -> tuple[dt.date | None, dt.date | None]:
    """The meeting dates from and to of a register's filter, from its day, month and year boxes
    (from[day], from[month], from[year]); a date written whole (?from=2026-04-01, as in links,
    bookmarks and download addresses) is still read, and shown in the boxes. Adds to `typed`
    what each box holds (from_parts, to_parts), each date as YYYY-MM-DD and its message
    (from_error, to_error), and to `problems` (anchor, message) pairs."""
    written: dict[str, Any] = {}
    for name, words in (("from", "Meeting date from"), ("to", "Meeting date to")):
        text = (args.get(name) or "").strip()[:200]
        boxes_sent = any(f"{name}[{part}]" in args for part in ("day", "month", "year"))
        if text and not boxes_sent:
            try:
                written[name] = csvrows.parse_date(text)
            except ValueError as error:
                problems.append((f"{name}-day", f"{words} {error}"))
    dates = MeetingDatesForm(formdata=args, date_from=written.get("from"),
                             date_to=written.get("to"))
    dates.validate()
    problems += dates.error_list
    date_from, date_to = dates.date_from.data, dates.date_to.data
    if date_from and date_to and date_to < date_from:
        problems.append(("to-day", "Meeting date to must be the same as or after meeting date "
                                   "from"))
    for name, field in (("from", dates.date_from), ("to", dates.date_to)):
        typed[name] = field.data.isoformat() if field.data else ""
        typed[f"{name}_parts"] = field.parts
        typed[f"{name}_error"] = next(
            (message for anchor, message in problems if anchor == f"{name}-day"), "")
    return date_from, date_to


def filters_from(args: Any) -> tuple[RegisterFilters, dict[str, Any], list[tuple[str, str]]]:
    """The register filters from the query string, what was typed, and (field, message) problems."""
    typed: dict[str, Any] = {name: (args.get(name) or "").strip()[:200] for name in
                             ("q", "status", "committee", "flagged", "from", "to", "min", "max")}
    problems: list[tuple[str, str]] = []
    filters = RegisterFilters(q=typed["q"], status=typed["status"],
                              flagged=typed["flagged"] if typed["flagged"] in ("yes", "no") else "")
    if typed["committee"].isdecimal():
        filters.committee_id = int(typed["committee"])
    filters.date_from, filters.date_to = meeting_dates(args, typed, problems)
    for name, attribute, noun in (("min", "value_min_pence", "the lowest total value"),
                                  ("max", "value_max_pence", "the highest total value")):
        if typed[name]:
            try:
                setattr(filters, attribute, parse_money(typed[name], noun))
            except ValueError as error:
                message = str(error)
                if message == MONEY_FORMAT_MESSAGE:
                    message = f"Enter {noun} in pounds and pence, like 125000.50"
                problems.append((name, message))
    if (filters.value_min_pence is not None and filters.value_max_pence is not None
            and filters.value_max_pence < filters.value_min_pence):
        problems.append(("max", "The highest total value must be the same as or more than the "
                                "lowest"))
    return filters, typed, problems


def _status_choices(db: Any) -> list[tuple[str, str]]:
    known = {status: words for status, (words, _colour) in STATUSES.items()}
    # Each stored status once, stepping through the status index (not reading every decision).
    for row in db.query("WITH RECURSIVE seen(status) AS (SELECT min(status) FROM decisions"
                        " UNION ALL SELECT (SELECT min(status) FROM decisions"
                        " WHERE status > seen.status) FROM seen WHERE seen.status IS NOT NULL)"
                        " SELECT status FROM seen WHERE status IS NOT NULL"):
        known.setdefault(row["status"], status_label(row["status"])[0])
    return [("", "Any status"), *known.items()]


def decision_links() -> Callable[[str], str | None]:
    """The link to each decision's own page, when that page exists in this app: the address is
    built once and each reference quoted into it as the route would (instead of routing every
    row's link again)."""
    if "decisions.show" not in current_app.view_functions:
        return lambda _reference: None
    return links_to("decisions.show", "reference")

# The register's rows drawn as HTML, kept under the version and decisions they were read for:
# they depend on nothing else (the same rows look the same to every reader who may see them).
_ROWS_HTML = versioned.KeptHtml("decisions/register_rows.html")


def _rows_html(result: serialise.RegisterPage) -> Markup:
    return _ROWS_HTML.get(result.key, lambda: {"rows": result.rows,
                                               "decision_href": decision_links(),
                                               "format_money": _format_money})


@bp.route("/register")
@requires("read_decisions")
def register() -> str:
    """The register of procurement decisions: filtered, sorted and a page at a time."""
    with read_snapshot(get_db()):
        return _register()


def _register() -> str:
    db = get_db()
    filters, typed, problems = filters_from(request.args)
    result = serialise.register_page(
        db, filters, viewer(), sort=request.args.get("sort") or "",
        direction=request.args.get("dir") or "", page=parse_page(request.args.get("page")),
        page_size=current_app.config["REGISTER_PAGE_SIZE"],
        version=versioned.facts_version(db, current_app.config["DATABASE"]))
    committees = [("", "Any committee")] + [
        (str(r["id"]), r["name"]) for r in db.query(
            "SELECT id, name FROM committees ORDER BY name COLLATE NOCASE")]
    return render_template(
        "decisions/register.html", result=result, typed=typed, problems=problems,
        filtered=filters.active, committees=committees, statuses=_status_choices(db),
        flagged_choices=FLAGGED_CHOICES, sort=result.sort, direction=result.direction,
        sees_all=current_user.can("read_all_decisions"), rows_html=_rows_html(result),
        excluded_references=access.excluded_references(db, viewer()))


def _format_money(pence: int | None) -> str:
    return format_money(pence) if pence is not None else "-"


@bp.route("/register.csv")
@requires("read_decisions")
def register_csv() -> Response:
    """The register with the same filters and order, as a CSV file for a spreadsheet."""
    db = get_db()
    filters, _typed, problems = filters_from(request.args)
    if problems:
        abort(400)
    ids = serialise.register_ids(db, filters, viewer(), sort=request.args.get("sort") or "",
                                 direction=request.args.get("dir") or "")
    # Unfiltered, the file names the decisions the reader is excluded from, by reference only;
    # filtered, it cannot say whether they match without telling what is in them.
    excluded = [] if filters.active else access.excluded_references(db, viewer())
    body = serialise.register_csv(db, ids, excluded)
    filename = f"decisions-register-{today_uk().isoformat()}.csv"
    return Response(body.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/<reference>.json")
@requires("read_decisions")
def decision_json(reference: str) -> Response:
    """One decision with its participants, providers, status and current flags, as JSON."""
    db = get_db()
    decision_id = serialise.decision_id_for(db, reference)
    if decision_id is None:
        abort(404)
    found = next(iter(db.query("SELECT id, reference, author_user_id FROM decisions WHERE id = ?",
                               [decision_id])))
    answer = access.access_to(db, viewer(), found)
    if answer == access.EXCLUDED:
        body = serialise.to_json({"reference": found["reference"], "excluded": True,
                                  "message": access.EXCLUDED_WORDS})
        return Response(body, status=403, mimetype="application/json")
    if answer != access.READ:
        abort(403)
    document = serialise.decision_document(db, decision_id)
    return Response(serialise.to_json(document), mimetype="application/json")
