"""Sign in, sign out, your account, and account administration."""
from __future__ import annotations

import time
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from .. import audit
from ..db import get_db, write_transaction
from ..rules import redirects
from . import models, passwords, second_factor, sessions, sso
from .access import requires
from .forms import (
    ChangePasswordForm,
    EditAccountForm,
    NewAccountForm,
    ResetPasswordForm,
    SignInForm,
    TurnOffSecondFactorForm,
)

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "Enter a correct username and password"
# How long the code may be entered after a correct password, before starting again.
SECOND_FACTOR_SECONDS = 300


def _safe_next(target: str | None) -> str:
    """Only follow local paths after sign-in (rules/redirects.py decides), else the home page."""
    return redirects.local_path(target) or url_for("main.home")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> str | Response:
    """Sign in with a username and password; unknown names and wrong passwords look alike."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        db = get_db()
        username = form.username.data
        address = request.remote_addr or ""
        refusal = models.refusal(db, username, address)
        if refusal:
            form.form_errors.append(refusal)
        else:
            row = models.find_by_username(db, username)
            ok = passwords.check_password(row["password_hash"] if row else None,
                                          form.password.data)
            if ok and row["active"] and not row["password_allowed"]:
                with write_transaction(db):
                    audit.record(db, actor=row["username"], action="sign_in_refused",
                                 entity="user", entity_id=row["id"],
                                 changes={"reason": "password sign-in is turned off"})
                form.form_errors.append(password_not_allowed_message())
                return render_template("auth/sign_in.html", form=form, sso_enabled=sso.enabled())
            if ok and row["active"] and row["totp_secret"]:
                start_second_factor(row, _safe_next(request.args.get("next")))
                return redirect(url_for("auth.sign_in_code"))
            if ok and row["active"]:
                complete_sign_in(db, row, method="password")
                return redirect(_safe_next(request.args.get("next")))
            if models.note_failure(db, username, address):
                form.form_errors.append(models.refusal(db, username, address))
            else:
                form.form_errors.append(SIGN_IN_FAILED)
    return render_template("auth/sign_in.html", form=form, sso_enabled=sso.enabled())


def complete_sign_in(db: Any, row: dict[str, Any], *, method: str) -> None:
    """Record a finished sign-in (password, password and second factor, or single sign-on) and
    start the session; `method` is kept in the session and the audit trail."""
    models.clear_failures(db, row["username"], request.remote_addr or "")
    with write_transaction(db):
        db.execute("UPDATE users SET last_sign_in_at = datetime('now') WHERE id = ?", [row["id"]])
        audit.record(db, actor=row["username"], action="sign_in", entity="user",
                     entity_id=row["id"], changes={"method": method})
    fresh = models.find_by_username(db, row["username"])
    login_user(models._user_from_row(fresh))
    session["signed_in_with"] = method


def password_not_allowed_message() -> str:
    """Why a correct password was refused: the account signs in with single sign-on only."""
    if sso.enabled():
        button = current_app.config["OIDC_BUTTON_TEXT"]
        return (f"This account signs in with single sign-on only: use the “{button}” "
                f"button")
    return "This account cannot sign in with a password: ask your administrator"


def start_second_factor(row: dict[str, Any], next_path: str) -> None:
    """Remember, for a few minutes, that this account's password was right and its code is due."""
    session["sign_in_pending"] = {"user_id": row["id"], "token": row["session_token"],
                                  "next": next_path,
                                  "until": time.time() + SECOND_FACTOR_SECONDS}


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out() -> Response:
    """Sign out and end every session of this account (a copied cookie stops working)."""
    db = get_db()
    with write_transaction(db):
        models.rotate_session_token(db, current_user.id, "signed out")
        audit.record(db, actor=current_user.actor, action="sign_out", entity="user",
                     entity_id=current_user.id, changes={})
    logout_user()
    session.pop("signed_in_with", None)
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def my_account() -> str | Response:
    """Your account: your sessions, and a password change (which ends every session and starts a
    new one here)."""
    form = ChangePasswordForm(username=current_user.username)
    db = get_db()
    address = request.remote_addr or ""
    if form.validate_on_submit():
        row = models.find_by_username(db, current_user.username)
        refusal = models.refusal(db, current_user.username, address)
        if refusal:
            form.current_password.errors.append(refusal)
        elif not passwords.check_password(row["password_hash"], form.current_password.data):
            # A wrong current password counts towards the lockout, as at sign-in.
            if models.note_failure(db, current_user.username, address):
                return sessions.locked_out()
            form.current_password.errors.append("Your current password is not correct")
        else:
            with write_transaction(db):
                db.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                           [passwords.hash_password(form.new_password.data), current_user.id])
                models.rotate_session_token(db, current_user.id, "password changed")
                audit.record(db, actor=current_user.actor, action="change_password",
                             entity="user", entity_id=current_user.id, changes={})
            fresh = models.find_by_username(db, current_user.username)
            login_user(models._user_from_row(fresh))
            flash("Your password has been changed. Other sessions have been signed out.",
                  "success")
            return redirect(url_for("auth.my_account"))
    return render_template(
        "auth/my_account.html", form=form, turn_off_form=TurnOffSecondFactorForm(prefix="turn_off"),
        recovery_codes_left=second_factor.recovery_codes_left(get_db(), current_user.id),
        second_factor_required=second_factor.required_for(current_user.role),
        sessions=sessions.of_account(get_db(), current_user.id, g.get("session_id")),
        email_daily=bool(get_db().execute("SELECT email_daily FROM users WHERE id = ?",
                                          [current_user.id]).fetchone()[0]))


