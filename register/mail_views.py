"""The outbox: every email the register has queued, sent or not, for administrators."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from . import mail
from .auth.access import requires
from .db import get_db

bp = Blueprint("mail", __name__)


@bp.route("/outbox")
@requires("manage_accounts")
def outbox() -> str:
    """The newest messages and where each stands; says whether a mail server is set."""
    return render_template("mail/outbox.html", rows=mail.outbox(get_db()),
                           configured=mail.configured(current_app.config),
                           max_attempts=mail.MAX_ATTEMPTS)
