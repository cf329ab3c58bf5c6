"""The outputs that prepare and record a meeting: the chair's briefing (page and PDF), the members'
register of interests for the meeting (PDF), and the minutes' wording (page and Word document).

Every route here only reads. They are open to the roles that read every decision (administrator,
secretary, governance lead, auditor) and to the person chairing the meeting (`briefing.may_prepare`);
an item whose decision the reader may not read (the one access rule) shows only its title.
"""
from __future__ import annotations

import re

from flask import abort, current_app, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.access import requires
from ..db import get_db
from ..reports.views import pdf_response
from ..rules.minutes import HIDDEN_ITEM, NEEDS_GOVERNANCE, NOT_A_DECISION
from . import briefing, minutes_docx, queries
from .views import bp

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _meeting_to_prepare(meeting_id: int) -> queries.Meeting:
    """The meeting, if it exists and the signed-in account may read its outputs (404, 403)."""
    db = get_db()
    meeting = queries.load_meeting(db, meeting_id)
    if meeting is None:
        abort(404)
    if not briefing.may_prepare(db, current_user, meeting):
        abort(403)
    return meeting


@bp.app_context_processor
def _outputs_allowed() -> dict:
    """`may_prepare_meeting(meeting)` for the meeting page's links to these outputs."""
    def may_prepare_meeting(meeting: queries.Meeting) -> bool:
        return current_user.is_authenticated and briefing.may_prepare(get_db(), current_user,
                                                                      meeting)
    return {"may_prepare_meeting": may_prepare_meeting}


WORDS = {"hidden_item": HIDDEN_ITEM, "needs_governance": NEEDS_GOVERNANCE,
         "not_a_decision": NOT_A_DECISION}


def _marking() -> str:
    marking = request.args.get("marking", "OFFICIAL")
    return marking if marking in ("OFFICIAL", "OFFICIAL-SENSITIVE") else "OFFICIAL"


def _file_stem(meeting: queries.Meeting, what: str) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", meeting.committee_name).strip("-").lower()
    return f"{what}-{name}-{meeting.meeting_date.isoformat()}"


@bp.route("/<int:meeting_id>/briefing")
@requires("read_decisions")
def briefing_page(meeting_id: int) -> str:
    """The chair's briefing as a page: each item's conflicts, rulings, quorum and script."""
    meeting = _meeting_to_prepare(meeting_id)
    brief = briefing.load_brief(get_db(), meeting, current_user)
    return render_template("meetings/briefing.html", brief=brief, meeting=meeting, **WORDS)


@bp.route("/<int:meeting_id>/briefing.pdf")
@requires("read_decisions")
def briefing_pdf(meeting_id: int) -> Response:
    """The chair's briefing as a PDF: a cover page, then a page per item."""
    meeting = _meeting_to_prepare(meeting_id)
    brief = briefing.load_brief(get_db(), meeting, current_user)
    from ..pdf import meeting_builders  # the PDF library is loaded when a PDF is first asked for
    from ..pdf.builders import PrintOptions

    data = meeting_builders.build_briefing(
        brief, current_app.config["ORGANISATION_NAME"],
        PrintOptions(marking=_marking(), author=current_user.display_name))
    return pdf_response(data, _file_stem(meeting, "chairs-briefing") + ".pdf")


@bp.route("/<int:meeting_id>/members-register.pdf")
@requires("read_decisions")
def members_register_pdf(meeting_id: int) -> Response:
    """The interests of everyone expected at the meeting, as they stood on its date."""
    meeting = _meeting_to_prepare(meeting_id)
    marking = _marking()
    register = briefing.members_register(get_db(), meeting, marking=marking)
    from ..pdf import meeting_builders  # the PDF library is loaded when a PDF is first asked for
    from ..pdf.builders import PrintOptions

    data = meeting_builders.build_members_register(
        register, current_app.config["ORGANISATION_NAME"],
        PrintOptions(marking=marking, author=current_user.display_name))
    return pdf_response(data, _file_stem(meeting, "members-interests") + ".pdf")


@bp.route("/<int:meeting_id>/minutes")
@requires("read_decisions")
def minutes_page(meeting_id: int) -> str:
    """The minutes' paragraph for each item, to copy into the minutes."""
    meeting = _meeting_to_prepare(meeting_id)
    brief = briefing.load_brief(get_db(), meeting, current_user, at_meeting=True)
    return render_template("meetings/minutes.html", brief=brief, meeting=meeting,
                           title=minutes_docx.minutes_title(brief),
                           no_items=minutes_docx.NO_ITEMS, **WORDS)


@bp.route("/<int:meeting_id>/minutes.docx")
@requires("read_decisions")
def minutes_word(meeting_id: int) -> Response:
    """The minutes' paragraphs as a Word document."""
    meeting = _meeting_to_prepare(meeting_id)
    brief = briefing.load_brief(get_db(), meeting, current_user, at_meeting=True)
    data = minutes_docx.build_minutes_docx(brief, current_app.config["ORGANISATION_NAME"])
    response = Response(data, mimetype=DOCX_TYPE)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_file_stem(meeting, "minutes-declarations")}.docx"')
    response.headers["Cache-Control"] = "no-store"
    return response
