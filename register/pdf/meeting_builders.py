"""PDFs for a meeting: the chair's conflicts briefing and the members' register of interests.

Builders only: the facts come read and worded (`meetings.briefing`, `rules.minutes`); these lay
them out on the register's page templates, bytes out. No database, no web request.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, NextPageTemplate, PageBreak, Spacer

from ..rules.minutes import HIDDEN_ITEM, NEEDS_GOVERNANCE, NOT_A_DECISION
from . import flowables as fl
from .builders import PrintOptions, _render

if TYPE_CHECKING:
    from ..meetings.briefing import ItemBrief, MeetingBrief


def head_words(head: dict[str, Any], printed_text: str) -> list[Flowable]:
    """The record's head hash when printed, and the command that checks it, in a few lines."""
    events = f"{head['count']} event{'s' if head['count'] != 1 else ''}"
    out: list[Flowable] = [
        fl.heading("Checking this record", 1, contents=False, bookmark=False),
        fl.para(f"When this was printed ({printed_text}) the audit trail held {events}; the hash "
                f"of the last one (the head hash) stands for the whole record up to then:",
                "Note"),
        fl.para(head["hash"], "BigHash"),
        fl.para(f"flask --app register verify-audit --expect {head['count']}:{head['hash']}",
                "Hash"),
    ]
    if not head.get("ok", True):
        out.append(fl.para(f"Warning: the audit trail did not verify when this was printed: "
                           f"{head.get('problem', '')}", "Label"))
    return out


def _footer(printed_text: str, head: dict[str, Any]) -> str:
    return f"{printed_text}; audit trail head {head['hash'][:16]}…"


def _cover(brief: MeetingBrief) -> list[Flowable]:
    m = brief.meeting
    out: list[Flowable] = [
        Spacer(1, 10 * mm),
        fl.para("Chair's conflicts briefing", "Title"),
        fl.para(f"{m.committee_name}, {brief.date_text}", "Subtitle"),
        fl.key_values([
            ("Meeting", brief.when_text),
            ("Where", brief.where_text),
            ("Chair", m.chair_name or "No chair recorded"),
            ("Vice-chair", brief.vice_chair_name or "No vice-chair recorded"),
            ("Secretary", m.secretary_name or "Not recorded"),
            ("Quorum", brief.quorum_rule),
            ("Items", len(brief.items) or "None"),
        ], label_share=0.26),
        fl.heading("Needs the governance lead before the meeting", 1, contents=False,
                   bookmark=False),
    ]
    if not brief.items:
        out.append(fl.para("This meeting has no items on its agenda yet, so there is nothing to "
                           "brief the chair on. Add the items, then print the briefing again."))
    elif brief.needing_governance:
        for item in brief.needing_governance:
            out.append(fl.para(f"Item {item.position}: {item.title}", "Label"))
            out.extend(fl.bullets(item.governance))
    else:
        out.append(fl.para("Nothing: every conflicted person has a ruling and every item can be "
                           "taken as briefed."))
    out += head_words(brief.head, brief.printed_text)
    return out


def _item_page(item: ItemBrief) -> list[Flowable]:
    out: list[Flowable] = [
        NextPageTemplate("body"), PageBreak(),
        fl.heading(f"Item {item.position}: {item.title}", 0),
    ]
    if item.reference:
        out.append(fl.para(f"Decision {item.reference}", "Note"))
    if not item.visible:
        out.append(fl.para(HIDDEN_ITEM))
        return out
    if not item.is_decision:
        out.append(fl.para(NOT_A_DECISION))
    if item.governance:
        out.append(fl.para(NEEDS_GOVERNANCE, "Label"))
        out.extend(fl.bullets(item.governance))
    if item.is_decision:
        out.append(fl.heading("Who is conflicted", 1, contents=False))
        if item.conflicted:
            w = fl.PORTRAIT_WIDTH
            out.append(fl.data_table(["Who", "Why", "The ruling"],
                                     [list(row) for row in item.conflicted],
                                     [w * 0.2, w * 0.52, w * 0.28]))
        else:
            out.append(fl.para("No one taking part is conflicted on this item."))
        out.append(Spacer(1, 3 * mm))
        out.append(fl.key_values([
            ("Quorum after the rulings", item.quorum),
            ("Who takes the chair", item.presiding),
        ], label_share=0.3))
    out.append(KeepTogether([fl.heading("What to say", 1, contents=False),
                             fl.para(item.what_to_say)]))
    return out


