"""Placeholder for the organisations pages."""
from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


@bp.route("/")
@login_required
def index() -> str:
    return render_template("error.html", status=200, title="organisations", message="Not built yet.")
