"""Single sign-on with OpenID Connect (NHSmail, Microsoft Entra ID, any OIDC provider).

Authorisation code flow with PKCE, state and nonce, through Authlib; the ID token's signature,
issuer, audience, expiry and nonce are checked. An account is found by the person's VERIFIED email:
nobody gets an account by signing in."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, session
from sqlite_utils import Database

from . import models

PROVIDER = "oidc"
TIMEOUT_SECONDS = 10


class SignInRefused(Exception):
    """The provider's answer was not accepted; the message is for the person signing in."""


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in."""

    subject: str
    email: str
    email_verified: bool
    # When the provider last asked the person to sign in (seconds since 1970), if it said.
    auth_time: int | None = None


def enabled(app: Flask | None = None) -> bool:
    """Whether single sign-on is configured (issuer, client id and secret all set)."""
    config = (app or current_app).config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID")
                and config.get("OIDC_CLIENT_SECRET"))


def client() -> Any:
    """This app's OIDC client, built once per app from its configuration."""
    app = current_app._get_current_object()
    registry = app.extensions.get("register_oidc")
    if registry is None:
        # Imported on first use: most processes (CLI commands, a register without single
        # sign-on) never need the OIDC client library or the HTTP stack it brings.
        from authlib.integrations.flask_client import OAuth

        registry = OAuth(app)
        issuer = app.config["OIDC_ISSUER"].rstrip("/")
        registry.register(
            PROVIDER,
            client_id=app.config["OIDC_CLIENT_ID"],
            client_secret=app.config["OIDC_CLIENT_SECRET"],
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                           "default_timeout": TIMEOUT_SECONDS},
        )
        app.extensions["register_oidc"] = registry
    return registry.create_client(PROVIDER)


def _checked_metadata(oidc: Any) -> dict[str, Any]:
    """The provider's discovery document, refused if it names another issuer (OIDC Discovery 4.3)."""
    try:
        metadata = oidc.load_server_metadata()
    except Exception as exc:  # noqa: BLE001 - network or JSON errors alike
        raise SignInRefused("The sign-in service could not be reached. Try again, or sign in "
                            "with your username and password.") from exc
    issuer = current_app.config["OIDC_ISSUER"].rstrip("/")
    if (metadata.get("issuer") or "").rstrip("/") != issuer:
        raise SignInRefused("The sign-in service is not the one this register is set up for.")
    return metadata


def authorize_redirect(redirect_uri: str, *, sign_in_again: bool = False) -> Any:
    """The redirect to the provider, with state, nonce and a PKCE challenge kept in the session.
    With `sign_in_again`, the provider is asked to make the person sign in again whatever
    session they have there (`prompt=login`, `max_age=0`), to confirm who they are now."""
    oidc = client()
    _checked_metadata(oidc)
    if sign_in_again:
        return oidc.authorize_redirect(redirect_uri, prompt="login", max_age=0)
    return oidc.authorize_redirect(redirect_uri)


def identity_from_callback() -> Identity:
    """Finish the flow on the callback: check state, exchange the code, verify the ID token."""
    from authlib.integrations.base_client import OAuthError
    from joserfc.errors import JoseError

    oidc = client()
    _checked_metadata(oidc)
    try:
        token = oidc.authorize_access_token()
    except OAuthError as exc:
        if exc.error == "mismatching_state":
            raise SignInRefused("This sign-in link has expired or was already used. "
                                "Start again from the sign-in page.") from exc
        raise SignInRefused("The sign-in service did not confirm who you are. "
                            "Start again from the sign-in page.") from exc
    except JoseError as exc:
        raise SignInRefused("The sign-in service's answer could not be verified, so you have "
                            "not been signed in.") from exc
    claims = token.get("userinfo")
    if not claims:
        raise SignInRefused("The sign-in service did not send an identity token, so you have "
                            "not been signed in.")
    return identity_from_claims(claims)


def verified_claims(token: dict[str, Any], nonce: str) -> dict[str, Any]:
    """The claims of a token response's ID token after checking its signature, issuer, audience
    (this register's client id), expiry and nonce; raises SignInRefused otherwise."""
    from joserfc.errors import JoseError

    oidc = client()
    _checked_metadata(oidc)
    try:
        return dict(oidc.parse_id_token(token, nonce=nonce))
    except JoseError as exc:
        raise SignInRefused("The sign-in service's answer could not be verified, so you have "
                            "not been signed in.") from exc


def identity_from_claims(claims: dict[str, Any]) -> Identity:
    """The subject and email of verified ID token claims."""
    verified = claims.get("email_verified")
    auth_time = claims.get("auth_time")
    return Identity(subject=str(claims.get("sub") or ""),
                    email=str(claims.get("email") or "").strip(),
                    email_verified=verified is True or verified == "true",
                    auth_time=auth_time if isinstance(auth_time, int)
                    and not isinstance(auth_time, bool) else None)


def confirms_with_provider(user: Any) -> bool:
    """Whether this account confirms who it is at the identity provider (it signs in only by
    single sign-on, so it has no password of its own to re-enter before signing off)."""
    return enabled() and not user.password_allowed


def account_for(db: Database, identity: Identity) -> dict[str, Any] | None:
    """The account of the person whose email the provider has verified, or None."""
    if not identity.email_verified or not identity.email:
        return None
    return next(iter(db.query(
        models.USER_SQL + "WHERE users.person_id IN "
        "(SELECT id FROM people WHERE lower(email) = lower(?))", [identity.email])), None)



# The session keeps, for the one account signed in, when it last confirmed who it is at the
# provider; a sign-off uses the confirmation up.
_CONFIRMED = "sso_confirmed"


def remember_confirmation(user_id: int, at: float) -> None:
    """Note that this account confirmed who it is at the provider at `at` (seconds since 1970)."""
    session[_CONFIRMED] = {"user": user_id, "at": at}


def confirmed_at(user_id: int) -> float | None:
    """When this account last confirmed who it is at the provider, in this session, or None."""
    kept = session.get(_CONFIRMED)
    if not isinstance(kept, dict) or kept.get("user") != user_id:
        return None
    at = kept.get("at")
    return float(at) if isinstance(at, (int, float)) else None


def use_confirmation() -> None:
    """A confirmation is good for one sign-off."""
    session.pop(_CONFIRMED, None)