def build_briefing(brief: MeetingBrief, organisation: str,
                   options: PrintOptions | None = None) -> bytes:
    """The chair's briefing as a PDF: a cover page, then one page per agenda item."""
    options = options or PrintOptions()
    m = brief.meeting
    title = f"Chair's conflicts briefing: {m.committee_name}, {brief.date_text}"
    story: list[Flowable] = _cover(brief)
    for item in brief.items:
        story += _item_page(item)
    return _render(story, options, title=title,
                   subject=(f"Who is conflicted on each item of the meeting of "
                            f"{m.committee_name} on {brief.date_text}, how each conflict is "
                            f"managed, and what the chair says"),
                   organisation=organisation,
                   running_title=(title, f"Chair's briefing, {brief.date_text}"),
                   printed_text=_footer(brief.printed_text, brief.head), first_template="body")


_REGISTER_HEADERS = ["Organisation and its business", "Type", "Nature of the interest",
                     "Action taken to mitigate", "From", "To", "Declared"]
_REGISTER_SHARES = [0.2, 0.13, 0.2, 0.17, 0.1, 0.1, 0.1]


def _register_cells(row: dict[str, Any]) -> list[Any]:
    if row["withheld"]:
        return ["Withheld from publication", "", "", "", "", "", ""]
    return ["\n".join(p for p in (row["organisation"], row["business"]) if p),
            f"{row['type_label']}\n{row['direct_text']}", row["nature"], row["mitigation"],
            row["date_from_text"], row["date_to_text"] or "Continuing",
            "\n".join(p for p in (row["declared_text"], row.get("late_text")) if p)]


def build_members_register(register: dict[str, Any], organisation: str,
                           options: PrintOptions | None = None) -> bytes:
    """The register of interests of everyone expected at a meeting, as it stood on the meeting
    date, grouped by person, as a PDF to table at the meeting (landscape pages)."""
    options = options or PrintOptions(marking=register.get("marking", "OFFICIAL"))
    m = register["meeting"]
    title = f"Register of interests for the meeting of {m.committee_name}"
    width = fl.LANDSCAPE_WIDTH
    story: list[Flowable] = [
        fl.heading(title, 0),
        fl.para(f"As it stood on {register['on_text']}, the date of the meeting.", "Subtitle"),
        fl.para(register["explanation"], "Note"),
    ]
    if not register["people"]:
        story.append(fl.para("No one is expected at this meeting yet: the committee has no "
                             "members and the agenda has no decisions."))
    for person in register["people"]:
        story.append(fl.heading(f"{person.name}, {person.role_label}", 1))
        if person.rows:
            story.append(fl.data_table(_REGISTER_HEADERS,
                                       [_register_cells(r) for r in person.rows],
                                       [s * width for s in _REGISTER_SHARES], small=True))
        else:
            story.append(fl.para(f"No interests on the register on {register['on_text']}."))
    story += head_words(register["head"], register["printed_text"])
    return _render(story, options, title=f"{title}, {register['on_text']}",
                   subject=(f"The interests of everyone expected at the meeting of "
                            f"{m.committee_name} on {register['on_text']}, as they stood that day"),
                   organisation=organisation,
                   running_title=(f"{title}, {register['on_text']}",
                                  f"Members' interests, {register['on_text']}"),
                   printed_text=_footer(register["printed_text"], register["head"]),
                   first_template="landscape")
