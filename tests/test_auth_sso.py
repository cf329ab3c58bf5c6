"""Single sign-on against a real OpenID Connect provider (oidc-provider-mock) started by the
fixture on a free port: the test client goes to the provider and back over HTTP, as a browser
would. Never skipped: the provider is a test requirement."""
from __future__ import annotations

import json
import re
import secrets
import threading
import time
from urllib.parse import parse_qs, urlsplit

import oidc_provider_mock
import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from register import create_app
from register.auth import sso
from register.db import connect, migrate

from .conftest import PASSWORD, add_person, add_user, count, sign_in
from .reading import markup
from .reading import words as text

CLIENT_ID = "register-test"


@pytest.fixture(scope="module")
def provider():
    """A real OIDC provider on localhost, for the whole module; yields its issuer URL."""
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def make_app(tmp_path, issuer: str, **over):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "DATABASE": str(tmp_path / "register.sqlite3"), "WTF_CSRF_ENABLED": False,
                      "OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": CLIENT_ID,
                      "OIDC_CLIENT_SECRET": "client-secret", "OIDC_BUTTON_TEXT":
                      "Sign in with NHSmail", **over})
    handle = connect(app.config["DATABASE"], foreign_keys=False)
    migrate(handle)
    handle.close()
    return app


@pytest.fixture
def app(tmp_path, provider):
    return make_app(tmp_path, provider)


def person_at_provider(issuer: str, email: str, verified: bool = True) -> str:
    """A person the provider knows (a fresh subject each time); returns the subject."""
    sub = f"sub-{secrets.token_hex(6)}"
    response = requests.put(f"{issuer}/users/{sub}", timeout=10,
                            json={"email": email, "email_verified": verified, "name": email})
    assert response.status_code == 204
    return sub


def to_provider(client, next_path: str | None = None) -> str:
    """Start single sign-on; returns the provider's authorisation URL the browser is sent to."""
    response = client.get("/sign-in/sso" + (f"?next={next_path}" if next_path else ""))
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


def approve(authorize_url: str, sub: str) -> str:
    """The person signs in at the provider; returns the callback path the provider sends back."""
    response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:300]
    back = urlsplit(response.headers["Location"])
    return f"{back.path}?{back.query}"


def sso_sign_in(client, issuer: str, sub: str, next_path: str | None = None):
    return client.get(approve(to_provider(client, next_path), sub))




def events(db, action: str) -> list[dict]:
    return [dict(r) for r in db.query("SELECT * FROM audit_events WHERE action = ? ORDER BY seq",
                                      [action])]


@pytest.fixture
def db(app):
    handle = connect(app.config["DATABASE"])
    yield handle
    handle.close()


@pytest.fixture
def ada(db):
    """A board member whose person record has the email the provider will verify."""
    person = add_person(db, name="Ada Lovelace", email="ada.lovelace@example.nhs.uk")
    add_user(db, role="member", username="ada", person_id=person)
    return person


# ---- the flow ---------------------------------------------------------------------------------

def test_the_sign_in_page_offers_the_configured_button(app, tmp_path):
    page = markup(app.test_client().get("/sign-in"))
    assert "Sign in with NHSmail" in page and 'href="/sign-in/sso' in page
    plain = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                        "DATABASE": str(tmp_path / "other.sqlite3")})
    assert "Sign in with NHSmail" not in text(plain.test_client().get("/sign-in"))
    assert plain.test_client().get("/sign-in/sso").status_code == 404


def test_the_redirect_carries_state_nonce_and_a_pkce_challenge(app, provider):
    query = parse_qs(urlsplit(to_provider(app.test_client())).query)
    assert query["client_id"] == [CLIENT_ID] and query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 16
    assert "openid" in query["scope"][0].split() and "email" in query["scope"][0].split()


