"""What pages read of the decisions, kept in memory for the version of the facts it was read at.

The version is the audit trail's head (with the database's name): every write records an audit
event in its own transaction, so the head moves whenever anything a page shows may have changed,
and a page that reads the same version again can reuse what was read or drawn for it. A page reads
the version in the same snapshot (`db.read_snapshot`) as the facts, or before them, so nothing is
ever kept under a version older than what it shows. Nothing here is written to the database; each
cache is bounded and lives as long as the process.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from flask import render_template, request
from markupsafe import Markup
from sqlite_utils import Database

from .. import audit

T = TypeVar("T")


def facts_version(db: Database, database: str) -> Hashable:
    """A value that changes whenever any fact a page shows may have changed: the database's name
    and its audit trail's head. Read it in the page's snapshot, or before reading the facts."""
    return (database, audit.head(db))


class VersionedCache(Generic[T]):
    """A bounded, thread-safe map from (facts version, what was asked) to what was built for it;
    the least recently used entry goes first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """What was built for `key` (which must include the facts' version), building it now if
        it was not kept."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        built = build()
        with self._lock:
            self._entries[key] = built
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return built


class KeptHtml:
    """Part of a page drawn from one autoescaped template and kept as HTML under a key that
    includes the facts' version (and the app's address, added here): for what shows the facts
    alone, the same to every reader who may see them. `context` is called only to draw."""

    def __init__(self, template: str, size: int = 256) -> None:
        self.template = template
        self._cache: VersionedCache[Markup] = VersionedCache(size)

    def get(self, key: Hashable | None, context: Callable[[], dict[str, Any]]) -> Markup:
        """The kept HTML for `key`, drawing it now if it was not kept (every time for None)."""
        def draw() -> Markup:
            # An autoescaped template's output: every value in it was escaped as it was drawn.
            return Markup(render_template(self.template, **context()))  # noqa: S704

        if key is None:
            return draw()
        return self._cache.get((key, request.script_root), draw)
