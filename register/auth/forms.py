"""Sign-in and account forms."""
from __future__ import annotations

from flask import current_app
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import ValidationError

from ..db import get_db
from ..forms import BaseForm, MaxLength, Required
from . import passwords
from .roles import ROLE_LABELS


class SignInForm(BaseForm):
    """Username and password."""

    username = StringField("Username", [Required("Enter your username"), MaxLength(100)])
    password = PasswordField("Password", [Required("Enter your password")])


class NewPasswordMixin:
    """A new password typed twice, for the account named `account_username` (or the form's
    username field)."""

    account_username: str = ""

    def validate_new_password(self, field) -> None:  # noqa: ANN001
        typed = getattr(self, "username", None)
        username = typed.data if typed is not None and typed.data else self.account_username
        problem = passwords.password_problem(
            field.data or "", username=username or "",
            organisation=current_app.config["ORGANISATION_NAME"])
        if problem:
            raise ValidationError(problem)

    def validate_confirm_password(self, field) -> None:  # noqa: ANN001
        if field.data != self.new_password.data:
            raise ValidationError("The passwords do not match")


class ChangePasswordForm(NewPasswordMixin, BaseForm):
    """Change your own password."""

    current_password = PasswordField("Current password", [Required("Enter your current password")])
    new_password = PasswordField("New password", [Required("Enter a new password")])
    confirm_password = PasswordField("Confirm new password", [Required("Confirm the new password")])

    def __init__(self, *args, username: str = "", **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.account_username = username


class RoleAndPersonChecks:
    """The role and the linked person of an account being created (account_id None) or changed."""

    account_id: int | None = None

    def validate_role(self, field) -> None:  # noqa: ANN001
        if field.data not in ROLE_LABELS:
            raise ValidationError("Choose a role")

    def validate_person_id(self, field) -> None:  # noqa: ANN001
        if not field.data:
            return
        if not field.data.isdecimal() or not get_db().execute(
                "SELECT 1 FROM people WHERE id = ?", [int(field.data)]).fetchone():
            raise ValidationError("Choose a person from the list")
        if get_db().execute("SELECT 1 FROM users WHERE person_id = ? AND id IS NOT ?",
                            [int(field.data), self.account_id]).fetchone():
            raise ValidationError("That person already has another account"
                                  if self.account_id else "That person already has an account")


class NewAccountForm(RoleAndPersonChecks, NewPasswordMixin, BaseForm):
    """An administrator creates an account."""

    username = StringField("Username", [Required("Enter a username"), MaxLength(100)])
    role = SelectField("Role", choices=[("", "Choose a role")] + list(ROLE_LABELS.items()),
                       validators=[Required("Choose a role")])
    person_id = SelectField("Person this account belongs to", choices=[], coerce=str,
                            validate_choice=False)
    new_password = PasswordField("Password", [Required("Enter a password")])
    confirm_password = PasswordField("Confirm password", [Required("Confirm the password")])

    def validate_username(self, field) -> None:  # noqa: ANN001
        if any(ch.isspace() for ch in field.data):
            raise ValidationError("Username must not contain spaces")
        if get_db().execute("SELECT 1 FROM users WHERE username = ?", [field.data]).fetchone():
            raise ValidationError("That username is already taken")


class EditAccountForm(RoleAndPersonChecks, BaseForm):
    """An administrator changes an account's role or the person it belongs to."""

    role = SelectField("Role", choices=list(ROLE_LABELS.items()),
                       validators=[Required("Choose a role")])
    person_id = SelectField("Person this account belongs to", choices=[], coerce=str,
                            validate_choice=False)

    password_allowed = BooleanField("Allow signing in with a password")

    def __init__(self, *args, account_id: int, shown: tuple[str, ...] = (),  # noqa: ANN002
                 **kwargs) -> None:  # noqa: ANN003
        super().__init__(*args, **kwargs)
        self.account_id = account_id
        self.shown = shown

    def validate_password_allowed(self, field) -> None:  # noqa: ANN001
        from . import sso

        if not field.data and not sso.enabled() and "password_allowed" in self.shown:
            raise ValidationError("Single sign-on is not set up, so this account must keep its "
                                  "password")


class ResetPasswordForm(NewPasswordMixin, BaseForm):
    """An administrator sets a new password for an account."""

    new_password = PasswordField("New password", [Required("Enter a new password")])
    confirm_password = PasswordField("Confirm new password", [Required("Confirm the new password")])

    def __init__(self, *args, username: str = "", **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.account_username = username

class SecondFactorCodeForm(BaseForm):
    """The code from an authenticator app (or a recovery code) after the password."""

    code = StringField("Code", [Required("Enter the code from your authenticator app"),
                                MaxLength(40)])


class EnrolSecondFactorForm(BaseForm):
    """The first code an authenticator app shows, proving it holds the new secret."""

    code = StringField("Code from your authenticator app",
                       [Required("Enter the 6-digit code from your authenticator app"),
                        MaxLength(20)])


class TurnOffSecondFactorForm(BaseForm):
    """Your password, to turn your own second factor off."""

    password = PasswordField("Your password", [Required("Enter your password")])
