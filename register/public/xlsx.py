"""A register as an Excel workbook: a bold, frozen header row, column widths to suit, dates typed
as dates, money as numbers in a pound format, and text that a spreadsheet could read as a formula
kept as text. Rows in, bytes out: no database, no web request."""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..rules.text import neutralise

DATE_FORMAT = "dd/mm/yyyy"
MONEY_FORMAT = '"£"#,##0.00'
WIDTHS = {"text": 30, "date": 13, "money": 16}
NARROW = {"reference": 16}


def _cell(row: dict[str, Any], key: str, kind: str) -> Any:
    if kind == "money":
        pence = row.get(f"{key}_pence")
        return None if pence is None else Decimal(int(pence)) / 100
    value = row.get(key)
    if kind == "date":
        return value if isinstance(value, dt.date) else None
    if value in (None, ""):
        return None
    return neutralise(str(value))


def workbook_bytes(title: str, columns: Sequence[tuple[str, str, str]],
                   rows: Iterable[dict[str, Any]]) -> bytes:
    """The rows as one sheet named `title`, columns as (key, heading, kind) triples."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([heading for _key, heading, _kind in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([_cell(row, key, kind) for key, _heading, kind in columns])
        for cell, (_key, _heading, kind) in zip(sheet[sheet.max_row], columns, strict=True):
            if kind == "date":
                cell.number_format = DATE_FORMAT
            elif kind == "money":
                cell.number_format = MONEY_FORMAT
            else:
                # Text stays text: a value starting "=" is never stored as a formula.
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, (key, _heading, kind) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = NARROW.get(key, WIDTHS[kind])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
