"""The fictional demo consortium (placeholder: accounts only)."""
from __future__ import annotations

from sqlite_utils import Database

from .auth.models import create_user

DEMO_PASSWORD = "demo-password-2026"
DEMO_ACCOUNTS = [
    ("admin", "Administrator"),
    ("secretary", "Board secretary"),
    ("governance", "Governance lead"),
    ("member", "Board member"),
    ("auditor", "Auditor"),
]


def load_demo(db: Database) -> dict[str, int]:
    """Load the demo consortium into an empty database; returns counts of what was added."""
    for username, _label in DEMO_ACCOUNTS:
        create_user(db, username=username, password=DEMO_PASSWORD, role=username, actor="demo")
    return {"accounts": len(DEMO_ACCOUNTS)}
