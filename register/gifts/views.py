"""Gifts, hospitality and sponsorship: declaring an offer, the signed-in list and the public
register (page and CSV)."""
from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..db import get_db
from ..interests.queries import organisation_choices, person_choices
from ..interests.views import declaring_refusal
from ..rules import gifts as rules
from ..rules.decisions import format_money
from ..rules.text import neutralise
from ..timeutil import today_uk
from . import queries
from .forms import GiftForm

bp = Blueprint("gifts", __name__)
# The published register, read without signing in (public blueprints' names start "public").
public_bp = Blueprint("public_gifts", __name__)


@bp.app_context_processor
def helpers() -> dict[str, Any]:
    """Money in pounds on the gifts pages."""
    return {"format_money": format_money}


def _limits() -> dict[str, int]:
    return rules.limits(current_app.config.get("GIFT_LIMITS"))


@bp.route("/gifts/")
@login_required
def index() -> str:
    """Every offer recorded, for those who read the whole register; otherwise your own."""
    everyone = current_user.can("read_all_interests")
    rows = queries.gifts(get_db(), person_id=None if everyone else current_user.person_id or -1,
                         configured=_limits())
    return render_template("gifts/index.html", rows=rows, everyone=everyone,
                           may_declare=current_user.can("declare_own_interests")
                           or current_user.can("record_interest_for_others"),
                           limits=_limits())


@bp.route("/gifts/declare", methods=["GET", "POST"])
@login_required
def declare() -> str | Response:
    """Declare a gift, hospitality or sponsorship offered (yours, or on someone's behalf)."""
    refused = declaring_refusal("gifts and hospitality")
    if refused:
        return refused
    on_behalf = current_user.can("record_interest_for_others")
    db = get_db()
    form = GiftForm(organisations=organisation_choices(db),
                    people=person_choices(db) if on_behalf else None, limits=_limits())
    if on_behalf and request.method == "GET":
        form.person_id.data = str(current_user.person_id or "")
    if form.validate_on_submit():
        person_id = int(form.person_id.data) if on_behalf else current_user.person_id
        declared_on = today_uk()
        queries.create_gift(db, form.values(), person_id=person_id, declared_on=declared_on,
                            actor=current_user.actor)
        late = rules.days_late(form.offered_on.data, declared_on)
        message = f"{rules.KINDS[form.kind.data]} declared. {form.assessment().words}"
        if late:
            message += (f" It was declared {late} days after the {rules.DECLARE_WITHIN_DAYS} days "
                        f"allowed, so it is marked late.")
        flash(message, "success")
        return redirect(url_for("gifts.index"))
    return render_template("gifts/form.html", form=form, limits=_limits())


COLUMNS = [("person_name", "Name"), ("positions", "Position"), ("kind_label", "Type"),
           ("description", "Description"), ("from_name", "Offered by"),
           ("value", "Estimated value (£)"), ("offered_on", "Date offered"),
           ("outcome", "Accepted or declined"), ("approved_by", "Approved by"),
           ("declared_on", "Date declared"), ("late", "Declared late")]


@public_bp.route("/public/gifts-and-hospitality")
def register() -> str:
    """The published register of gifts, hospitality and sponsorship (no sign-in)."""
    return render_template("gifts/public.html",
                           rows=queries.published(get_db(), configured=_limits()))


@public_bp.route("/public/gifts-and-hospitality.csv")
def register_csv() -> Response:
    """The published register as CSV: values as numbers, text neutralised."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([heading for _key, heading in COLUMNS])
    for row in queries.published(get_db(), configured=_limits()):
        cells: list[Any] = []
        for key, _heading in COLUMNS:
            if key == "value":
                cells.append(f"{row['value_pence'] / 100:.2f}")
            elif key == "late":
                cells.append("yes" if row["days_late"] else "no")
            else:
                cells.append(neutralise(str(row.get(key) or "")))
        writer.writerow(cells)
    response = Response(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="gifts-and-hospitality-{today_uk().isoformat()}.csv"')
    return response


@public_bp.route("/public/gifts-and-hospitality.pdf")
def register_pdf() -> Response:
    """The published register as a PDF (landscape pages)."""
    from ..pdf import builders
    from ..pdf.loaders import gift_rows
    from ..timeutil import long_date, uk_time, utcnow_iso

    organisation = current_app.config["ORGANISATION_NAME"]
    data = builders.build_gifts_register(
        gift_rows(queries.published(get_db(), configured=_limits())), organisation=organisation,
        on_text=long_date(today_uk()), printed_text=uk_time(utcnow_iso()),
        options=builders.PrintOptions(author=organisation))
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="gifts-and-hospitality-{today_uk().isoformat()}.pdf"')
    return response
