"""Committees: the list, a committee's page, its quorum and policy, and its members."""
from __future__ import annotations

import sqlite3

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.access import requires
from ..auth.roles import ROLE_LABELS
from ..db import get_db
from ..editing import STALE_MESSAGE, save_edit, save_new, submitted_version
from ..listing import list_options
from ..rules.quorum import CATEGORY_LABELS
from . import queries
from .forms import (
    AddMemberForm,
    CommitteeForm,
    EditMemberForm,
    IndependentReviewerForm,
    original_token,
)
from .queries import CATEGORIES, POLICIES, ROLES

bp = Blueprint("committees", __name__, url_prefix="/committees")


def _committee_or_404(committee_id: int) -> dict:
    row = queries.get_committee(get_db(), committee_id)
    if row is None:
        abort(404)
    return row


def _member_or_404(committee_id: int, member_id: int) -> dict:
    row = queries.get_member(get_db(), member_id)
    if row is None or row["committee_id"] != committee_id:
        abort(404)
    return row


@bp.route("/")
@requires("read_reference_data")
def index() -> str:
    """Every committee, filtered, sorted and a page at a time."""
    q = (request.args.get("q") or "").strip()
    result, sort, direction = queries.list_committees(
        get_db(), q=q, **list_options(request.args), page_size=current_app.config["PAGE_SIZE"])
    quorums = {row["id"]: queries.quorum_rule(row).describe() for row in result.rows}
    return render_template("committees/index.html", result=result, q=q, sort=sort,
                           direction=direction, quorums=quorums)


@bp.route("/new", methods=["GET", "POST"])
@requires("edit_reference_data")
def new() -> str | Response:
    """Add a committee with its quorum rule and common-interest policy."""
    form = CommitteeForm()
    if form.validate_on_submit() and (new_id := save_new(
            lambda: queries.create_committee(get_db(), form.values(), current_user.actor),
            form.name, f"There is already a committee called {form.name.data}")):
        flash(f"{form.name.data} added.", "success")
        return redirect(url_for("committees.detail", committee_id=new_id))
    return render_template("committees/form.html", form=form, committee=None)


@bp.route("/<int:committee_id>")
@requires("read_reference_data")
def detail(committee_id: int) -> str:
    """One committee: members, quorum in words, and its common-interest policy."""
    committee = _committee_or_404(committee_id)
    members = queries.members_of(get_db(), committee_id)
    rule = queries.quorum_rule(committee)
    strength = queries.voting_strength(members)
    short = [CATEGORY_LABELS[c] for c, n in rule.min_per_category.items() if strength[c] < n]
    return render_template(
        "committees/detail.html", committee=committee, members=members,
        quorum=rule.describe(), policy=POLICIES[committee["common_interest_policy"]],
        strength=strength, can_be_quorate=strength["total"] >= rule.min_voting and not short,
        short=short, roles=ROLES, categories=CATEGORIES,
        independent_reviewer=queries.independent_reviewer_of(get_db(), committee),
        independent_reviewer_problem=queries.independent_reviewer_problem(get_db(), committee))


@bp.route("/<int:committee_id>/edit", methods=["GET", "POST"])
@requires("edit_reference_data")
def edit(committee_id: int) -> str | Response:
    """Edit a committee, refusing the save if someone else changed it meanwhile."""
    committee = _committee_or_404(committee_id)
    form = CommitteeForm(data=committee if request.method == "GET" else None,
                         committee_id=committee_id)
    if form.validate_on_submit() and save_edit(
            form, lambda version: queries.update_committee(
                get_db(), committee_id, version, form.values(), current_user.actor),
            form.name, f"There is already a committee called {form.name.data}"):
        flash(f"{form.name.data} saved.", "success")
        return redirect(url_for("committees.detail", committee_id=committee_id))
    return render_template("committees/form.html", form=form, committee=committee)


