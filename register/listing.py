"""Paged, sorted and filtered lists: the page of rows, the page number, the whitelisted sort and
the count-then-select that every list page runs."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database


@dataclass
class Page:
    """One page of a list, with what the pagination (and, where sorted, the sort links) need."""

    rows: list[dict[str, Any]]
    page: int
    pages: int
    total: int
    sort: str = ""
    direction: str = "asc"


def like_pattern(text: str) -> str:
    """A LIKE pattern matching the text anywhere, with the user's % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def prefix_pattern(text: str) -> str:
    """A LIKE pattern matching values that start with the text, taken literally."""
    return like_pattern(text)[1:]


def parse_page(value: str | None) -> int:
    """A page number from the query string; anything odd means page 1."""
    return int(value) if value and value.isdecimal() and 0 < int(value) < 1_000_000 else 1


def paginate(db: Database, select: str, from_where: str, params: dict[str, Any],
             order_by: str, page: int, page_size: int, count_from: str | None = None) -> Page:
    """Run a list query one page at a time; a page past the end shows the last page.
    `count_from` counts the rows from fewer tables, where the joins cannot change the count."""
    total = db.execute(f"SELECT COUNT(*) {count_from or from_where}", params).fetchone()[0]
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    rows = list(db.query(
        f"{select} {from_where} ORDER BY {order_by} LIMIT :_limit OFFSET :_offset",
        {**params, "_limit": page_size, "_offset": (page - 1) * page_size},
    ))
    return Page(rows, page, pages, total)


def order_clause(sorts: dict[str, str], sort: str, direction: str,
                 tiebreak: str) -> tuple[str, str, str]:
    """(ORDER BY text, sort key, direction) built from whitelisted keys only."""
    if sort not in sorts:
        sort = next(iter(sorts))
    direction = "desc" if direction == "desc" else "asc"
    column = sorts[sort]
    bare = column.split(" ")[0]
    # Empty values (no ODS code) go last whichever way the list is sorted.
    return f"{bare} IS NULL, {column} {direction.upper()}, {tiebreak}", sort, direction


def where_clause(conditions: list[str]) -> str:
    """' WHERE a AND b' for the filters in use, or nothing when there are none."""
    return " WHERE " + " AND ".join(conditions) if conditions else ""


def list_options(args: Any, default_sort: str = "name") -> dict[str, Any]:
    """The sort, direction and page a list was asked for in its query string."""
    return {"sort": args.get("sort") or default_sort, "direction": args.get("dir") or "asc",
            "page": parse_page(args.get("page"))}