@bp.route("/account/email", methods=["POST"])
@login_required
def email_preference() -> Response:
    """Choose to hear by email at once, or in one summary a day."""
    choice = request.form.get("email_daily", "")
    if choice not in ("0", "1"):
        flash("Choose how often you hear from the register by email.", "error")
        return redirect(url_for("auth.my_account") + "#email")
    db = get_db()
    with write_transaction(db):
        db.execute("UPDATE users SET email_daily = ? WHERE id = ?", [int(choice), current_user.id])
        audit.record(db, actor=current_user.actor, action="update", entity="user",
                     entity_id=current_user.id, changes={"email_daily": [None, int(choice)]})
    flash("You will hear in one summary a day." if choice == "1"
          else "You will hear by email as things happen.", "success")
    return redirect(url_for("auth.my_account") + "#email")


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions() -> Response:
    """Sign out every other session of your account (another browser, a lost phone)."""
    ended = sessions.end_others(get_db(), current_user.id, g.get("session_id"),
                                current_user.actor)
    flash(f"Signed out {ended} other session{'s' if ended != 1 else ''}." if ended
          else "You had no other sessions.", "success")
    return redirect(url_for("auth.my_account"))


@bp.route("/accounts")
@requires("manage_accounts")
def accounts() -> str:
    """Every account, for administrators."""
    rows = list(get_db().query(models.USER_SQL + "ORDER BY users.username COLLATE NOCASE"))
    return render_template("auth/accounts.html", rows=rows)


@bp.route("/accounts/new", methods=["GET", "POST"])
@requires("manage_accounts")
def new_account() -> str | Response:
    """Create an account with a role, optionally tied to a person."""
    db = get_db()
    form = NewAccountForm()
    form.person_id.choices = _person_choices(db)
    if form.validate_on_submit():
        models.create_user(
            db, username=form.username.data, password=form.new_password.data,
            role=form.role.data, person_id=int(form.person_id.data) if form.person_id.data else None,
            actor=current_user.actor,
        )
        flash(f"Account {form.username.data} created.", "success")
        return redirect(url_for("auth.accounts"))
    return render_template("auth/new_account.html", form=form)


@bp.route("/accounts/<int:user_id>/edit", methods=["GET", "POST"])
@requires("manage_accounts")
def edit_account(user_id: int) -> str | Response:
    """Change an account's role, the person it belongs to (not your own role), and, where single
    sign-on is set up, whether its local password may still be used."""
    row = _account_or_404(user_id)
    db = get_db()
    form = EditAccountForm(account_id=user_id,
                           shown=("password_allowed",) if _password_choice_shown(row) else (),
                           data={"role": row["role"], "person_id": str(row["person_id"] or ""),
                                 "password_allowed": bool(row["password_allowed"])}
                           if request.method == "GET" else None)
    form.person_id.choices = _person_choices(db, user_id)
    if form.validate_on_submit():
        if user_id == current_user.id and form.role.data != row["role"]:
            form.role.errors.append("You cannot change your own role: ask another administrator")
        else:
            person_id = int(form.person_id.data) if form.person_id.data else None
            before = {"role": row["role"], "person_id": row["person_id"],
                      "password_allowed": row["password_allowed"]}
            # The choice is offered only where single sign-on is set up (or was, and the account
            # still has its password turned off); elsewhere the password stays as it is.
            allowed = (int(bool(form.password_allowed.data)) if _password_choice_shown(row)
                       else row["password_allowed"])
            after = {"role": form.role.data, "person_id": person_id,
                     "password_allowed": allowed}
            if before != after:
                with write_transaction(db):
                    db.execute("UPDATE users SET role = ?, person_id = ?, password_allowed = ?"
                               " WHERE id = ?",
                               [form.role.data, person_id, after["password_allowed"], user_id])
                    if before["role"] != after["role"]:
                        # What the account may do changed: it signs in again to get it.
                        models.rotate_session_token(db, user_id, "role changed")
                    audit.record(db, actor=current_user.actor, action="update", entity="user",
                                 entity_id=user_id, before=before, after=after)
            flash(f"Account {row['username']} saved.", "success")
            return redirect(url_for("auth.accounts"))
    return render_template("auth/edit_account.html", form=form, account=row,
                           password_choice=_password_choice_shown(row),
                           recovery_codes_left=second_factor.recovery_codes_left(db, user_id))


