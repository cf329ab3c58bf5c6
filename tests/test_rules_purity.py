"""The rules are the pure core: no module in register/rules/ reaches the web, the database or any
other part of the app (only the standard library, pure libraries and the other rules)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parent.parent / "register" / "rules"
FORBIDDEN_TOP = {"flask", "flask_login", "flask_wtf", "werkzeug", "wtforms", "jinja2", "sqlite3",
                 "sqlite_utils", "reportlab", "smtplib", "requests", "httpx"}


def imported_names(source: str, package: str = "register.rules") -> set[str]:
    """Every module a source file imports, relative imports resolved against `package`."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
                # `from .. import db` names modules, not attributes: count each.
                found |= {f"{module}.{alias.name}" for alias in node.names} if not node.module \
                    else {module}
            else:
                found.add(node.module or "")
    return found


def impurities(names: set[str]) -> list[str]:
    """The imports a rules module may not make."""
    return sorted(name for name in names
                  if name.split(".")[0] in FORBIDDEN_TOP
                  or (name.startswith("register") and not name.startswith("register.rules")))


@pytest.mark.parametrize("path", sorted(RULES.glob("*.py")), ids=lambda p: p.name)
def test_every_rules_module_imports_neither_the_web_nor_the_database_nor_the_app(path):
    assert impurities(imported_names(path.read_text(encoding="utf-8"))) == []


def test_the_check_catches_each_way_of_importing_the_storage_layer():
    for source in ("import sqlite3", "from sqlite_utils import Database", "from flask import g",
                   "from ..db import write_transaction", "from .. import db",
                   "from register.db import connect", "import register.decisions.queries"):
        assert impurities(imported_names(source)), source
    for source in ("import datetime as dt", "from .quorum import Quorum", "from . import names",
                   "from register.rules.text import clean"):
        assert not impurities(imported_names(source)), source
