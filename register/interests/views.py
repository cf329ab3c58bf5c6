"""The register of interests: declare, edit, withdraw, annual returns and the register itself."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..auth.access import requires
from ..db import get_db
from ..listing import Page
from ..rules import interests as rules
from ..timeutil import long_date, today_uk
from . import linking, queries
from .forms import ApprovalForm, InterestForm, NilReturnForm, WithdrawForm

bp = Blueprint("interests", __name__, url_prefix="/interests")


# ---- who may do what with whose declarations ----

def may_read_person(person_id: int) -> bool:
    """Readers of the whole register see anyone; everyone else only themselves."""
    return current_user.can("read_all_interests") or person_id == current_user.person_id


def may_change_for(person_id: int) -> bool:
    """The person themselves, or a secretary or governance lead on their behalf."""
    if current_user.can("record_interest_for_others"):
        return True
    return current_user.can("declare_own_interests") and person_id == current_user.person_id


def _interest_or_404(interest_id: int) -> dict[str, Any]:
    row = queries.get_interest(get_db(), interest_id)
    if row is None:
        abort(404)
    return row


def _readable_interest(interest_id: int) -> dict[str, Any]:
    row = _interest_or_404(interest_id)
    if not may_read_person(row["person_id"]):
        abort(403)
    return row


def _changeable_interest(interest_id: int) -> dict[str, Any]:
    row = _interest_or_404(interest_id)
    if not may_change_for(row["person_id"]):
        abort(403)
    return row


def _version(raw: str | None) -> int:
    return int(raw) if raw and raw.isdecimal() else -1


# ---- the register ----

@bp.route("/")
@login_required
def index() -> str | Response:
    """The whole register for those who read it all; a member goes to their own page."""
    if not current_user.can("read_all_interests"):
        if current_user.person_id:
            return redirect(url_for("interests.person", person_id=current_user.person_id))
        abort(403)
    args = request.args
    filters = queries.RegisterFilters(
        name=(args.get("name") or "").strip()[:200],
        interest_type=args.get("type", ""),
        status=args.get("status", "") if args.get("status", "") in queries.STATUS_FILTERS else "",
        late_only=args.get("late") == "1",
    )
    page = queries.register_page(get_db(), filters, sort=args.get("sort", "person"),
                                 direction=args.get("dir", "asc"), page=args.get("page", 1))
    return render_template("interests/index.html", page=page, filters=filters,
                           type_labels=queries.TYPE_LABELS, statuses=queries.STATUS_FILTERS)


@bp.route("/person/<int:person_id>")
@login_required
def person(person_id: int) -> str:
    """One person's declarations and annual returns."""
    if not may_read_person(person_id):
        abort(403)
    db = get_db()
    row = queries.get_person(db, person_id)
    if row is None:
        abort(404)
    return render_template(
        "interests/person.html", person=row, interests=queries.person_interests(db, person_id),
        returns=queries.person_returns(db, person_id),
        state=queries.return_state(db, person_id), may_change=may_change_for(person_id),
        is_self=person_id == current_user.person_id,
        open_count=queries.open_interest_count(db, person_id))


# ---- declaring and editing ----

def _declare_form() -> InterestForm:
    db = get_db()
    on_behalf = current_user.can("record_interest_for_others")
    form = InterestForm(organisations=queries.organisation_choices(db),
                        people=queries.person_choices(db) if on_behalf else None,
                        declared_date=on_behalf)
    if on_behalf and request.method == "GET":
        wanted = request.args.get("person_id", "") or str(current_user.person_id or "")
        form.person_id.data = wanted
    return form


def declaring_refusal(what: str) -> tuple[str, int] | None:
    """Why the signed-in user may not declare for themselves or others (403), or None: a user
    who declares only their own needs an account linked to a person. `what` names what they
    would declare, e.g. "your interests"."""
    on_behalf = current_user.can("record_interest_for_others")
    if not on_behalf and not current_user.can("declare_own_interests"):
        abort(403)
    if not on_behalf and not current_user.person_id:
        return render_template(
            "error.html", status=403, title="Your account is not linked to a person",
            message="Ask an administrator to link your account to your record in the register "
                    f"of people, then you can declare {what}."), 403
    return None