def test_a_verified_email_signs_in_its_persons_account(app, db, provider, ada):
    client = app.test_client()
    sub = person_at_provider(provider, "Ada.Lovelace@example.nhs.uk")  # case does not matter
    response = sso_sign_in(client, provider, sub, next_path="/decisions/")
    assert response.status_code == 302 and response.headers["Location"] == "/decisions/"
    assert client.get("/decisions/").status_code == 200
    assert "Ada Lovelace" in text(client.get("/account"))
    sign_ins = events(db, "sign_in")
    assert len(sign_ins) == 1 and sign_ins[0]["actor"] == "ada"
    assert '"method":"sso"' in sign_ins[0]["changes"]


def test_an_unknown_email_gets_a_clear_page_and_no_account(app, db, provider, ada):
    client = app.test_client()
    users = count(db, "users")
    response = sso_sign_in(client, provider, person_at_provider(provider, "nobody@example.nhs.uk"))
    assert response.status_code == 403
    assert "No account in the register uses this email: ask your board secretary." in \
        text(response)
    assert client.get("/decisions/").status_code == 302
    assert count(db, "users") == users and count(db, "people") == 1
    refused = events(db, "sso_refused")
    assert len(refused) == 1 and refused[0]["entity_id"] == "nobody@example.nhs.uk"
    assert '"reason":"no account with this email"' in refused[0]["changes"]


def test_an_unverified_email_is_not_matched_even_when_an_account_has_it(app, db, provider, ada):
    client = app.test_client()
    sub = person_at_provider(provider, "ada.lovelace@example.nhs.uk", verified=False)
    response = sso_sign_in(client, provider, sub)
    assert response.status_code == 403
    assert "has not confirmed this email address" in text(response)
    assert client.get("/decisions/").status_code == 302
    refused = events(db, "sso_refused")
    assert len(refused) == 1 and '"reason":"email not verified"' in refused[0]["changes"]
    assert events(db, "sign_in") == []


def test_a_disabled_account_is_not_signed_in(app, db, provider, ada):
    db.execute("UPDATE users SET active = 0 WHERE username = 'ada'")
    client = app.test_client()
    response = sso_sign_in(client, provider,
                           person_at_provider(provider, "ada.lovelace@example.nhs.uk"))
    assert response.status_code == 403 and "disabled" in text(response)
    assert client.get("/decisions/").status_code == 302


# ---- hostile cases --------------------------------------------------------------------------

def test_a_replayed_callback_is_refused(app, db, provider, ada):
    client = app.test_client()
    callback = approve(to_provider(client), person_at_provider(provider,
                                                               "ada.lovelace@example.nhs.uk"))
    assert client.get(callback).status_code == 302
    client.post("/sign-out")
    replay = client.get(callback)
    assert replay.status_code == 400 and "expired or was already used" in text(replay)
    assert client.get("/decisions/").status_code == 302
    # In another browser, which never started the flow, the same answer is refused too.
    elsewhere = app.test_client()
    assert elsewhere.get(callback).status_code == 400
    assert elsewhere.get("/decisions/").status_code == 302
    assert len(events(db, "sign_in")) == 1


def test_a_mismatched_state_is_refused(app, provider, ada):
    client = app.test_client()
    callback = approve(to_provider(client), person_at_provider(provider,
                                                               "ada.lovelace@example.nhs.uk"))
    forged = re.sub(r"state=[^&]+", "state=forged-state-value", callback)
    response = client.get(forged)
    assert response.status_code == 400 and "expired or was already used" in text(response)
    assert client.get("/decisions/").status_code == 302


def test_a_code_issued_to_another_client_is_refused(app, db, provider, ada):
    """Code injection: the answer the provider gave another application (another audience)
    is brought to this register's callback with this browser's own state."""
    client = app.test_client()
    ours = parse_qs(urlsplit(to_provider(client)).query)
    sub = person_at_provider(provider, "ada.lovelace@example.nhs.uk")
    theirs = requests.post(
        f"{provider}/oauth2/authorize", allow_redirects=False, timeout=10, data={"sub": sub},
        params={"response_type": "code", "client_id": "another-application",
                "redirect_uri": "http://localhost/sign-in/sso/callback",
                "scope": "openid email", "state": ours["state"][0], "nonce": ours["nonce"][0]})
    back = urlsplit(theirs.headers["Location"])
    response = client.get(f"{back.path}?{back.query}")
    assert response.status_code == 400 and "did not confirm who you are" in text(response)
    assert client.get("/decisions/").status_code == 302
    assert events(db, "sign_in") == []


