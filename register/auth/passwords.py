"""Password hashing with argon2id; no truncation, a minimum length."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

# Verified against when the username is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("not a real password, used for timing only")


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, in the user's words, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if not password.strip():
        return "Password must not be only spaces"
    return None


def hash_password(password: str) -> str:
    """The argon2id hash of a password that has passed password_problem()."""
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    return _hasher.hash(password)


def check_password(stored_hash: str | None, password: str) -> bool:
    """Whether the password matches; a missing hash still costs a verification."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
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
