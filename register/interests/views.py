"""Placeholder for the interests pages."""
from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("interests", __name__, url_prefix="/interests")


@bp.route("/")
@login_required
def index() -> str:
    return render_template("error.html", status=200, title="Interests", message="Not built yet.")
