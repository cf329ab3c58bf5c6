"""Search the register: people, organisations, interests and decisions in one box."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..auth.access import requires
from ..db import get_db
from ..decisions import access
from ..decisions.queries import status_label
from ..rules.interests import INTEREST_TYPES
from ..timeutil import today_uk
from . import queries

bp = Blueprint("search", __name__, url_prefix="/search")

KIND_LABELS = {
    "practice": "GP practice", "network": "Primary care network", "federation": "GP federation",
    "trust": "NHS trust", "independent": "Independent provider",
    "voluntary": "Voluntary sector", "local_authority": "Local authority", "other": "Other",
}


@bp.route("/")
@requires("read_reference_data")
def index() -> str:
    """The search form, and what the words typed found (members find only their own interests,
    and only the decisions they may read)."""
    text = request.args.get("q", "").strip()[:queries.MAX_QUERY_LENGTH]
    results = None
    if text:
        results = queries.search(
            get_db(), text, all_interests=current_user.can("read_all_interests"),
            person_id=current_user.person_id, viewer=access.viewer_for(current_user))
    return render_template("search/index.html", q=text, results=results,
                           kind_labels=KIND_LABELS, interest_types=INTEREST_TYPES,
                           limit=queries.LIMIT, today=today_uk().isoformat(),
                           status_label=status_label)
