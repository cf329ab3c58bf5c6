"""Placeholder for the import pages."""
from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("imports", __name__, url_prefix="/import")


@bp.route("/")
@login_required
def index() -> str:
    return render_template("error.html", status=200, title="Import", message="Not built yet.")
