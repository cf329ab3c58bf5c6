"""The minutes' conflicts wording as a Word document, for the secretary's minutes template.

Only the built-in Title, Heading and Normal styles are used, and no fonts, colours or sizes are
set, so the text takes on the template's look when it is pasted or inserted there.
"""
from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .briefing import MeetingBrief

NO_ITEMS = "The meeting has no items on its agenda."


def minutes_title(brief: MeetingBrief) -> str:
    """The heading of the minutes' declarations section."""
    return f"Declarations of interest: {brief.meeting.committee_name}, {brief.date_text}"


def build_minutes_docx(brief: MeetingBrief, organisation: str) -> bytes:
    """The minutes' paragraph for each item under a heading per item, as a .docx file."""
    from docx import Document  # imported when a document is made, not at every start

    document = Document()
    properties = document.core_properties
    properties.title = minutes_title(brief)
    properties.author = organisation
    properties.subject = "Declarations of interest and how each was managed, for the minutes"
    properties.language = "en-GB"
    document.add_heading(minutes_title(brief), level=1)
    if not brief.items:
        document.add_paragraph(NO_ITEMS)
    for item in brief.items:
        document.add_heading(f"{item.position}. {item.title}", level=2)
        if not item.visible:
            document.add_paragraph("Left out: you may not see this item's details.")
            continue
        document.add_paragraph(item.minutes)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