def _password_choice_shown(row: dict[str, Any]) -> bool:
    return sso.enabled() or not row["password_allowed"]


def _person_choices(db: Any, account_id: int | None = None) -> list[tuple[str, str]]:
    """The people an account may belong to: those without another account."""
    return [("", "No person (for example an auditor from outside)")] + [
        (str(p["id"]), f"{p['name']} ({p['email']})")
        for p in db.query("SELECT id, name, email FROM people WHERE id NOT IN (SELECT person_id"
                          " FROM users WHERE person_id IS NOT NULL AND id IS NOT ?) ORDER BY name",
                          [account_id])]


def _account_or_404(user_id: int) -> dict:
    row = next(iter(get_db().query(models.USER_SQL + "WHERE users.id = ?", [user_id])), None)
    if row is None:
        abort(404)
    return row


@bp.route("/accounts/<int:user_id>/disable", methods=["POST"])
@requires("manage_accounts")
def disable_account(user_id: int) -> Response:
    """Disable an account: its sessions end at once."""
    row = _account_or_404(user_id)
    if row["id"] == current_user.id:
        flash("You cannot disable your own account.", "info")
        return redirect(url_for("auth.accounts"))
    db = get_db()
    with write_transaction(db):
        db.execute("UPDATE users SET active = 0 WHERE id = ?", [user_id])
        models.rotate_session_token(db, user_id, "account disabled")
        audit.record(db, actor=current_user.actor, action="disable", entity="user",
                     entity_id=user_id, changes={"active": [1, 0]})
    flash(f"Account {row['username']} disabled. Its sessions have ended.", "success")
    return redirect(url_for("auth.accounts"))


@bp.route("/accounts/<int:user_id>/enable", methods=["POST"])
@requires("manage_accounts")
def enable_account(user_id: int) -> Response:
    """Re-enable a disabled account."""
    row = _account_or_404(user_id)
    db = get_db()
    with write_transaction(db):
        db.execute("UPDATE users SET active = 1 WHERE id = ?", [user_id])
        audit.record(db, actor=current_user.actor, action="enable", entity="user",
                     entity_id=user_id, changes={"active": [0, 1]})
    flash(f"Account {row['username']} enabled.", "success")
    return redirect(url_for("auth.accounts"))


@bp.route("/accounts/<int:user_id>/password", methods=["GET", "POST"])
@requires("manage_accounts")
def reset_password(user_id: int) -> str | Response:
    """Set a new password for an account; its sessions end."""
    row = _account_or_404(user_id)
    if user_id == current_user.id:
        # Your own password is changed where it asks for the current one, and keeps you signed in.
        flash("To change your own password, use this page: it asks for your current password "
              "and keeps you signed in.", "info")
        return redirect(url_for("auth.my_account"))
    form = ResetPasswordForm(username=row["username"])
    if form.validate_on_submit():
        db = get_db()
        with write_transaction(db):
            db.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                       [passwords.hash_password(form.new_password.data), user_id])
            models.rotate_session_token(db, user_id, "password reset")
            models.clear_failures(db, row["username"])
            audit.record(db, actor=current_user.actor, action="reset_password", entity="user",
                         entity_id=user_id, changes={})
        flash(f"New password set for {row['username']}. Tell them in person or by phone.",
              "success")
        return redirect(url_for("auth.accounts"))
    return render_template("auth/reset_password.html", form=form, account=row)


# The second factor's and single sign-on's pages use this blueprint too.
from . import second_factor_views, sso_views  # noqa: E402, F401
