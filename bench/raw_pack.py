"""The bare twin of the board audit pack: the same records read with sqlite3 and laid out once
with plain ReportLab (SimpleDocTemplate, the built-in Helvetica, one table style): the register of
decisions in the period, each flagged decision with its conflicts, rulings, sign-off and outcome,
and the committee members' interests."""
from __future__ import annotations

import io
import json
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

STYLE = TableStyle([
    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
    ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
])


def peak_rss_mib() -> float:
    """This process's peak resident set in MiB (VmHWM: reset by exec, unlike `ru_maxrss` of a
    child, which keeps the parent's high-water mark from before the exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _grouped(rows: list[tuple]) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        out[row[0]].append(row[1:])
    return out


def build(database: str, committee_id: int, date_from: str, date_to: str) -> bytes:
    """The pack's records for one committee and period, as a PDF."""
    conn = sqlite3.connect(database)
    try:
        decisions = conn.execute(
            "SELECT id, reference, title, description, meeting_date, choice, process,"
            " total_value_pence, status, flag_count, contract_kind, regime, annual_value_pence,"
            " justification, comments, submitted_at FROM decisions WHERE committee_id = ?"
            " AND meeting_date BETWEEN ? AND ? ORDER BY meeting_date, reference",
            [committee_id, date_from, date_to]).fetchall()
        ids = [d[0] for d in decisions]
        marks = ",".join("?" * len(ids)) or "NULL"
        flags = _grouped(conn.execute(
            "SELECT decision_id, people.name, decision_flags.severity, decision_flags.sentence"
            " FROM decision_flags LEFT JOIN people ON people.id = decision_flags.person_id"
            f" WHERE decision_id IN ({marks}) ORDER BY decision_id, position", ids).fetchall())
        rulings = _grouped(conn.execute(
            "SELECT decision_id, people.name, ruling, reason FROM decision_rulings"
            " JOIN people ON people.id = decision_rulings.person_id"
            f" WHERE decision_id IN ({marks}) ORDER BY decision_id, people.name", ids).fetchall())
        sign_offs = _grouped(conn.execute(
            "SELECT decision_id, signer_name, signer_role, statement, signed_at FROM sign_offs"
            f" WHERE voided_at IS NULL AND decision_id IN ({marks})", ids).fetchall())
        outcomes = _grouped(conn.execute(
            "SELECT decision_id, outcome, votes_for, votes_against, votes_abstaining"
            f" FROM decision_outcomes WHERE decision_id IN ({marks})", ids).fetchall())
        providers = _grouped(conn.execute(
            "SELECT decision_id, organisations.name, organisations.ods_code, organisations.kind,"
            " organisations.is_member_practice FROM decision_providers JOIN organisations"
            " ON organisations.id = decision_providers.organisation_id"
            f" WHERE decision_id IN ({marks}) ORDER BY decision_id, organisations.name",
            ids).fetchall())
        participants = _grouped(conn.execute(
            "SELECT decision_id, people.name, decision_participants.role,"
            " committee_members.role FROM decision_participants"
            " JOIN people ON people.id = decision_participants.person_id"
            " JOIN decisions ON decisions.id = decision_participants.decision_id"
            " LEFT JOIN committee_members ON committee_members.person_id = people.id"
            " AND committee_members.committee_id = decisions.committee_id"
            f" WHERE decision_id IN ({marks}) ORDER BY decision_id, people.name", ids).fetchall())
        events = _grouped(conn.execute(
            "SELECT CAST(entity_id AS INTEGER), seq, at, actor, action, changes FROM audit_events"
            f" WHERE entity = 'decision' AND CAST(entity_id AS INTEGER) IN ({marks})"
            " ORDER BY seq", ids).fetchall())
        interests = conn.execute(
            "SELECT people.name, people.positions, organisations.name,"
            " interests.organisation_name, interests.interest_type, interests.is_indirect,"
            " interests.nature, interests.date_from, interests.date_to, interests.declared_on"
            " FROM committee_members JOIN people ON people.id = committee_members.person_id"
            " LEFT JOIN interests ON interests.person_id = people.id AND interests.withdrawn = 0"
            " AND interests.declared_on <= ? LEFT JOIN organisations"
            " ON organisations.id = interests.organisation_id WHERE committee_members.committee_id"
            " = ? ORDER BY people.name, interests.date_from", [date_to, committee_id]).fetchall()
    finally:
        conn.close()

    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    story: list = [Paragraph("Audit pack", styles["Title"]),
                   Paragraph(escape(f"Committee {committee_id}, {date_from} to {date_to}"),
                             styles["Normal"]),
                   Paragraph("Register of procurement decisions", styles["Heading1"])]
    register = [[Paragraph(h, cell) for h in (
        "Reference", "Meeting date", "Title", "Description", "Existing or new",
        "Procurement type", "Committee", "Conflicts noted", "Actions to mitigate",
        "Justification", "Contract value", "Comments", "Status")]]
    for d in decisions:
        conflicted = "; ".join(sorted({f[0] for f in flags.get(d[0], []) if f[0]}))
        ruled = "; ".join(f"{r[0]}: {r[1]}" for r in rulings.get(d[0], []))
        register.append([Paragraph(escape(str(v)), cell) for v in (
            d[1], d[4], d[2], d[3] or "", d[10] or "", f"{d[11]}: {d[6]}",
            f"Committee {committee_id}", conflicted or "None noted", ruled or "None needed",
            d[13] or "", f"Total £{d[7] / 100:,.2f} Annual £{(d[12] or 0) / 100:,.2f}",
            d[14] or "", d[8])])
    story.append(Table(register, repeatRows=1, style=STYLE))
    story.append(Paragraph("Flagged decisions", styles["Heading1"]))
    for d in decisions:
        if not d[9]:
            continue
        story.append(Paragraph(escape(f"{d[1]}: {d[2]}"), styles["Heading2"]))
        facts = [("Reference", d[1]), ("Title", d[2]), ("Description", d[3] or ""),
                 ("Status", d[8]), ("Committee", f"Committee {committee_id}"),
                 ("Meeting date", d[4]), ("Make or buy", d[5]), ("Existing or new", d[10]),
                 ("Regime", d[11]), ("Process", d[6]), ("Value (total)", f"£{d[7] / 100:,.2f}"),
                 ("Value (annual)", f"£{(d[12] or 0) / 100:,.2f}"),
                 ("Justification", d[13] or "Not recorded"),
                 ("Comments", d[14] or "Not recorded"), ("Submitted", d[15] or "")]
        story.append(Table([[k, Paragraph(escape(str(v)), cell)] for k, v in facts],
                           style=STYLE, colWidths=[45 * mm, None]))
        story.append(Paragraph("Providers who may benefit", styles["Heading3"]))
        story.append(Table([["Organisation", "ODS code", "Kind", "Member practice"]] + [
            [p[0], p[1] or "", p[2], "Yes" if p[3] else "No"] for p in providers.get(d[0], [])],
            repeatRows=1, style=STYLE))
        story.append(Paragraph("People taking part", styles["Heading3"]))
        story.append(Table([["Name", "Taking part as", "Committee membership"]] + [
            [p[0], p[1], p[2] or "Not a member of the committee"]
            for p in participants.get(d[0], [])], repeatRows=1, style=STYLE))
        story.append(Paragraph("Conflicts flagged", styles["Heading3"]))
        rows = [["Person", "Severity", "Why"]] + [
            [f[0] or "", f[1], Paragraph(escape(f[2]), cell)] for f in flags.get(d[0], [])]
        story.append(Table(rows, repeatRows=1, style=STYLE, colWidths=[40 * mm, 20 * mm, None]))
        ruled = [["Person", "Ruling", "Reason"]] + [
            [r[0], r[1], Paragraph(escape(r[2] or ""), cell)] for r in rulings.get(d[0], [])]
        story += [Spacer(1, 3 * mm), Table(ruled, repeatRows=1, style=STYLE,
                                           colWidths=[40 * mm, 20 * mm, None])]
        for s in sign_offs.get(d[0], []):
            story.append(Paragraph(escape(f"Signed off by {s[0]}, {s[1]}: {s[2]} ({s[3]})"),
                                   styles["BodyText"]))
        for o in outcomes.get(d[0], []):
            story.append(Paragraph(escape(f"Outcome: {o[0]} ({o[1]} for, {o[2]} against, "
                                          f"{o[3]} abstaining)"), styles["BodyText"]))
        story.append(Paragraph("Audit events for this decision", styles["Heading3"]))
        story.append(Table([["#", "When", "Who", "What", "Fields changed"]] + [
            [e[0], e[1], e[2], e[3], Paragraph(escape(e[4] or ""), cell)]
            for e in events.get(d[0], [])], repeatRows=1, style=STYLE,
            colWidths=[15 * mm, 45 * mm, 30 * mm, 30 * mm, None]))
    story.append(Paragraph("Register of interests of the committee's members",
                           styles["Heading1"]))
    held = [["Name", "Position", "Organisation", "Type", "Nature", "From", "To", "Declared"]]
    for i in interests:
        held.append([i[0], i[1], Paragraph(escape(i[2] or i[3] or "Nil return"), cell),
                     (i[4] or "") + (" (indirect)" if i[5] else ""), Paragraph(escape(i[6] or ""),
                                                                                 cell),
                     i[7] or "", i[8] or "", i[9] or ""])
    story.append(Table(held, repeatRows=1, style=STYLE))

    def page(canvas, doc) -> None:  # noqa: ANN001
        canvas.setFont("Helvetica", 8)
        canvas.drawString(15 * mm, 8 * mm, f"OFFICIAL    Page {doc.page}")

    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                      topMargin=15 * mm, bottomMargin=15 * mm, title="Audit pack").build(
        story, onFirstPage=page, onLaterPages=page)
    return out.getvalue()


PERIOD = ("2024-01-01", "2026-12-31")  # as bench/pack.py


def main(argv: list[str]) -> int:
    """`python -m bench.raw_pack DATABASE OUT`: build the twin of the bench's pack (committee 1,
    the whole period), write it to OUT and print the build's CPU seconds."""
    started = time.process_time()
    data = build(argv[0], 1, *PERIOD)
    cpu = time.process_time() - started
    Path(argv[1]).write_bytes(data)
    print(json.dumps({"cpu": cpu, "peak_mib": peak_rss_mib()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
