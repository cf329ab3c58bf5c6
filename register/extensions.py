"""Flask extensions: CSRF protection and sign-in sessions."""
from __future__ import annotations

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


def init_app(app: Flask) -> None:
    """Attach CSRF protection and the login manager to the app."""
    csrf.init_app(app)
    login_manager.init_app(app)
    from .auth import (
        models,  # noqa: F401  registers the user loader
        sessions,
    )

    sessions.init_app(app)