def token_for(provider: str, client_id: str, sub: str, nonce: str) -> dict:
    """A real token response from the provider for a client, outside the register."""
    redirect_uri = "http://localhost/elsewhere/callback"
    approved = requests.post(
        f"{provider}/oauth2/authorize", allow_redirects=False, timeout=10, data={"sub": sub},
        params={"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
                "scope": "openid email", "state": "s", "nonce": nonce})
    code = parse_qs(urlsplit(approved.headers["Location"]).query)["code"][0]
    token = requests.post(f"{provider}/oauth2/token", timeout=10, auth=(client_id, "secret"),
                          data={"grant_type": "authorization_code", "code": code,
                                "redirect_uri": redirect_uri})
    assert token.status_code == 200, token.text
    return token.json()


def test_an_id_token_for_another_audience_is_refused(app, provider):
    sub = person_at_provider(provider, "ada.lovelace@example.nhs.uk")
    with app.test_request_context():
        ours = sso.verified_claims(token_for(provider, CLIENT_ID, sub, "n-1"), "n-1")
        audience = ours["aud"] if isinstance(ours["aud"], list) else [ours["aud"]]
        assert audience == [CLIENT_ID] and ours["email"] == "ada.lovelace@example.nhs.uk"
        other = token_for(provider, "another-application", sub, "n-2")
        with pytest.raises(sso.SignInRefused, match="could not be verified"):
            sso.verified_claims(other, "n-2")


def test_an_id_token_with_another_nonce_or_a_forged_signature_is_refused(app, provider):
    sub = person_at_provider(provider, "ada.lovelace@example.nhs.uk")
    with app.test_request_context():
        token = token_for(provider, CLIENT_ID, sub, "the-nonce")
        with pytest.raises(sso.SignInRefused):
            sso.verified_claims(token, "another-nonce")
        header, payload, signature = token["id_token"].split(".")
        forged = {**token, "id_token": f"{header}.{payload}.{signature[:-6]}AAAAAA"}
        with pytest.raises(sso.SignInRefused):
            sso.verified_claims(forged, "the-nonce")


def test_a_discovery_document_naming_another_issuer_is_refused(tmp_path, provider):
    """A server at the configured address whose discovery document names another issuer (as a
    man in the middle would) is not followed."""
    metadata = requests.get(f"{provider}/.well-known/openid-configuration", timeout=10).json()

    @Request.application
    def lying(_request):
        return Response(json.dumps({**metadata, "issuer": "https://login.evil.example"}),
                        mimetype="application/json")

    server = make_server("localhost", 0, lying)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        app = make_app(tmp_path, f"http://localhost:{server.server_port}")
        response = app.test_client().get("/sign-in/sso")
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert response.status_code == 502
    assert "not the one this register is set up for" in text(response)


def test_an_unreachable_provider_gets_a_clear_page(tmp_path):
    with make_server("localhost", 0, Response("")) as probe:
        closed_port = probe.server_port  # free again once closed: nothing listens there
    app = make_app(tmp_path, f"http://localhost:{closed_port}")
    response = app.test_client().get("/sign-in/sso")
    assert response.status_code == 502 and "could not be reached" in text(response)


# ---- local passwords ------------------------------------------------------------------------

