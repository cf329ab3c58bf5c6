"""Placeholder for the search pages."""
from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.route("/")
@login_required
def index() -> str:
    return render_template("error.html", status=200, title="search", message="Not built yet.")
