"""Password hashing with argon2id; no truncation, a minimum length, and no guessable passwords.

Guessable means: among the passwords zxcvbn (pinned in requirements.txt) estimates can be found
in fewer than 10^8 guesses -- its ranked lists of the 30,000 most used passwords, English words,
names and surnames, with their common variations (capitals, digits added, l33t, keyboard walks,
repeats, dates) -- or containing the username or the organisation's name, or the published demo
password. The demo loader is the only code that sets the demo password.
"""
from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256
# zxcvbn's estimate below which a password counts as guessable (its score 3, "safely
# unguessable: moderate protection from an offline slow-hash scenario").
MIN_GUESSES = 10**8

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

# Verified against when the username is unknown, so both paths take the same time. Made on first
# use rather than at import, so starting the app does not spend a full argon2 hash on it.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("not a real password, used for timing only")
    return _DUMMY_HASH


def use_parameters(*, time_cost: int, memory_cost: int, parallelism: int) -> None:
    """Hash new passwords with these argon2id parameters from now on (the test suite uses light
    ones so hundreds of sign-ins stay quick). Existing hashes keep verifying: each carries its own
    parameters."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    _DUMMY_HASH = None


def password_problem(password: str, *, username: str = "", organisation: str = "") -> str | None:
    """Why a new password is not acceptable, in the user's words, or None."""
    problem = _length_problem(password)
    if problem:
        return problem
    # The password the demo prints for its accounts is public, so never a real one.
    from ..demo import DEMO_PASSWORD

    if _squeezed(DEMO_PASSWORD) in _squeezed(password):
        return "Password must not be the demo password, which is published"
    squeezed = _squeezed(password)
    if username and len(_squeezed(username)) >= 3 and _squeezed(username) in squeezed:
        return "Password must not contain your username"
    for part in _name_parts(organisation):
        if part in squeezed:
            return "Password must not contain the organisation\u2019s name"
    from zxcvbn import zxcvbn

    if zxcvbn(password[:100], user_inputs=[username, organisation])["guesses"] < MIN_GUESSES:
        return ("Password is too easy to guess: it is a common password or close to one. "
                "A phrase of several unrelated words is easier to remember and harder to guess")
    return None


def _squeezed(text: str) -> str:
    """Lower case letters and digits only: "Northvale-GP" and "northvale gp" compare alike."""
    return re.sub(r"[^0-9a-z]+", "", (text or "").lower())


# Words of an organisation's name too common to count as its name on their own.
_COMMON_WORDS = {"the", "and", "nhs", "gp", "of", "for", "group", "practice", "surgery",
                 "medical", "centre", "center", "health", "care", "commissioning", "consortium",
                 "board", "integrated", "clinical", "trust", "foundation", "partnership", "ltd",
                 "limited", "services", "service", "primary", "network", "federation"}


def _name_parts(organisation: str) -> list[str]:
    """The whole name and its distinctive words (four letters or more), squeezed."""
    whole = _squeezed(organisation)
    parts = [whole] if len(whole) >= 4 else []
    for word in re.findall(r"[0-9a-z]+", (organisation or "").lower()):
        if len(word) >= 4 and word not in _COMMON_WORDS:
            parts.append(word)
    return parts


def _length_problem(password: str) -> str | None:
    """The rules every stored password meets, the demo's included."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if not password.strip():
        return "Password must not be only spaces"
    return None


def hash_password(password: str) -> str:
    """The argon2id hash of a password that has passed password_problem() (or is the demo's)."""
    problem = _length_problem(password)
    if problem:
        raise ValueError(problem)
    return _hasher.hash(password)


def check_password(stored_hash: str | None, password: str) -> bool:
    """Whether the password matches; a missing hash still costs a verification."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def hash_code(code: str) -> str:
    """The argon2id hash of a one-time recovery code (hashed like a password, kept as a hash)."""
    return _hasher.hash(code)


def check_code(stored_hash: str, code: str) -> bool:
    """Whether a recovery code matches its stored hash."""
    try:
        return _hasher.verify(stored_hash, code)
    except (VerificationError, InvalidHashError):
        return False
