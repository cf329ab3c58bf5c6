"""The second factor's pages: the code after the password, enrolment with a QR code, recovery
codes shown once, turning it off, and an administrator's reset."""
from __future__ import annotations

import time

import segno
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response

from ..db import get_db
from ..rules import one_time_codes
from . import models, passwords, second_factor
from .access import requires
from .forms import EnrolSecondFactorForm, SecondFactorCodeForm, TurnOffSecondFactorForm
from .views import _account_or_404, bp, complete_sign_in

# Pages an account that must enrol may still open before it has.
_OPEN_BEFORE_ENROLMENT = {"auth.enrol_second_factor", "auth.recovery_codes", "auth.sign_out",
                          "static"}


@bp.before_app_request
def enrolment_first() -> Response | None:
    """Administrators and governance leads who signed in with a password but have no second
    factor are sent to set one up, and can use nothing else until they have."""
    if not current_user.is_authenticated or current_user.has_second_factor:
        return None
    if session.get("signed_in_with") == "sso":  # the identity provider asked for its own factor
        return None
    if not second_factor.required_for(current_user.role):
        return None
    endpoint = request.endpoint or ""
    if endpoint in _OPEN_BEFORE_ENROLMENT or endpoint.endswith(".static"):
        return None
    return redirect(url_for("auth.enrol_second_factor"))


def _pending() -> tuple[dict, str] | None:
    """The account whose password was right and whose code is due, with where to go next."""
    pending = session.get("sign_in_pending")
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        return None
    row = next(iter(get_db().query(models.USER_SQL + "WHERE users.id = ?",
                                   [pending.get("user_id")])), None)
    # A password change, a reset or a disabled account since the password was typed ends it.
    if (row is None or not row["active"] or not row["totp_secret"]
            or row["session_token"] != pending.get("token")):
        return None
    return row, pending.get("next") or url_for("main.home")


@bp.route("/sign-in/code", methods=["GET", "POST"])
def sign_in_code() -> str | Response:
    """The second step of signing in: the code from the authenticator app, or a recovery code."""
    pending = _pending()
    if pending is None:
        session.pop("sign_in_pending", None)
        flash("Sign in again: the code must be entered within 5 minutes of your password.",
              "info")
        return redirect(url_for("auth.sign_in"))
    row, next_path = pending
    db = get_db()
    form = SecondFactorCodeForm()
    if form.validate_on_submit():
        address = request.remote_addr or ""
        refusal = models.refusal(db, row["username"], address)
        if refusal:
            form.form_errors.append(refusal)
        else:
            outcome = second_factor.check(db, row, form.code.data, purpose="sign_in")
            if outcome.ok:
                session.pop("sign_in_pending", None)
                complete_sign_in(db, row, method="password and recovery code"
                                 if outcome.recovery_codes_left is not None
                                 else "password and authenticator code")
                if outcome.recovery_codes_left is not None:
                    flash(_recovery_used_message(outcome.recovery_codes_left), "info")
                return redirect(next_path)
            refusal = models.refusal(db, row["username"], address)
            if refusal:
                session.pop("sign_in_pending", None)
                form.form_errors.append(refusal)
            else:
                form.code.errors.append(outcome.message)
    return render_template("auth/sign_in_code.html", form=form)


def _recovery_used_message(left: int) -> str:
    words = f"You signed in with a recovery code. You have {left} left"
    if left <= 3:
        words += (": turn the second factor off and set it up again on Your account to get "
                  "new ones")
    return words + "."


@bp.route("/account/second-factor/set-up", methods=["GET", "POST"])
@login_required
def enrol_second_factor() -> str | Response:
    """Set up an authenticator app: scan the QR code, enter the code it shows."""
    if current_user.has_second_factor:
        flash("Your second factor is already set up.", "info")
        return redirect(url_for("auth.my_account"))
    secret = session.get("enrol_secret")
    if not isinstance(secret, str) or not secret:
        secret = session["enrol_secret"] = one_time_codes.new_secret()
    form = EnrolSecondFactorForm()
    if form.validate_on_submit():
        db = get_db()
        codes = second_factor.enrol(db, current_user.id, secret, form.code.data,
                                    actor=current_user.actor)
        if codes is None:
            form.code.errors.append("The code is not correct: check that the time on your phone "
                                    "is right, then enter the code your app shows now")
        else:
            method = session.get("signed_in_with") or "password"
            session.pop("enrol_secret", None)
            login_user(models._user_from_row(models.find_by_username(db, current_user.username)))
            session["signed_in_with"] = method
            session["new_recovery_codes"] = codes
            flash("Your second factor is set up. Other sessions have been signed out.", "success")
            return redirect(url_for("auth.recovery_codes"))
    uri = one_time_codes.provisioning_uri(secret, current_user.username,
                                          current_app.config["SERVICE_NAME"])
    qr_image = segno.make(uri, error="m").svg_data_uri(scale=5)
    required = second_factor.required_for(current_user.role)
    return render_template("auth/second_factor_set_up.html", form=form, qr_image=qr_image,
                           secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
                           required=required)


@bp.route("/account/second-factor/recovery-codes")
@login_required
def recovery_codes() -> str:
    """The new recovery codes, shown once straight after setting up."""
    codes = session.pop("new_recovery_codes", None)
    left = second_factor.recovery_codes_left(get_db(), current_user.id)
    return render_template("auth/recovery_codes.html", codes=codes, left=left)


@bp.route("/account/second-factor/turn-off", methods=["POST"])
@login_required
def turn_off_second_factor() -> str | Response:
    """Turn your own second factor off (not allowed where your role requires one)."""
    if second_factor.required_for(current_user.role):
        flash("Your role must keep a second factor. To move it to a new phone, ask an "
              "administrator to reset it.", "info")
        return redirect(url_for("auth.my_account"))
    form = TurnOffSecondFactorForm(prefix="turn_off")
    db = get_db()
    row = models.find_by_username(db, current_user.username)
    if not form.validate_on_submit() or not passwords.check_password(row["password_hash"],
                                                                     form.password.data):
        flash("Your second factor is still on: enter your correct password to turn it off.",
              "info")
        return redirect(url_for("auth.my_account"))
    second_factor.remove(db, current_user.id, actor=current_user.actor,
                         action="disable_second_factor")
    method = session.get("signed_in_with") or "password"
    login_user(models._user_from_row(models.find_by_username(db, current_user.username)))
    session["signed_in_with"] = method
    flash("Your second factor is turned off. Other sessions have been signed out.", "success")
    return redirect(url_for("auth.my_account"))


@bp.route("/accounts/<int:user_id>/second-factor/reset", methods=["POST"])
@requires("manage_accounts")
def reset_second_factor(user_id: int) -> Response:
    """An administrator removes an account's second factor (a lost phone); its sessions end and
    it sets one up again at its next sign-in where its role requires one."""
    row = _account_or_404(user_id)
    if not row["totp_secret"]:
        flash(f"Account {row['username']} has no second factor to reset.", "info")
        return redirect(url_for("auth.edit_account", user_id=user_id))
    db = get_db()
    second_factor.remove(db, user_id, actor=current_user.actor, action="reset_second_factor")
    if user_id == current_user.id:
        login_user(models._user_from_row(models.find_by_username(db, row["username"])))
    flash(f"The second factor of {row['username']} has been reset. Their sessions have ended.",
          "success")
    return redirect(url_for("auth.edit_account", user_id=user_id))

