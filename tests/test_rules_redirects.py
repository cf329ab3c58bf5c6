"""Where a sign-in may send the browser next: each hostile target is refused."""
from __future__ import annotations

import pytest

from register.rules.redirects import local_path

from .conftest import PASSWORD, add_user


@pytest.mark.parametrize("target", [
    "/", "/account", "/decisions/MOB-2026-0001?tab=rulings", "/interests/new#top",
    "/search?q=Riverside%20Surgery",
])
def test_a_path_on_this_site_is_followed(target):
    assert local_path(target) == target


@pytest.mark.parametrize("target", [
    None, "", "account", "//evil.example", "//evil.example/x", "/\t/evil.example",
    "/\n/evil.example", "/\r\n/evil.example", "/account\r\nSet-Cookie: x=1", "/\\evil.example",
    "\\\\evil.example", "/\\/evil.example", "https://evil.example", "http:/evil.example",
    "javascript:alert(1)", " /account", "/account\x00", "/ac\u200bcount", "/\u2028/evil.example",
    "/" + "a" * 2001, "///evil.example",
])
def test_hostile_targets_are_refused(target):
    assert local_path(target) is None


@pytest.mark.parametrize("query", [
    "/%09/evil.example", "//evil.example", "/%5Cevil.example", "/%5C%5Cevil.example",
    "/%0D%0ALocation:%20https://evil.example", "%0D%0A", "https://evil.example/",
    "/%0a/evil.example", "/%E2%80%8B/evil.example",
])
def test_sign_in_replaces_a_hostile_next_by_the_home_page(client, db, query):
    add_user(db, role="secretary", username="sec")
    response = client.post(f"/sign-in?next={query}", data={"username": "sec", "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == "/"


def test_sign_in_follows_a_local_next(client, db):
    add_user(db, role="secretary", username="sec")
    response = client.post("/sign-in?next=/interests%3Fpage%3D2",
                           data={"username": "sec", "password": PASSWORD})
    assert response.location == "/interests?page=2"
