"""Placeholder for the people pages."""
from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("people", __name__, url_prefix="/people")


@bp.route("/")
@login_required
def index() -> str:
    return render_template("error.html", status=200, title="people", message="Not built yet.")
