"""The second factor's rules: a TOTP code is accepted once, within one step either side of now."""
from __future__ import annotations

import datetime as dt

import pyotp
import pytest

from register.rules import one_time_codes as codes

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = dt.datetime(2026, 3, 10, 9, 0, 15, tzinfo=dt.UTC)


def code_at(moment: dt.datetime) -> str:
    return pyotp.TOTP(SECRET).at(moment)


def test_the_current_code_is_accepted_with_its_step():
    result = codes.check_totp(SECRET, code_at(NOW), NOW, None)
    assert result.accepted and result.step == codes.time_step(NOW)


@pytest.mark.parametrize("separator", [" ", "-", "  "])
def test_spaces_and_dashes_are_ignored(separator):
    code = code_at(NOW)
    assert codes.check_totp(SECRET, f"{code[:3]}{separator}{code[3:]}", NOW, None).accepted


def test_a_code_one_step_either_side_is_accepted_but_not_two():
    assert codes.check_totp(SECRET, code_at(NOW - dt.timedelta(seconds=30)), NOW, None).accepted
    assert codes.check_totp(SECRET, code_at(NOW + dt.timedelta(seconds=30)), NOW, None).accepted
    assert not codes.check_totp(SECRET, code_at(NOW - dt.timedelta(seconds=60)), NOW,
                                None).accepted


def test_a_replayed_code_is_refused_as_reused_within_its_window():
    first = codes.check_totp(SECRET, code_at(NOW), NOW, None)
    again = codes.check_totp(SECRET, code_at(NOW), NOW + dt.timedelta(seconds=10), first.step)
    assert not again.accepted and again.reused


def test_an_older_code_after_a_newer_one_is_refused():
    newer = codes.check_totp(SECRET, code_at(NOW), NOW, None)
    older = codes.check_totp(SECRET, code_at(NOW - dt.timedelta(seconds=30)), NOW, newer.step)
    assert not older.accepted and older.reused


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "000000"])
def test_malformed_or_wrong_codes_are_refused_not_reused(typed):
    result = codes.check_totp(SECRET, typed, NOW, None)
    if typed == code_at(NOW):  # pragma: no cover - one chance in a million
        return
    assert not result.accepted and not result.reused


def test_recovery_codes_are_ten_distinct_codes_that_normalise_back():
    fresh = codes.new_recovery_codes()
    assert len(fresh) == 10 and len(set(fresh)) == 10
    for code in fresh:
        assert codes.normalise_recovery_code(code.upper().replace("-", " ")) == code


@pytest.mark.parametrize("typed", ["", "123456", "abcde-fghj", "abcde-fghjk-x", "abcde-fgh0k"])
def test_things_that_cannot_be_recovery_codes(typed):
    assert codes.normalise_recovery_code(typed) is None


def test_the_provisioning_uri_names_the_account_and_the_service():
    uri = codes.provisioning_uri(SECRET, "gov.lead", "Conflicts register")
    assert uri.startswith("otpauth://totp/") and "gov.lead" in uri and f"secret={SECRET}" in uri
