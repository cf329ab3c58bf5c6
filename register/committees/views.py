"""Placeholder for the committees pages."""
from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("committees", __name__, url_prefix="/committees")


@bp.route("/")
@login_required
def index() -> str:
    return render_template("error.html", status=200, title="committees", message="Not built yet.")