@bp.route("/declare", methods=["GET", "POST"])
@login_required
def declare() -> str | Response:
    """Declare an interest, or record one on someone's behalf."""
    refused = declaring_refusal("your interests")
    if refused:
        return refused
    on_behalf = current_user.can("record_interest_for_others")
    form = _declare_form()
    if form.validate_on_submit():
        person_id = int(form.person_id.data) if on_behalf else current_user.person_id
        own = person_id == current_user.person_id
        declared_on = (form.declared_on.data if on_behalf and not own and form.declared_on.data
                       else today_uk())
        interest_id = queries.create_interest(get_db(), form.values(), person_id=person_id,
                                              declared_on=declared_on, user=current_user)
        row = queries.get_interest(get_db(), interest_id)
        message = "Interest declared."
        if row["is_late"]:
            message += (f" It was declared {row['days_late']} days after the 28 days allowed, "
                        "so it is marked late.")
        flash(message, "success")
        return redirect(url_for("interests.detail", interest_id=interest_id))
    return render_template("interests/form.html", form=form, interest=None,
                           title="Declare an interest", stale=False)


@bp.route("/<int:interest_id>")
@login_required
def detail(interest_id: int) -> str:
    """One declaration, with what may be done with it."""
    row = _readable_interest(interest_id)
    version_count = get_db().execute(
        "SELECT count(*) FROM interest_versions WHERE interest_id = ?", [interest_id]).fetchone()[0]
    return render_template("interests/detail.html", interest=row,
                           may_change=may_change_for(row["person_id"]) and not row["withdrawn"],
                           version_count=version_count)


@bp.route("/<int:interest_id>/edit", methods=["GET", "POST"])
@login_required
def edit(interest_id: int) -> str | Response:
    """Change a declaration; the earlier version is kept."""
    row = _changeable_interest(interest_id)
    if row["withdrawn"]:
        flash("This declaration has been withdrawn, so it cannot be changed.", "info")
        return redirect(url_for("interests.detail", interest_id=interest_id))
    db = get_db()
    form = InterestForm(organisations=queries.organisation_choices(db),
                        declared_date=current_user.can("record_interest_for_others"))
    if request.method == "GET":
        form.fill_from(row)
    stale = False
    if form.validate_on_submit():
        declared_on = form.declared_on.data if form.declared_date else None
        try:
            queries.update_interest(db, interest_id, _version(form.version.data), form.values(),
                                    user=current_user, declared_on=declared_on)
        except queries.StaleVersion:
            stale = True
            form.form_errors.append(queries.STALE_MESSAGE)
        else:
            flash("Declaration updated. The earlier version has been kept.", "success")
            return redirect(url_for("interests.detail", interest_id=interest_id))
    return render_template("interests/form.html", form=form, interest=row,
                           title="Change a declaration", stale=stale)