@bp.route("/<int:committee_id>/members/new", methods=["GET", "POST"])
@requires("edit_reference_data")
def add_member(committee_id: int) -> str | Response:
    """Add a person to the committee with a role, category and vote."""
    committee = _committee_or_404(committee_id)
    db = get_db()
    form = AddMemberForm(committee_id=committee_id)
    form.person_id.choices = [("", "Choose a person")] + [
        (str(p["id"]), f"{p['name']} ({p['email']})") for p in queries.people_not_on(db,
                                                                                      committee_id)]
    if form.validate_on_submit():
        data = {"person_id": int(form.person_id.data), **form.membership()}
        try:
            queries.add_member(db, committee_id, data, current_user.actor)
        except queries.RoleTaken as taken:
            form.role.errors.append(f"{taken} is already the {ROLES[form.role.data].lower()}. "
                                    "Change their role first")
        except sqlite3.IntegrityError:
            form.person_id.errors.append("That person is already a member of this committee")
        else:
            flash("Member added.", "success")
            return redirect(url_for("committees.detail", committee_id=committee_id))
    return render_template("committees/member_form.html", form=form, committee=committee,
                           member=None)


@bp.route("/<int:committee_id>/members/<int:member_id>/edit", methods=["GET", "POST"])
@requires("edit_reference_data")
def edit_member(committee_id: int, member_id: int) -> str | Response:
    """Change a member's role, category or vote."""
    committee = _committee_or_404(committee_id)
    member = _member_or_404(committee_id, member_id)
    if request.method == "GET":
        form = EditMemberForm(data={**member, "original": original_token(member)}, member=member)
    else:
        form = EditMemberForm(member=member)
    if form.validate_on_submit():
        original = form.original_values()
        try:
            saved = original is not None and queries.update_member(
                get_db(), member_id, original, form.membership(), current_user.actor)
        except queries.RoleTaken as taken:
            form.role.errors.append(f"{taken} is already the {ROLES[form.role.data].lower()}. "
                                    "Change their role first")
        else:
            if saved:
                flash(f"{member['person_name']}'s membership saved.", "success")
                return redirect(url_for("committees.detail", committee_id=committee_id))
            form.form_errors.append(STALE_MESSAGE)
    return render_template("committees/member_form.html", form=form, committee=committee,
                           member=member)


@bp.route("/<int:committee_id>/members/<int:member_id>/remove", methods=["POST"])
@requires("edit_reference_data")
def remove_member(committee_id: int, member_id: int) -> Response:
    """Take a person off the committee."""
    member = _member_or_404(committee_id, member_id)
    if queries.remove_member(get_db(), member_id, current_user.actor):
        flash(f"{member['person_name']} removed from the committee.", "success")
    return redirect(url_for("committees.detail", committee_id=committee_id))


@bp.route("/<int:committee_id>/independent-reviewer", methods=["GET", "POST"])
@requires("manage_accounts")
def independent_reviewer(committee_id: int) -> str | Response:
    """Name the account that reviews a decision when every governance lead takes part in it or is
    conflicted (an administrator's choice: the secretary records the decisions it reviews)."""
    committee = _committee_or_404(committee_id)
    db = get_db()
    form = IndependentReviewerForm(data={
        "reviewer": str(committee["independent_reviewer_user_id"] or ""),
        "version": str(committee["version"])} if request.method == "GET" else None)
    form.reviewer.choices = [("", "No independent reviewer")] + [
        (str(row["id"]), f"{row['name']} ({ROLE_LABELS.get(row['role'], row['role'])}, "
                         f"account {row['username']})")
        for row in queries.independent_reviewer_choices(db)]
    if form.validate_on_submit():
        try:
            saved = queries.set_independent_reviewer(db, committee_id, submitted_version(form),
                                                     form.user_id(), current_user.actor)
        except queries.NotEligible as refused:
            form.reviewer.errors.append(str(refused))
        else:
            if saved:
                chosen = queries.independent_reviewer_of(
                    db, queries.get_committee(db, committee_id) or {})
                flash(f"{chosen['name']} is now the {committee['name']}'s independent reviewer."
                      if chosen else f"The {committee['name']} has no independent reviewer now.",
                      "success")
                return redirect(url_for("committees.detail", committee_id=committee_id))
            form.form_errors.append(STALE_MESSAGE)
    return render_template("committees/independent_reviewer.html", form=form,
                           committee=committee)
