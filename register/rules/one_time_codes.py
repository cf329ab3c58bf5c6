"""The second factor's rules: which TOTP codes are accepted (once each), and the shape of recovery
codes. Data in, answers out: the account's secret and last accepted time step are passed in, the
step to store is returned."""
from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from dataclasses import dataclass

import pyotp

DIGITS = 6
STEP_SECONDS = 30
# A code from the step before or after now is still accepted, for a phone clock a little off.
WINDOW = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_LENGTH = 10


@dataclass(frozen=True)
class CodeCheck:
    """The answer for one code typed: accepted (with the step to store), reused, or wrong."""

    accepted: bool
    step: int | None = None
    reused: bool = False


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer)


def normalise_code(typed: str) -> str:
    """The code as typed without spaces or dashes (apps show '123 456')."""
    return re.sub(r"[\s-]+", "", typed or "")


def time_step(at: dt.datetime) -> int:
    """The TOTP time step a moment falls in."""
    return int(at.timestamp()) // STEP_SECONDS


def check_totp(secret: str, typed: str, at: dt.datetime, last_step: int | None) -> CodeCheck:
    """Whether a TOTP code is accepted at a moment, given the last step this account used.

    A code is accepted once: a code from a step at or before the last one accepted is refused as
    reused, even while it is still inside its window."""
    code = normalise_code(typed)
    if not re.fullmatch(rf"\d{{{DIGITS}}}", code):
        return CodeCheck(accepted=False)
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    now_step = time_step(at)
    for step in range(now_step - WINDOW, now_step + WINDOW + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            if last_step is not None and step <= last_step:
                return CodeCheck(accepted=False, reused=True)
            return CodeCheck(accepted=True, step=step)
    return CodeCheck(accepted=False)


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Fresh recovery codes, shown once as 'abcde-fghjk'."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalise_recovery_code(typed: str) -> str | None:
    """A recovery code as stored (lower case, 'abcde-fghjk'), or None if it cannot be one."""
    raw = re.sub(r"[\s-]+", "", (typed or "").lower())
    if len(raw) != _RECOVERY_LENGTH or any(ch not in _RECOVERY_ALPHABET for ch in raw):
        return None
    return f"{raw[:5]}-{raw[5:]}"