@bp.route("/<int:interest_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(interest_id: int) -> str | Response:
    """Withdraw a declaration made in error; it stays in the register, marked withdrawn."""
    row = _changeable_interest(interest_id)
    if row["withdrawn"]:
        flash("This declaration has already been withdrawn.", "info")
        return redirect(url_for("interests.detail", interest_id=interest_id))
    form = WithdrawForm()
    if request.method == "GET":
        form.version.data = str(row["version"])
    stale = False
    if form.validate_on_submit():
        try:
            queries.withdraw_interest(get_db(), interest_id, _version(form.version.data),
                                      form.reason.data, user=current_user)
        except queries.StaleVersion:
            stale = True
            form.form_errors.append(queries.STALE_MESSAGE)
        else:
            flash("Declaration withdrawn. It is kept in the register, marked as withdrawn.",
                  "success")
            return redirect(url_for("interests.detail", interest_id=interest_id))
    return render_template("interests/withdraw.html", form=form, interest=row, stale=stale)


@bp.route("/<int:interest_id>/versions")
@requires("see_interest_versions")
def versions(interest_id: int) -> str:
    """The earlier versions of a declaration, newest first."""
    row = _interest_or_404(interest_id)
    return render_template("interests/versions.html", interest=row,
                           versions=queries.versions(get_db(), interest_id))


# ---- annual returns ----

def _nil_refused(person_id: int) -> Response | None:
    """Back to the person's page, saying why, when they have current interests declared."""
    open_count = queries.open_interest_count(get_db(), person_id)
    if not open_count:
        return None
    who = "you have" if person_id == current_user.person_id else "they have"
    plural = "interest" if open_count == 1 else "interests"
    flash(f"A nil return cannot be made because {who} {open_count} current {plural} "
          "declared. Confirm the declarations are complete instead, or record the date "
          "each interest ended.", "error")
    return redirect(url_for("interests.person", person_id=person_id))


def _return(person_id: int, kind: str) -> Response:
    if not may_change_for(person_id):
        abort(403)
    db = get_db()
    if queries.get_person(db, person_id) is None:
        abort(404)
    own = person_id == current_user.person_id
    if kind == "nil":
        refused = _nil_refused(person_id)
        if refused is not None:
            return refused
    from ..campaigns.queries import answered_late, unanswered_campaigns

    asked = unanswered_campaigns(db, person_id, today_uk())
    if queries.record_return(db, person_id, kind, user=current_user) is None:
        flash("Already recorded today: nothing more to do." if kind == "complete"
              else "A nil return is already recorded today: nothing more to do.", "success")
        return redirect(url_for("interests.person", person_id=person_id))
    if kind == "nil":
        message = ("Nil return recorded: nothing to declare." if own
                   else "Nil return recorded on their behalf.")
    else:
        message = ("Thank you: your declarations are confirmed as complete." if own
                   else "Confirmation recorded on their behalf.")
    if asked:
        message += f" This answers {' and '.join(c['title'] for c in asked)}."
    flash(message, "success")
    for campaign in answered_late(db, person_id, today_uk()):
        flash(f"Recorded as late for {campaign['title']}, which closed on "
              f"{long_date(campaign['closed'])}.", "info")
    return redirect(url_for("interests.person", person_id=person_id))


@bp.route("/person/<int:person_id>/confirm", methods=["POST"])
@login_required
def confirm_complete(person_id: int) -> Response:
    """Record the annual confirmation that a person's declarations are complete."""
    return _return(person_id, "complete")


@bp.route("/person/<int:person_id>/nil-return", methods=["GET", "POST"])
@login_required
def nil_return(person_id: int) -> str | Response:
    """Show what a nil return declares and ask to confirm it; record it once confirmed.
    Refused while interests are current."""
    if not may_change_for(person_id):
        abort(403)
    row = queries.get_person(get_db(), person_id)
    if row is None:
        abort(404)
    refused = _nil_refused(person_id)
    if refused is not None:
        return refused
    form = NilReturnForm()
    if person_id != current_user.person_id:
        form.confirm.label.text = f"I confirm that {row['name']} has nothing to declare"
    if form.validate_on_submit():
        return _return(person_id, "nil")
    return render_template("interests/nil_return.html", form=form, person=row,
                           is_self=person_id == current_user.person_id, today=today_uk())


@bp.route("/missing-returns")
@requires("see_missing_returns")
def missing_returns() -> str:
    """Decision-makers with no declaration and no return in the last 12 months."""
    rows = queries.missing_returns(get_db())
    sort = request.args.get("sort", "name")
    direction = "desc" if request.args.get("dir") == "desc" else "asc"
    if sort == "last":
        # Never-returned people count as the oldest.
        rows.sort(key=lambda row: row["last_date"] or "", reverse=direction == "desc")
    else:
        sort = "name"
        rows.sort(key=lambda row: row["name"].casefold(), reverse=direction == "desc")
    size = current_app.config["PAGE_SIZE"]
    pages = max(1, math.ceil(len(rows) / size))
    number = queries.page_number(request.args.get("page", 1), pages)
    page = Page(rows[(number - 1) * size:number * size], page=number, pages=pages, total=len(rows),
                sort=sort, direction=direction)
    return render_template("interests/missing_returns.html", page=page)


# ---- interests held as free text ----

@dataclass
class FreeTextChoices:
    """What a governance lead ticked and chose on the free-text page, and what was wrong."""

    ticked: set[int] = field(default_factory=set)
    choices: dict[int, str] = field(default_factory=dict)
    versions: dict[int, int] = field(default_factory=dict)
    field_errors: dict[str, str] = field(default_factory=dict)
    form_errors: list[str] = field(default_factory=list)

    @property
    def errors(self) -> dict[str, str]:
        """Every problem by anchor (the page's own problems under an empty anchor's index)."""
        return {**{f"form-{n}": m for n, m in enumerate(self.form_errors)}, **self.field_errors}

    @property
    def error_list(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the error summary."""
        return [("", message) for message in self.form_errors] + list(self.field_errors.items())


def _free_text_choices(form: Any, page: Any) -> FreeTextChoices:
    """Read and check the ticked rows of the page that was posted."""
    chosen = FreeTextChoices()
    shown = {row["id"]: row for row in page.rows}
    for raw in form.getlist("settle"):
        if not raw.isdecimal():
            continue
        chosen.ticked.add(int(raw))
    for interest_id in shown:
        chosen.versions[interest_id] = _version(form.get(f"version_{interest_id}"))
        if form.get(f"choice_{interest_id}"):
            chosen.choices[interest_id] = form.get(f"choice_{interest_id}", "")
    if not chosen.ticked:
        chosen.form_errors.append("Select at least one interest to settle")
        return chosen
    for interest_id in sorted(chosen.ticked):
        row = shown.get(interest_id)
        if row is None:
            chosen.form_errors.append(linking_stale_message())
            return chosen
        choice = chosen.choices.get(interest_id, "")
        allowed = {str(c.organisation_id) for c in row["candidates"]} | {"not_registered"}
        who = f"{row['organisation_name']} ({row['person_name']})"
        if not choice:
            chosen.field_errors[f"choice-{interest_id}"] = (
                f"Choose the organisation {who} is, or mark it as not a registered organisation")
        elif choice not in allowed:
            chosen.field_errors[f"choice-{interest_id}"] = (
                f"Choose one of the organisations listed for {who}")
    return chosen


def linking_stale_message() -> str:
    """What the page says when a row changed since it was loaded."""
    return ("Someone else changed one of these interests since you loaded this page. Nothing has "
            "been saved: check the list as it is now and settle them again.")


@bp.route("/free-text", methods=["GET", "POST"])
@requires("settle_free_text")
def free_text() -> str | Response | tuple[str, int]:
    """Interests held as free text, with their best candidate organisations, settled in bulk."""
    db = get_db()
    size = current_app.config["PAGE_SIZE"]
    number = max(1, _version(request.values.get("page")))
    page = linking.free_text_page(db, number, size)
    chosen = FreeTextChoices()
    status = 200
    if request.method == "POST":
        chosen = _free_text_choices(request.form, page)
        if not chosen.errors:
            try:
                result = linking.settle(
                    db, {i: chosen.versions.get(i, -1) for i in chosen.ticked},
                    {i: chosen.choices[i] for i in chosen.ticked},
                    actor=current_user.actor, user_id=current_user.id)
            except linking.StaleInterest:
                chosen.form_errors.append(linking_stale_message())
                page = linking.free_text_page(db, number, size)
                status = 409
            else:
                parts = []
                if result.linked:
                    parts.append(f"{len(result.linked)} linked to a registered organisation")
                if result.marked:
                    parts.append(f"{len(result.marked)} marked as not a registered organisation")
                flash("Interests settled: " + " and ".join(parts) + ".", "success")
                return redirect(url_for("interests.free_text", page=page.page))
        else:
            status = 409 if chosen.form_errors and chosen.ticked else 400
    return render_template("interests/free_text.html", page=page, form=chosen,
                           remaining=linking.free_text_count(db)), status


# ---- approval before publication ----

@bp.route("/approvals")
@requires("approve_declarations")
def approvals() -> str:
    """Declarations waiting for a governance lead's approval before publication."""
    return render_template("interests/approvals.html",
                           rows=queries.waiting_for_approval(get_db()))


@bp.route("/<int:interest_id>/approval", methods=["GET", "POST"])
@requires("approve_declarations")
def approval(interest_id: int) -> str | Response | tuple[str, int]:
    """Approve a declaration for publication (with a note of the action taken), or return it."""
    row = _interest_or_404(interest_id)
    problem = rules.approval_problem(current_user.person_id, row["person_id"], row["approval"])
    form = ApprovalForm(data=None if request.method == "POST" else
                        {"version": str(row["version"])})
    if request.method == "POST" and problem is None and form.validate_on_submit():
        try:
            queries.decide_approval(get_db(), interest_id, _version(form.version.data),
                                    approve=form.decision.data != "return",
                                    note=(form.note.data or "").strip(), user=current_user)
        except queries.StaleVersion:
            form.form_errors.append(queries.STALE_MESSAGE)
        else:
            flash("Declaration approved: it is now on the published register."
                  if form.decision.data != "return" else
                  "Declaration returned: the person has been told why.", "success")
            return redirect(url_for("interests.approvals"))
    status = 403 if problem and request.method == "POST" else 200
    return render_template("interests/approval.html", interest=row, form=form,
                           problem=problem), status
