"""Single sign-on pages: start at the identity provider, come back, find the account."""
from __future__ import annotations

import logging
import time

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from .. import audit
from ..db import get_db, write_transaction
from ..rules import sessions as session_rules
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
    confirming = session.pop("sso_confirm", None)
    if confirming is not None:
        return _confirmed(db, identity, confirming)
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


@bp.route("/sign-in/sso/confirm")
@login_required
def sso_confirm() -> Response | tuple[str, int]:
    """Send a signed-in person who has no password of their own back to the identity provider to
    sign in again, so that it confirms who they are before they sign off (`next` is where to come
    back to)."""
    if not sso.enabled():
        abort(404)
    back = _safe_next(request.args.get("next"))
    session["sso_confirm"] = {"user": current_user.id, "next": back}
    try:
        return sso.authorize_redirect(url_for("auth.sso_callback", _external=True),
                                      sign_in_again=True)
    except sso.SignInRefused as refused:
        session.pop("sso_confirm", None)
        return _refused(str(refused), 502, back)


def _confirmed(db, identity: sso.Identity, confirming: dict) -> Response | tuple[str, int]:
    """The provider's answer to a request to confirm who the signed-in person is: accepted only
    for the same account, signed in again just now."""
    back = confirming.get("next") or url_for("main.home")
    user_id = confirming.get("user")
    if not current_user.is_authenticated or current_user.id != user_id:
        return _refused("You are no longer signed in as the person who asked to confirm who they "
                        "are. Sign in and try again.", 403)
    row = sso.account_for(db, identity)
    now = time.time()
    if row is None or row["id"] != user_id:
        problem = ("Your sign-in service confirmed a different person from the one signed in "
                   "here, so nothing was confirmed.")
    else:
        problem = session_rules.reauthentication_problem(identity.auth_time, now)
    with write_transaction(db):
        audit.record(db, actor=current_user.actor,
                     action="sso_confirm_refused" if problem else "sso_confirmed",
                     entity="user", entity_id=user_id,
                     changes={"reason": problem} if problem else {"auth_time": identity.auth_time})
    if problem:
        log.warning("single sign-on confirmation refused for %s: %s", current_user.actor, problem)
        return _refused(problem, 403, back)
    sso.remember_confirmation(user_id, now)
    minutes = session_rules.CONFIRMATION_LASTS_SECONDS // 60
    flash(f"Your sign-in service confirmed who you are. Sign off within {minutes} minutes.",
          "success")
    return redirect(back)


def _refused(message: str, status: int, back: str | None = None) -> tuple[str, int]:
    return render_template("auth/sso_refused.html", message=message, back=back), status
