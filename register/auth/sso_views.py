"""Single sign-on pages: start at the identity provider, come back, find the account."""
from __future__ import annotations

import logging

from flask import abort, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import audit
from ..db import get_db, write_transaction
from . import sso
from .views import _safe_next, bp, complete_sign_in

log = logging.getLogger("register")

NO_ACCOUNT = "No account in the register uses this email: ask your board secretary."
NOT_VERIFIED = ("Your sign-in service has not confirmed this email address, so the register "
                "cannot match it to an account: ask your board secretary.")
DISABLED = "Your account in the register is disabled: ask your board secretary."


@bp.route("/sign-in/sso")
def sso_start() -> Response:
    """Send the browser to the identity provider (state, nonce and PKCE kept in the session)."""
    if not sso.enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    session["sso_next"] = _safe_next(request.args.get("next"))
    try:
        return sso.authorize_redirect(url_for("auth.sso_callback", _external=True))
    except sso.SignInRefused as refused:
        return _refused(str(refused), 502)


@bp.route("/sign-in/sso/callback")
def sso_callback() -> str | Response:
    """Come back from the identity provider: verify its answer, then sign in the person's account.

    A GET by the protocol; it is bound to this browser by the state and nonce that sso_start kept
    in the session (so it needs no CSRF token) and writes only the sign-in or its refusal."""
    if not sso.enabled():
        abort(404)
    try:
        identity = sso.identity_from_callback()
    except sso.SignInRefused as refused:
        log.warning("single sign-on refused: %s", refused)
        return _refused(str(refused), 400)
    db = get_db()
    row = sso.account_for(db, identity)
    if row is None or not row["active"]:
        reason = ("email not verified" if not identity.email_verified
                  else "no account with this email" if row is None else "account disabled")
        with write_transaction(db):
            audit.record(db, actor=f"sso:{identity.email or identity.subject or 'unknown'}",
                         action="sso_refused", entity="sign_in",
                         entity_id=identity.email or identity.subject,
                         changes={"reason": reason, "subject": identity.subject})
        message = (NOT_VERIFIED if not identity.email_verified
                   else NO_ACCOUNT if row is None else DISABLED)
        return _refused(message, 403)
    complete_sign_in(db, row, method="sso")
    return redirect(session.pop("sso_next", None) or url_for("main.home"))


def _refused(message: str, status: int) -> tuple[str, int]:
    return render_template("auth/sso_refused.html", message=message), status
