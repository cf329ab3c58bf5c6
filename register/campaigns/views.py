"""Declaration campaigns: open one, follow its progress, close it; the published list of those
who did not declare."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import BooleanField, RadioField, SelectMultipleField, StringField
from wtforms.validators import ValidationError

from .. import timeutil
from ..auth.access import requires
from ..db import get_db
from ..forms import BaseForm, DateInputField, MaxLength, Required
from ..rules import campaigns as rules
from . import queries

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")
public_bp = Blueprint("public_campaigns", __name__)


class CampaignForm(BaseForm):
    """A new declaration campaign."""

    title = StringField("Title", [Required("Enter a title, like Annual declarations 2027"),
                                  MaxLength(200)])
    kind = RadioField("Kind", choices=list(rules.KINDS.items()), validate_choice=False,
                      validators=[Required("Choose annual or six-monthly")])
    committees = SelectMultipleField("Who is asked", choices=[], coerce=str,
                                     validate_choice=False)
    deadline = DateInputField("Deadline", noun="the deadline", required=True)
    reminder_every_days = StringField("Remind those who have not answered every", default="7")
    publish_non_declarers = BooleanField("Publish the names of those who have not declared when "
                                         "the campaign closes")

    def validate_kind(self, field: RadioField) -> None:
        if field.data not in rules.KINDS:
            raise ValidationError("Choose annual or six-monthly")

    def validate_committees(self, field: SelectMultipleField) -> None:
        known = {value for value, _ in field.choices}
        if any(value not in known for value in field.data or []):
            raise ValidationError("Choose committees from the list")

    def validate_deadline(self, field: DateInputField) -> None:
        problem = rules.deadline_problem(field.data, timeutil.today_uk())
        if problem:
            raise ValidationError(problem)

    def validate_reminder_every_days(self, field: StringField) -> None:
        problem = rules.interval_problem(field.data)
        if problem:
            raise ValidationError(problem)


@bp.route("/")
@requires("approve_declarations")
def index() -> str:
    """Every campaign, open first, with its progress."""
    return render_template("campaigns/index.html",
                           rows=queries.campaigns(get_db(), timeutil.today_uk()))


@bp.route("/new", methods=["GET", "POST"])
@requires("approve_declarations")
def new() -> str | Response:
    """Open a campaign."""
    db = get_db()
    form = CampaignForm()
    form.committees.choices = [(str(r["id"]), r["name"]) for r in
                               db.query("SELECT id, name FROM committees ORDER BY name")]
    if form.validate_on_submit():
        committee_ids = [int(v) for v in form.committees.data or []]
        if not queries.people_in_scope(db, committee_ids):
            form.committees.errors.append("Nobody is in scope: choose committees with members, "
                                          "or none for every decision-maker")
        else:
            campaign_id = queries.open_campaign(db, {
                "title": form.title.data.strip(), "kind": form.kind.data,
                "deadline": form.deadline.data.isoformat(),
                "reminder_every_days": int(form.reminder_every_days.data),
                "publish_non_declarers": int(bool(form.publish_non_declarers.data))},
                committee_ids, user_id=current_user.id, actor=current_user.actor,
                today=timeutil.today_uk())
            flash("Campaign opened. Each person is asked by email when the daily reminders run, "
                  "then reminded until they answer.", "success")
            return redirect(url_for("campaigns.show", campaign_id=campaign_id))
    return render_template("campaigns/new.html", form=form)


class ExtendForm(BaseForm):
    """A later deadline for an open campaign."""

    new_deadline = DateInputField("New deadline", noun="the new deadline", required=True)


def _campaign_or_404(campaign_id: int) -> dict[str, Any]:
    row = queries.get_campaign(get_db(), campaign_id, timeutil.today_uk())
    if row is None:
        abort(404)
    return row


def _show(campaign: dict[str, Any], extend_form: ExtendForm | None = None) -> str:
    people = queries.progress(get_db(), campaign)
    return render_template("campaigns/show.html", campaign=campaign, people=people,
                           answered=sum(1 for p in people if p["answered"]),
                           late=sum(1 for p in people if p["answer"] == "late"),
                           extend_form=extend_form or ExtendForm(formdata=None))


@bp.route("/<int:campaign_id>", methods=["GET", "POST"])
@requires("approve_declarations")
def show(campaign_id: int) -> str | Response:
    """A campaign's progress: counts and who has answered; closing it early (final)."""
    campaign = _campaign_or_404(campaign_id)
    if request.method == "POST":
        if queries.close_campaign(get_db(), campaign_id, actor=current_user.actor,
                                  today=timeutil.today_uk()):
            flash("Campaign closed: those who had not answered are listed as non-declarers. "
                  "Closing is final.", "success")
        else:
            flash("This campaign is already closed.", "info")
        return redirect(url_for("campaigns.show", campaign_id=campaign_id))
    return _show(campaign)


@bp.route("/<int:campaign_id>/extend", methods=["POST"])
@requires("approve_declarations")
def extend(campaign_id: int) -> str | Response:
    """Move an open campaign's deadline later."""
    campaign = _campaign_or_404(campaign_id)
    form = ExtendForm()
    if form.validate_on_submit():
        problem = queries.extend_deadline(get_db(), campaign_id, form.new_deadline.data,
                                          actor=current_user.actor, today=timeutil.today_uk())
        if problem is None:
            flash(f"Deadline extended to {timeutil.long_date(form.new_deadline.data)}.",
                  "success")
            return redirect(url_for("campaigns.show", campaign_id=campaign_id))
        form.new_deadline.errors.append(problem)
    return _show(campaign, form)


@public_bp.route("/public/non-declarers")
def non_declarers() -> str:
    """Those who did not declare in the campaigns the organisation chose to publish."""
    return render_template("campaigns/public.html",
                           campaigns=queries.published_non_declarers(get_db(),
                                                                     timeutil.today_uk()))
