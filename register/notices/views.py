"""Pages for recording a decision's PSR notices and the representations made during its
standstill (board secretary); the decision page shows them to everyone who may read it."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlite_utils import Database

from .. import timeutil
from ..auth.access import requires
from ..db import get_db, write_transaction
from ..decisions import access, lifecycle, record
from ..rules import standstill
from . import forms, store

bp = Blueprint("notices", __name__, url_prefix="/decisions")


def _record_or_404(reference: str) -> record.DecisionRecord:
    """The decision's record, for a user the access rule lets read it."""
    db = get_db()
    decision = lifecycle.decision_row(db, reference=reference)
    if decision is None:
        abort(404)
    if access.access_to(db, current_user, decision) != access.READ:
        abort(403)
    rec = record.load_record(db, decision["id"])
    if rec is None:
        abort(404)
    return rec


def _refused(rec: record.DecisionRecord, message: str) -> tuple[str, int]:
    return render_template("reviews/refused.html", decision={"reference": rec.reference,
                                                             "title": rec.title},
                           title="That cannot be done now", message=message), 409


def _show(rec: record.DecisionRecord) -> Any:
    return redirect(url_for("decisions.show", reference=rec.reference) + "#notices")


def _written(rec: record.DecisionRecord, form: Any,
             write: Callable[[Database, record.DecisionRecord], None]) -> bool:
    """Run one store write on the decision's record as it stands, in one transaction. A refusal
    goes on the form (beside its field, or above the form) and nothing is written."""
    db = get_db()
    try:
        with write_transaction(db):
            fresh = record.load_record(db, rec.id)
            assert fresh is not None
            write(db, fresh)
    except store.Refused as refused:
        target = getattr(form, refused.field, None) if refused.field else None
        (target.errors if target is not None else form.form_errors).append(refused.message)
        return False
    return True


@bp.route("/<reference>/notices/<kind>", methods=["GET", "POST"])
@requires("record_outcomes")
def notice(reference: str, kind: str) -> Any:
    """Record the intention to award notice or the award confirmation notice."""
    if kind not in standstill.NOTICE_KINDS:
        abort(404)
    rec = _record_or_404(reference)
    problem = store.notice_problem(rec, kind)
    if problem:
        return _refused(rec, problem)
    existing = rec.intention_notice if kind == "intention" else rec.award_notice
    form_class = forms.IntentionNoticeForm if kind == "intention" else forms.NoticeForm
    data = None
    if existing is not None:
        data = {"published_on": existing.published_on,
                "published_where": existing.published_where, "reference": existing.reference}
    form = form_class(data=data)
    today = timeutil.today_uk()
    if form.validate_on_submit() and _written(rec, form, lambda db, fresh: store.record_notice(
            db, fresh, kind, published_on=form.published_on.data,
            published_where=form.published_where.data,
            reference=form.reference.data or "", today=today, actor=current_user.actor,
            stated_end=getattr(form, "standstill_end", None) and form.standstill_end.data)):
        message = f"{standstill.NOTICE_KINDS[kind]} recorded for {rec.reference}."
        if kind == "intention":
            end = standstill.standstill_end(form.published_on.data)
            message += f" The standstill ends {standstill.long_day(end)}."
        flash(message, "success")
        return _show(rec)
    return render_template("notices/notice.html", rec=rec, kind=kind,
                           title=standstill.NOTICE_KINDS[kind], form=form,
                           has_standstill=rec.has_standstill), \
        400 if form.errors or form.form_errors else 200


@bp.route("/<reference>/representations/new", methods=["GET", "POST"])
@requires("record_outcomes")
def representation(reference: str) -> Any:
    """Record a representation a provider made during the standstill."""
    rec = _record_or_404(reference)
    if rec.intention_notice is None:
        return _refused(rec, "Record the intention to award notice before any representation")
    form = forms.RepresentationForm()
    if form.validate_on_submit() and _written(rec, form, lambda db, fresh: (
            store.record_representation(
                db, fresh, received_on=form.received_on.data,
                provider_name=form.provider_name.data, summary=form.summary.data,
                today=timeutil.today_uk(), actor=current_user.actor))):
        flash(f"Representation from {form.provider_name.data} recorded. Record the response "
              f"before confirming the award.", "success")
        return _show(rec)
    return render_template("notices/representation.html", rec=rec, form=form), \
        400 if form.errors or form.form_errors else 200


@bp.route("/<reference>/representations/<int:representation_id>/response",
          methods=["GET", "POST"])
@requires("record_outcomes")
def response(reference: str, representation_id: int) -> Any:
    """Record the response to a representation."""
    rec = _record_or_404(reference)
    found = next((r for r in rec.representations if r.id == representation_id), None)
    if found is None:
        abort(404)
    form = forms.ResponseForm(data={"response": found.response,
                                    "responded_on": found.responded_on})
    if form.validate_on_submit() and _written(rec, form, lambda db, fresh: store.respond(
            db, fresh, representation_id, response=form.response.data,
            responded_on=form.responded_on.data, today=timeutil.today_uk(),
            actor=current_user.actor)):
        flash(f"Response to {found.provider_name} recorded.", "success")
        return _show(rec)
    return render_template("notices/response.html", rec=rec, form=form,
                           representation=found), \
        400 if form.errors or form.form_errors else 200


def section(rec: record.DecisionRecord) -> dict[str, Any] | None:
    """What the decision page's "Notices and standstill" section shows, or None when the
    decision is not under the Provider Selection Regime or has no outcome yet."""
    if not standstill.notices_apply(rec.regime) or rec.status not in standstill.NOTICE_STATUSES:
        return None
    intention = rec.intention_notice
    may_record = current_user.is_authenticated and current_user.can("record_outcomes")
    return {
        "clock": standstill.clock(intention.published_on, timeutil.today_uk())
        if intention else None,
        "may_record_intention": may_record and store.notice_problem(rec, "intention") is None,
        "may_record_award": may_record and store.notice_problem(rec, "award") is None,
        "may_record_representation": may_record and intention is not None
        and rec.status == "decided" and rec.award_notice is None,
        "award_problem": store.publish_problem(rec),
        "no_standstill_words": None if rec.has_standstill else
        "This route has no standstill: no intention to award notice is needed, and the award "
        "can be confirmed straight away.",
        "out_of_scope": standstill.OUT_OF_SCOPE,
    }