def test_an_administrator_turns_off_an_accounts_password_and_sso_still_works(app, db, provider,
                                                                               ada):
    admin = app.test_client()
    add_user(db, role="admin", username="admin")
    sign_in(admin, "admin")
    ada_id = db.execute("SELECT id FROM users WHERE username = 'ada'").fetchone()[0]
    page = text(admin.get(f"/accounts/{ada_id}/edit"))
    assert "Allow signing in with a password" in page
    saved = admin.post(f"/accounts/{ada_id}/edit",
                       data={"role": "member", "person_id": str(ada)})  # box left unticked
    assert saved.status_code == 302
    update = events(db, "update")[-1]
    assert '"password_allowed":[1,0]' in update["changes"]

    refused = sign_in(app.test_client(), "ada")
    assert refused.status_code == 200
    assert "This account signs in with single sign-on only: use the “Sign in with NHSmail” " \
           "button" in text(refused)
    assert events(db, "sign_in_refused")[-1]["entity_id"] == str(ada_id)
    wrong = sign_in(app.test_client(), "ada", "not the password at all")
    assert "Enter a correct username and password" in text(wrong)  # reveals nothing more

    client = app.test_client()
    response = sso_sign_in(client, provider,
                           person_at_provider(provider, "ada.lovelace@example.nhs.uk"))
    assert response.status_code == 302 and client.get("/decisions/").status_code == 200

    admin.post(f"/accounts/{ada_id}/edit",
               data={"role": "member", "person_id": str(ada), "password_allowed": "y"})
    assert sign_in(app.test_client(), "ada").status_code == 302


def test_without_sso_the_password_cannot_be_turned_off(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "DATABASE": str(tmp_path / "plain.sqlite3"), "WTF_CSRF_ENABLED": False})
    handle = connect(app.config["DATABASE"], foreign_keys=False)
    migrate(handle)
    add_user(handle, role="admin", username="admin")
    member = add_user(handle, role="member", username="member")
    admin = app.test_client()
    sign_in(admin, "admin")
    assert "Allow signing in with a password" not in text(admin.get(f"/accounts/{member}/edit"))
    admin.post(f"/accounts/{member}/edit", data={"role": "auditor", "person_id": ""})
    row = handle.execute("SELECT role, password_allowed FROM users WHERE id = ?",
                         [member]).fetchone()
    assert tuple(row) == ("auditor", 1)
    handle.close()


def test_sso_counts_as_the_second_factor_for_required_roles(tmp_path, provider):
    app = make_app(tmp_path, provider, REQUIRE_MFA=True)
    handle = connect(app.config["DATABASE"])
    person = add_person(handle, name="Grace Hopper", email="grace.hopper@example.nhs.uk")
    add_user(handle, role="governance", username="grace", person_id=person)
    by_password = app.test_client()
    sign_in(by_password, "grace", PASSWORD)
    assert by_password.get("/reviews/").headers["Location"].endswith("/second-factor/set-up")
    by_sso = app.test_client()
    sso_sign_in(by_sso, provider, person_at_provider(provider, "grace.hopper@example.nhs.uk"))
    assert by_sso.get("/reviews/").status_code == 200
    handle.close()


# ---- confirming who you are at the provider before signing off -------------------------------

@pytest.fixture
def sso_lead(db, provider):
    """A governance lead who signs in only by single sign-on (no password of their own)."""
    person = add_person(db, name="Grace Hopper", email="grace.hopper@example.nhs.uk")
    user = add_user(db, role="governance", username="grace", person_id=person)
    db.execute("UPDATE users SET password_allowed = 0 WHERE id = ?", [user])
    return person_at_provider(provider, "grace.hopper@example.nhs.uk")


def provider_says_signed_in(monkeypatch, seconds_ago: int) -> None:
    """Have the provider report an earlier sign-in in auth_time than the one just made (as a
    provider that ignored `prompt=login` and reused its own session would); by default it reports
    the sign-in it has just asked for."""
    from oidc_provider_mock import _storage
    monkeypatch.setattr(_storage.AuthorizationCode, "get_auth_time",
                        lambda self: int(time.time()) - seconds_ago)


def confirm_at_provider(client, ref: str, sub: str):
    """Press "Save rulings and confirm who I am"; the provider signs the person in again."""
    from .test_reviews import review_form
    saved = client.post(f"/reviews/{ref}", data=review_form(client, ref, action="confirm_identity"))
    assert saved.status_code == 302 and saved.headers["Location"].startswith("/sign-in/sso/confirm")
    to_idp = client.get(saved.headers["Location"])
    assert to_idp.status_code == 302
    query = parse_qs(urlsplit(to_idp.headers["Location"]).query)
    assert query["prompt"] == ["login"] and query["max_age"] == ["0"]
    return client.get(approve(to_idp.headers["Location"], sub))


def test_a_lead_without_a_password_signs_off_after_the_provider_confirms_them(
        app, db, provider, sso_lead):
    from .test_reviews import reference, review_form, status_of, submitted, world
    decision = submitted(db, world.__wrapped__(db))
    ref = reference(db, decision)
    client = app.test_client()
    sso_sign_in(client, provider, sso_lead)
    page = text(client.get(f"/reviews/{ref}"))
    assert 'name="password"' not in client.get(f"/reviews/{ref}").get_data(as_text=True)
    assert "Save rulings and confirm who I am with NHSmail" in page

    # Signing off without confirming is refused, whatever is typed in a password field.
    refused = client.post(f"/reviews/{ref}", data=review_form(
        client, ref, action="sign_off", confirm="y", password=PASSWORD))
    assert "Confirm who you are with NHSmail before signing off" in text(refused)
    assert status_of(db, decision) == "awaiting_review"

    back = confirm_at_provider(client, ref, sso_lead)
    assert back.status_code == 302 and back.headers["Location"] == f"/reviews/{ref}"
    assert "You can sign off until" in text(client.get(f"/reviews/{ref}"))
    assert len(events(db, "sso_confirmed")) == 1
    signed = client.post(f"/reviews/{ref}", data=review_form(client, ref, action="sign_off",
                                                             confirm="y"))
    assert signed.status_code == 302 and status_of(db, decision) == "signed_off"
    # The confirmation was used up by the sign-off.
    with client.session_transaction() as kept:
        assert "sso_confirmed" not in kept


def test_a_provider_that_did_not_sign_the_person_in_again_confirms_nothing(
        app, db, provider, sso_lead, monkeypatch):
    from .test_reviews import reference, review_form, status_of, submitted, world
    decision = submitted(db, world.__wrapped__(db))
    ref = reference(db, decision)
    client = app.test_client()
    sso_sign_in(client, provider, sso_lead)
    provider_says_signed_in(monkeypatch, 3600)
    back = confirm_at_provider(client, ref, sso_lead)
    assert back.status_code == 403
    assert "let you through without asking you to sign in again" in text(back)
    assert f'href="/reviews/{ref}"' in back.get_data(as_text=True)
    assert len(events(db, "sso_confirm_refused")) == 1
    signed = client.post(f"/reviews/{ref}", data=review_form(client, ref, action="sign_off",
                                                             confirm="y"))
    assert "Confirm who you are with NHSmail before signing off" in text(signed)
    assert status_of(db, decision) == "awaiting_review"


def test_the_provider_confirming_another_person_confirms_nothing(app, db, provider, sso_lead,
                                                                 ada):
    from .test_reviews import reference, submitted, world
    decision = submitted(db, world.__wrapped__(db))
    ref = reference(db, decision)
    client = app.test_client()
    sso_sign_in(client, provider, sso_lead)
    other = person_at_provider(provider, "ada.lovelace@example.nhs.uk")
    back = confirm_at_provider(client, ref, other)
    assert back.status_code == 403 and "confirmed a different person" in text(back)
    with client.session_transaction() as kept:
        assert "sso_confirmed" not in kept


def test_a_lead_with_a_password_still_re_enters_it(app, db, provider):
    from .test_reviews import reference, review_form, status_of, submitted, world
    person = add_person(db, name="Grace Hopper", email="grace.hopper@example.nhs.uk")
    add_user(db, role="governance", username="grace", person_id=person)
    decision = submitted(db, world.__wrapped__(db))
    ref = reference(db, decision)
    client = app.test_client()
    sso_sign_in(client, provider, person_at_provider(provider, "grace.hopper@example.nhs.uk"))
    assert 'name="password"' in client.get(f"/reviews/{ref}").get_data(as_text=True)
    missing = client.post(f"/reviews/{ref}", data=review_form(client, ref, action="sign_off",
                                                              confirm="y"))
    assert "Enter your password to sign off" in text(missing)
    signed = client.post(f"/reviews/{ref}", data=review_form(
        client, ref, action="sign_off", confirm="y", password=PASSWORD))
    assert signed.status_code == 302 and status_of(db, decision) == "signed_off"
