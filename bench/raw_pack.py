"""The bare twin of the board audit pack: the same records read with sqlite3 and laid out once with
plain ReportLab, in the same sections and about the same pages as the register's pack.

What it prints, in order (the register's sections, written plainly): a cover sheet; a contents
page listing every section and flagged decision with its page number; a summary (figures, the
decisions by status and by make or buy side by side, the reviews overdue); the register of
procurement decisions in twelve columns on landscape pages; each flagged decision on pages of
its own (its 22 fields, options, providers, people taking part, conflicts flagged, a diagram of
how each conflict arises, rulings, the quorum counted before and after the rulings with its
workings, sign-off, outcome and attendance, notices, breaches and its audit events); the
committee members' register of interests on landscape pages; gifts; breaches; and a page with
the audit trail's head hash and its QR code. Every page has the security marking at top and
bottom, the organisation and the pack's title, and "Page N of M".

It uses the register's typeface (DejaVu Sans, read from the same font files: a pack must print
the names people really have, which the built-in Helvetica cannot), `SimpleDocTemplate` with
`Paragraph`s in table cells and one table style, and prints "Page N of M" and the contents'
page numbers with form XObjects filled in when the file is saved, so it is laid out once. The
quorum is counted plainly from the committee's rule and the people taking part, and the
diagram is drawn with boxes and lines. It imports nothing from the register.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

FONT_DIR = Path(__file__).resolve().parent.parent / "register" / "pdf" / "fonts"
FONT, BOLD = "TwinSans", "TwinSans-Bold"
BLUE = colors.HexColor("#005EB8")

STYLE = TableStyle([
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EDEE")),
    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("FONT", (0, 0), (-1, -1), FONT, 8.5),
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


def _styles() -> dict[str, ParagraphStyle]:
    for name, filename in ((FONT, "DejaVuSans.ttf"), (BOLD, "DejaVuSans-Bold.ttf")):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=22, leading=27,
                                textColor=BLUE, spaceAfter=6 * mm),
        "h1": ParagraphStyle("h1", fontName=BOLD, fontSize=15, leading=19, textColor=BLUE,
                             spaceAfter=3 * mm, keepWithNext=1),
        "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=12, leading=15, textColor=BLUE,
                             spaceBefore=4 * mm, spaceAfter=2 * mm, keepWithNext=1),
        "h3": ParagraphStyle("h3", fontName=BOLD, fontSize=10, leading=13, spaceBefore=3 * mm,
                             spaceAfter=1.5 * mm, keepWithNext=1),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13,
                               spaceAfter=2 * mm),
        "label": ParagraphStyle("label", fontName=BOLD, fontSize=9, leading=12),
        "bullet": ParagraphStyle("bullet", fontName=FONT, fontSize=9.5, leading=13,
                                 leftIndent=5 * mm, bulletIndent=1 * mm),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=11),
        "small": ParagraphStyle("small", fontName=FONT, fontSize=6.8, leading=8.4),
        "hash": ParagraphStyle("hash", fontName="Courier", fontSize=8.6, leading=12,
                               alignment=1, spaceAfter=3 * mm),
        "toc": ParagraphStyle("toc", fontName=FONT, fontSize=9, leading=13),
    }


def _money(pence: int | None) -> str:
    return f"£{(pence or 0) / 100:,.2f}" if pence is not None else "Not recorded"


def _weekdays(start: dt.date, end: dt.date) -> int:
    return sum(1 for n in range(1, (end - start).days + 1)
               if (start + dt.timedelta(n)).weekday() < 5)


class _Canvas(Canvas):
    """"Page N of M" and the contents' page numbers as forms defined when the file is saved."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.section_pages: dict[str, int] = {}

    def save(self) -> None:
        pages = self.getPageNumber() - (0 if self._code else 1)
        numbers = {"total": pages, **self.section_pages}
        for key, number in numbers.items():
            self.beginForm(f"n-{key}", lowerx=-40, lowery=-2, upperx=40, uppery=10)
            self.setFont(FONT, 8)
            self.drawRightString(0, 0, str(number))
            self.endForm()
        super().save()


class _Number(Flowable):
    """A contents line's page number: a form the canvas fills in at save."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 12 * mm, 10

    def draw(self) -> None:
        self.canv.translate(12 * mm, 0)
        self.canv.doForm(f"n-{self.key}")


class _Heading(Paragraph):
    key = ""


class _QrCode(Flowable):
    def __init__(self, text: str, size: float) -> None:
        super().__init__()
        self.text, self.size = text, size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        widget = QrCodeWidget(self.text, barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(self.size, self.size, transform=[
            self.size / (x1 - x0), 0, 0, self.size / (y1 - y0), 0, 0])
        drawing.add(widget)
        drawing.drawOn(self.canv, 0, 0)


def _diagram(left: list[str], right: list[str], edges: list[tuple[str, str]],
             width: float) -> Drawing:
    """Boxes for people and practices on the left, the proposed providers on the right."""
    row = 13 * mm
    height = max(len(left), len(right)) * row + 4 * mm
    drawing = Drawing(width, height)
    places: dict[tuple[str, str], tuple[float, float]] = {}
    for side, names, x in (("l", left, 0), ("r", right, width * 0.6)):
        for index, name in enumerate(names):
            y = height - (index + 1) * row
            drawing.add(Rect(x, y, width * 0.4, 9 * mm, fillColor=colors.white,
                             strokeColor=BLUE))
            drawing.add(String(x + 2 * mm, y + 3.5 * mm, name[:60], fontName=FONT,
                               fontSize=7.5))
            places[(side, name)] = (x, y + 4.5 * mm)
    for a, b in edges:
        ax, ay = places[("l", a)]
        bx, by = places[("r", b)]
        drawing.add(Line(ax + width * 0.4, ay, bx, by, strokeColor=colors.grey))
    return drawing


def build(database: str, committee_id: int, date_from: str, date_to: str) -> bytes:
    """The pack's records for one committee and period, as a PDF."""
    conn = sqlite3.connect(database)
    try:
        committee = conn.execute(
            "SELECT name, quorum_min_voting, quorum_min_gp, quorum_min_lay,"
            " quorum_min_executive, quorum_min_other FROM committees WHERE id = ?",
            [committee_id]).fetchone()
        decisions = conn.execute(
            "SELECT decisions.id, reference, title, description, meeting_date, choice, process,"
            " total_value_pence, status, flag_count, contract_kind, regime, annual_value_pence,"
            " justification, comments, submitted_at, contract_start, contract_end,"
            " decision_process, offered_to_all_member_practices, lead.name, manager.name,"
            " awarded.name, awarded.registered_address, awarded.postcode, users.username"
            " FROM decisions LEFT JOIN people lead ON lead.id = clinical_lead_id"
            " LEFT JOIN people manager ON manager.id = contract_manager_id"
            " LEFT JOIN organisations awarded ON awarded.id = awarded_provider_id"
            " LEFT JOIN users ON users.id = author_user_id WHERE committee_id = ?"
            " AND meeting_date BETWEEN ? AND ? ORDER BY meeting_date, reference",
            [committee_id, date_from, date_to]).fetchall()
        ids = [d[0] for d in decisions]
        marks = ",".join("?" * len(ids)) or "NULL"

        def each(sql: str) -> dict[int, list[tuple]]:
            return _grouped(conn.execute(sql.replace("IDS", marks), ids).fetchall())

        flags = each(
            "SELECT decision_id, people.name, decision_flags.severity, decision_flags.sentence,"
            " decision_flags.rule, organisations.name, organisations.ods_code,"
            " decision_flags.evidence, decision_flags.person_id FROM decision_flags"
            " LEFT JOIN people ON people.id = decision_flags.person_id"
            " LEFT JOIN organisations ON organisations.id = decision_flags.organisation_id"
            " WHERE decision_id IN (IDS) ORDER BY decision_id, position")
        rulings = each(
            "SELECT decision_id, people.name, ruling, reason, ruled_at, person_id"
            " FROM decision_rulings JOIN people ON people.id = decision_rulings.person_id"
            " WHERE decision_id IN (IDS) ORDER BY decision_id, people.name")
        sign_offs = each(
            "SELECT decision_id, signer_name, signer_role, statement, signed_at, content_hash"
            " FROM sign_offs WHERE voided_at IS NULL AND decision_id IN (IDS)")
        outcomes = each(
            "SELECT decision_id, outcome, votes_for, votes_against, votes_abstaining, notes,"
            " recorded_at FROM decision_outcomes WHERE decision_id IN (IDS)")
        attendance = each(
            "SELECT decision_id, people.name, present, vote FROM outcome_attendance"
            " JOIN people ON people.id = outcome_attendance.person_id"
            " WHERE decision_id IN (IDS) ORDER BY decision_id, people.name")
        options = each(
            "SELECT decision_id, position, description, outcome, reason FROM decision_options"
            " WHERE decision_id IN (IDS) ORDER BY decision_id, position")
        providers = each(
            "SELECT decision_id, organisations.name, organisations.ods_code, organisations.kind,"
            " organisations.is_member_practice, organisations.id FROM decision_providers"
            " JOIN organisations ON organisations.id = decision_providers.organisation_id"
            " WHERE decision_id IN (IDS) ORDER BY decision_id, organisations.name")
        participants = each(
            "SELECT decision_id, people.name, decision_participants.role,"
            " committee_members.role, committee_members.category, committee_members.voting,"
            " people.id FROM decision_participants"
            " JOIN people ON people.id = decision_participants.person_id"
            " JOIN decisions ON decisions.id = decision_participants.decision_id"
            " LEFT JOIN committee_members ON committee_members.person_id = people.id"
            " AND committee_members.committee_id = decisions.committee_id"
            " WHERE decision_id IN (IDS) ORDER BY decision_id, people.name")
        notices = each(
            "SELECT decision_id, kind, published_on, published_where, reference"
            " FROM decision_notices WHERE decision_id IN (IDS) ORDER BY decision_id, id")
        recorded = each(
            "SELECT decision_id, kind, people.name, detail, recorded_at FROM breaches"
            " LEFT JOIN people ON people.id = breaches.person_id"
            " WHERE decision_id IN (IDS) ORDER BY decision_id, recorded_at")
        events = each(
            "SELECT CAST(entity_id AS INTEGER), seq, at, actor, action, changes"
            " FROM audit_events WHERE entity = 'decision' AND CAST(entity_id AS INTEGER)"
            " IN (IDS) ORDER BY seq")
        organisations = dict(conn.execute("SELECT id, name FROM organisations").fetchall())
        interests = conn.execute(
            "SELECT people.name, people.positions, committee_members.role,"
            " committee_members.category, organisations.name, interests.organisation_name,"
            " interests.organisation_business, interests.interest_type, interests.is_indirect,"
            " interests.associate_relationship, interests.nature, interests.mitigation,"
            " interests.date_from, interests.date_to, interests.declared_on"
            " FROM committee_members JOIN people ON people.id = committee_members.person_id"
            " LEFT JOIN interests ON interests.person_id = people.id AND interests.withdrawn = 0"
            " AND interests.declared_on <= ? AND interests.date_from <= ?"
            " LEFT JOIN organisations ON organisations.id = interests.organisation_id"
            " WHERE committee_members.committee_id = ?"
            " ORDER BY people.name, people.id, interests.date_from",
            [date_to, date_to, committee_id]).fetchall()
        gifts = conn.execute(
            "SELECT people.name, gifts.kind, gifts.description, gifts.offered_by,"
            " gifts.value_pence, gifts.offered_on, gifts.accepted, gifts.declared_on"
            " FROM gifts JOIN people ON people.id = gifts.person_id"
            " JOIN committee_members ON committee_members.person_id = gifts.person_id"
            " AND committee_members.committee_id = ? WHERE gifts.offered_on BETWEEN ? AND ?"
            " ORDER BY gifts.offered_on DESC", [committee_id, date_from, date_to]).fetchall()
        count, head = conn.execute(
            "SELECT COUNT(*), (SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1)"
            " FROM audit_events").fetchone()
    finally:
        conn.close()

    s = _styles()
    portrait, wide = A4[0] - 36 * mm, landscape(A4)[0] - 25 * mm
    title = f"Board audit pack: {committee[0]}"
    period = f"{date_from} to {date_to}"
    printed = dt.datetime.now(dt.UTC).strftime("%d %B %Y, %H:%M UTC")
    today = dt.date.today()

    def p(text: object, style: str = "cell") -> Paragraph:
        return Paragraph(escape("" if text is None else str(text)).replace("\n", "<br/>"),
                         s[style])

    def table(header: list[str], rows: list[list], widths: list[float],
              style: str = "cell") -> Table:
        # splitInRow: a row taller than a page (a decision with many conflicts) may break.
        # Paragraphs only where text may wrap: short values are drawn as plain strings.
        wrap = p if style == "small" else short
        return Table([[p(h, style) for h in header]]
                     + [[wrap(v, style) for v in row] for row in rows],
                     colWidths=widths, repeatRows=1, style=STYLE, splitInRow=1)

    def short(text: object, style: str) -> object:
        value = "" if text is None else str(text)
        return value if len(value) < 20 and "\n" not in value else p(value, style)

    def pairs(items: list[tuple[str, object]], share: float = 0.3) -> Table:
        return Table([[p(k, "label"), short(v if v not in (None, "") else "Not recorded", "cell")]
                      for k, v in items], colWidths=[portrait * share, portrait * (1 - share)],
                     style=STYLE)

    listed_count = [0]

    def heading(text: str, level: int, listed: bool = True) -> Paragraph:
        flowable = _Heading(escape(text), s[("h1", "h2", "h3")[level]])
        if listed:
            listed_count[0] += 1
            flowable.key, flowable.level = f"s{listed_count[0]}", level
        return flowable

    # The flagged decisions' sections are made first, so the contents knows its lines.
    flagged = [d for d in decisions if d[9]]
    sections: list = []
    for d in flagged:
        sections += [PageBreak(), heading(f"{d[1]}: {d[2]}", 1)]
        sections.append(pairs([
            ("Reference", d[1]), ("Contract or service title", d[2]), ("Description", d[3]),
            ("Status", d[8]), ("Committee", committee[0]), ("Meeting date", d[4]),
            ("Make or buy", d[5]), ("Existing contract or new", d[10]),
            ("Procurement regime", d[11]), ("Process", d[6]),
            ("Contract value (total)", _money(d[7])), ("Contract value (annual)", _money(d[12])),
            ("Contract dates", f"{d[16]} to {d[17]}" if d[16] else None),
            ("Clinical lead", d[20]), ("Contract manager", d[21]),
            ("Decision-making process", d[18]),
            ("Offered to every member practice", "Yes" if d[19] else "No"),
            ("Contract awarded to", ", ".join(x for x in (d[22], d[23], d[24]) if x)),
            ("Justification", d[13]), ("Comments", d[14]), ("Recorded by", d[25]),
            ("Submitted", d[15])]))
        sections.append(heading("Options considered", 2, False))
        sections.append(table(["#", "Option", "Outcome", "Reason"],
                              [list(o) for o in options[d[0]]],
                              [8 * mm, portrait * 0.42, 20 * mm, portrait * 0.58 - 28 * mm])
                        if options[d[0]] else p("No options recorded.", "body"))
        sections.append(heading("Providers who may benefit", 2, False))
        sections.append(table(["Organisation", "ODS code", "Kind", "Member practice"],
                              [[v[0], v[1], v[2], "Yes" if v[3] else "No"]
                               for v in providers[d[0]]],
                              [portrait * w for w in (0.5, 0.15, 0.2, 0.15)]))
        sections.append(heading("People taking part", 2, False))
        sections.append(table(["Name", "Taking part as", "Committee membership"],
                              [[v[0], v[1], f"{v[2]}, {v[3]}" if v[2] else
                                "Not a member of the committee"] for v in participants[d[0]]],
                              [portrait * 0.4, portrait * 0.3, portrait * 0.3]))
        sections.append(heading("Conflicts flagged", 2, False))
        sections.append(table(["Flag", "Who or what", "Why"],
                              [[f"{f[3]} ({f[1]})", " / ".join(x for x in (f[0], f[4]) if x),
                                f[2]] for f in flags[d[0]]],
                              [portrait * 0.2, portrait * 0.22, portrait * 0.58]))
        left: list[str] = []
        edges: list[tuple[str, str]] = []
        for f in flags[d[0]]:
            evidence = json.loads(f[6] or "{}")
            target = organisations.get(evidence.get("provider_id"))
            source = f[0] or (organisations.get(evidence["link"][0])
                              if evidence.get("link") else None)
            if source and target and f[1] != "breach":
                left += [source] if source not in left else []
                edges.append((source, target))
        if edges:
            right = list(dict.fromkeys(b for _, b in edges))
            sections.append(p("How each conflict arises: people and member practices on the "
                              "left, each proposed provider on the right.", "body"))
            sections.append(_diagram(left, right, edges, portrait))
        sections.append(heading("Rulings", 2, False))
        sections.append(table(["Person", "Ruling", "Reason", "Ruled"],
                              [list(r[:4]) for r in rulings[d[0]]],
                              [portrait * w for w in (0.2, 0.22, 0.38, 0.2)])
                        if rulings[d[0]] else p("No rulings recorded.", "body"))
        sections.append(heading("Quorum", 2, False))
        sections.append(p(f"The committee's rule: at least {committee[1]} voting members, "
                          f"including {committee[3]} lay.", "body"))
        ruled_out = {r[4] for r in rulings[d[0]] if r[1] != "note"}
        for when, out in (("before any ruling", set()), ("after the rulings", ruled_out)):
            voting = [v for v in participants[d[0]] if v[1] == "voting" and v[5] not in out]
            lay = sum(1 for v in voting if v[3] == "lay")
            absent = sum(1 for v in participants[d[0]] if v[1] != "voting")
            quorate = len(voting) >= committee[1] and lay >= committee[3]
            sections.append(p(f"Counted on the voting members taking part, {when}:", "label"))
            for line in (f"{absent} members not voting", f"{len(voting)} voting members present",
                         f"{len(out)} ruled out of the vote",
                         f"{len(voting)} voting members remain; the rule needs at least "
                         f"{committee[1]}",
                         f"{lay} lay members remain; the rule needs at least {committee[3]}"):
                sections.append(Paragraph(escape(line), s["bullet"], bulletText="•"))
            sections.append(p("Quorate" if quorate else "Inquorate", "label"))
        sections.append(p(f"Verdict after the rulings: {'Quorate' if quorate else 'Inquorate'}.",
                          "label"))
        sections.append(heading("Sign-off", 2, False))
        for so in sign_offs[d[0]]:
            sections.append(pairs([("Signed by", f"{so[0]}, {so[1]}"), ("Signed at", so[3]),
                                   ("Statement", so[2]), ("Content hash", so[4])], 0.22))
        if not sign_offs[d[0]]:
            sections.append(p("Not signed off.", "body"))
        sections.append(heading("Outcome and attendance", 2, False))
        for o in outcomes[d[0]]:
            sections.append(pairs([("Outcome", o[0]),
                                   ("Votes", f"{o[1]} for, {o[2]} against, {o[3]} abstaining"),
                                   ("Notes", o[4]), ("Recorded", o[5])]))
        if not outcomes[d[0]]:
            sections.append(p("No outcome recorded yet.", "body"))
        if attendance[d[0]]:
            sections.append(table(["Name", "Present", "Vote"],
                                  [[a[0], "Yes" if a[1] else "No", a[2] or "No vote"]
                                   for a in attendance[d[0]]],
                                  [portrait * 0.4, portrait * 0.3, portrait * 0.3]))
        sections.append(heading("Notices and standstill", 2, False))
        sections.append(table(["Notice", "Published", "Where", "Reference"],
                              [list(n) for n in notices[d[0]]],
                              [portrait * w for w in (0.25, 0.18, 0.37, 0.2)])
                        if notices[d[0]] else p("No notices recorded.", "body"))
        sections.append(heading("Breaches", 2, False))
        sections.append(table(["Breach", "Person", "Detail", "Recorded"],
                              [list(b) for b in recorded[d[0]]],
                              [portrait * w for w in (0.2, 0.2, 0.4, 0.2)])
                        if recorded[d[0]] else p("No breaches recorded.", "body"))
        sections.append(heading("Audit events for this decision", 2, False))
        sections.append(table(["#", "When", "Who", "What", "Fields changed"],
                              [[e[0], e[1], e[2], e[3], ", ".join(sorted(json.loads(e[4]
                                                                                    or "{}")))]
                               for e in events[d[0]]],
                              [12 * mm, portrait * 0.22, portrait * 0.2, portrait * 0.16,
                               portrait * 0.42 - 12 * mm]))

    # The cover and the sections before the flagged decisions.
    story: list = [
        Spacer(1, 18 * mm), p(title, "title"), p(f"Conflicts of interest in make-or-buy "
                                                 f"decisions, {period}", "h2"),
        pairs([("Committee", committee[0]), ("Period", period), ("Prepared by", "Bench"),
               ("Date", today.isoformat()), ("Security marking", "OFFICIAL"),
               ("Purpose", "Benchmark"), ("Recommendation", "None")], 0.26),
        Spacer(1, 8 * mm), p(f"Printed {printed}.", "body"),
        NextPageTemplate("body"), PageBreak(), p("Contents", "h1"), None, PageBreak()]
    summary_at = len(story)
    story.append(heading("Summary", 0))
    signed = [d for d in decisions if sign_offs[d[0]] and d[15]]
    days = sorted(_weekdays(dt.date.fromisoformat(d[15][:10]),
                            dt.date.fromisoformat(sign_offs[d[0]][0][3][:10])) for d in signed)
    overdue = [[d[1], d[2], d[15][:10], _weekdays(dt.date.fromisoformat(d[15][:10]), today)]
               for d in decisions if d[8] in ("awaiting_review", "escalated") and d[15]
               and _weekdays(dt.date.fromisoformat(d[15][:10]), today) > 5]
    story.append(pairs([
        ("Decisions in the period", len(decisions)),
        ("Flagged for conflicts", f"{len(flagged)} of {len(decisions)}"),
        ("Total contract value", _money(sum(d[7] or 0 for d in decisions))),
        ("Working days from submission to sign-off",
         f"median {days[len(days) // 2]}, longest {days[-1]}" if days else "None signed off"),
        ("Reviews overdue", f"{len(overdue)} still awaiting review")], 0.38))
    half = (portrait - 6 * mm) / 2
    side = [table(["Status", "Decisions"], [list(kv) for kv in sorted(Counter(
                d[8] for d in decisions).items())], [half * 0.72, half * 0.28]), "",
            table(["Make or buy", "Decisions"], [list(kv) for kv in sorted(Counter(
                d[5] or "" for d in decisions).items())], [half * 0.72, half * 0.28])]
    story += [heading("Decisions by status and by make or buy", 2, False),
              Table([side], colWidths=[half, 6 * mm, half])]
    if overdue:
        story += [heading("Reviews overdue", 2, False),
                  table(["Reference", "Title", "Submitted", "Working days waiting"], overdue,
                        [28 * mm, portrait - 98 * mm, 35 * mm, 35 * mm])]
    story.append(p("Working days exclude weekends. Values are the total contract values.",
                   "body"))

    # Figures: six bar charts, each with its numbers in a table under it, as the pack prints.
    story += [PageBreak(), heading("Figures", 0)]

    def quarter(day: str) -> str:
        year, month = int(day[:4]), int(day[5:7])
        start = year if month >= 4 else year - 1
        return f"Q{(month - 4) % 12 // 3 + 1} {start}/{(start + 1) % 100:02d}"

    quarters = sorted({quarter(d[4]) for d in decisions}, key=lambda q: (q[3:], q[:2]))
    by_choice = {c: Counter(quarter(d[4]) for d in decisions if d[5] == c)
                 for c in ("make", "buy", "mixed")}
    flagged_by = Counter(quarter(d[4]) for d in decisions if d[9])
    all_by = Counter(quarter(d[4]) for d in decisions)
    late_by = Counter(quarter(i[14]) for i in interests if i[14] and i[12]
                      and (dt.date.fromisoformat(i[14][:10])
                           - dt.date.fromisoformat(i[12][:10])).days > 28)
    routes = Counter(d[6] or "Route not recorded" for d in decisions)
    bands = ("Up to 5", "6 to 10", "11 to 20", "21 to 40", "More than 40")
    banded = Counter(bands[sum(day > edge for edge in (5, 10, 20, 40))] for day in days)
    waiting = ("Within target", "Overdue up to 5 days", "Overdue more than 5 days")
    waited = Counter(waiting[0 if w[3] <= 5 else 1 if w[3] <= 10 else 2] for w in overdue)
    charts = [
        ("Decisions by make, buy or mixed", quarters,
         [[by_choice[c][q] for q in quarters] for c in ("make", "buy", "mixed")], False),
        ("Decisions by route", sorted(routes), [[routes[r] for r in sorted(routes)]], True),
        ("Time from submission to sign-off", list(bands), [[banded[b] for b in bands]], False),
        ("Share of decisions flagged", quarters,
         [[round(100 * flagged_by[q] / all_by[q]) if all_by[q] else 0 for q in quarters]],
         False),
        ("Late declarations", sorted(late_by), [[late_by[q] for q in sorted(late_by)]], False),
        ("Reviews overdue", list(waiting), [[waited[w] for w in waiting]], True),
    ]
    for name, categories, series, across in charts:
        drawing = Drawing(portrait, 62 * mm)
        chart = HorizontalBarChart() if across else VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 40 * mm, 10 * mm, portrait - 50 * mm, 46 * mm
        chart.data = series if categories else [[0]]
        chart.categoryAxis.categoryNames = [str(c) for c in categories] or [""]
        chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = FONT
        chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.valueMin = 0
        chart.valueAxis.visibleGrid = 1
        chart.barLabelFormat = "%d"
        chart.barLabels.fontName, chart.barLabels.fontSize = FONT, 7
        for i in range(len(series)):
            chart.bars[i].fillColor = (BLUE, colors.HexColor("#007f3b"),
                                       colors.HexColor("#ae2573"))[i % 3]
        drawing.add(chart)
        rows = [[str(c)] + [str(values[k]) for values in series]
                for k, c in enumerate(categories)]
        width = portrait / (len(series) + 1)
        story += [CondPageBreak(110 * mm), heading(name, 2, False), drawing,
                  table(["", *("Decisions" if len(series) == 1 else c
                               for c in ("Make", "Buy", "Mixed")[:len(series)])],
                        rows or [["None", *([""] * len(series))]],
                        [width] * (len(series) + 1))]

    story += [NextPageTemplate("landscape"), PageBreak(),
              heading("Register of procurement decisions", 0)]
    register = []
    for d in decisions:
        conflicts = [f"{f[0]}: {f[2]}" if f[0] else f[2] for f in flags[d[0]]
                     if f[1] == "conflict"]
        ruled = [f"{r[0]}: {r[1]} ({r[2]})" for r in rulings[d[0]]]
        register.append([
            f"{d[1]}\n{d[4]}", f"{d[2]}\n{d[3]}", f"{d[10] or ''}\n{d[11]}: {d[6]}",
            f"{d[20] or ''}\n{d[21] or ''}", f"{d[18]}\n{committee[0]}",
            "\n".join(conflicts) or "None noted",
            "\n".join(ruled) or ("Not yet ruled" if conflicts else "None needed"),
            d[13], ", ".join(x for x in (d[22], d[23], d[24]) if x),
            f"Total\n{_money(d[7])}\nAnnual\n{_money(d[12])}", d[14],
            f"{d[8]}\n{'Flagged' if d[9] else ''}"])
    story.append(table(
        ["Reference\nMeeting date", "Contract or service title\nDescription",
         "Existing or new\nProcurement type", "Clinical lead\nContract manager",
         "Decision-making process\nCommittee that decided", "Conflicts of interest noted",
         "Actions to mitigate conflicts", "Justification",
         "Contract awarded: supplier and registered address",
         "Contract term\nContract value: total and annual", "Comments", "Status"],
        register, [wide * w for w in (0.08, 0.1, 0.075, 0.08, 0.09, 0.125, 0.1, 0.07, 0.08,
                                      0.085, 0.06, 0.055)], "small"))

    story += [NextPageTemplate("body"), PageBreak(), heading("Flagged decisions", 0),
              p(f"{len(flagged)} decisions in the period were flagged.", "body")]
    story += sections[1:]

    story += [NextPageTemplate("landscape"), PageBreak(),
              heading("Register of interests of the committee's members", 0)]
    story.append(table(
        ["Name", "Position", "Organisation and its business", "Type",
         "Nature of the interest", "Action taken to mitigate", "From", "To", "Declared"],
        [[i[0], ", ".join(x for x in (i[2], i[3], i[1]) if x),
          "\n".join(x for x in (i[4] or i[5], i[6]) if x) if i[7] else "No interests declared",
          f"{i[7]}\n{'Indirect (' + i[9] + ')' if i[8] else 'Direct'}" if i[7] else "",
          i[10], i[11], i[12], i[13] or ("Continuing" if i[7] else ""), i[14]]
         for i in interests],
        [wide * w for w in (0.12, 0.1, 0.15, 0.11, 0.14, 0.14, 0.08, 0.08, 0.08)], "small"))
    story += [PageBreak(), heading("Gifts, hospitality and sponsorship", 0)]
    story.append(table(["Name", "What was offered", "Offered by", "Value", "Offered",
                        "Outcome", "Declared"],
                       [[g[0], f"{g[1]}: {g[2]}", g[3], _money(g[4]), g[5],
                         "Accepted" if g[6] else "Declined", g[7]] for g in gifts],
                       [wide * w for w in (0.13, 0.25, 0.16, 0.08, 0.1, 0.16, 0.12)], "small")
                 if gifts else p("None declared in the period.", "body"))
    story += [NextPageTemplate("body"), PageBreak(), heading("Breaches found", 0)]
    late = [[i[0], i[5] or i[4], i[12], i[14]] for i in interests if i[12] and i[14]
            and date_from <= i[14] and (dt.date.fromisoformat(i[14])
                                        - dt.date.fromisoformat(i[12])).days > 28]
    found = [[d[1], f[3], f[2]] for d in decisions for f in flags[d[0]] if f[1] == "breach"]
    for name, header, rows in (
            ("Late declarations by the committee's members",
             ["Person", "Interest", "Arose", "Declared"], late),
            ("Breaches flagged on the period's decisions", ["Decision", "Flag", "Why"], found),
            ("Breaches recorded", ["Decision", "Breach", "Person", "Detail", "Recorded"],
             [[d[1], *b] for d in decisions for b in recorded[d[0]]])):
        story.append(heading(name, 2, False))
        story.append(table(header, rows, [portrait / len(header)] * len(header)) if rows
                     else p("None found.", "body"))
    story += [PageBreak(), CondPageBreak(170 * mm), heading("Checking this record", 0),
              p(f"When this was printed the audit trail held {count} events; the hash of the "
                f"last:", "body"), p(head, "hash"), _QrCode(head or "", 38 * mm),
              p("To check the record, run: flask --app register verify-audit "
                f"--expect {count}:{head}", "body")]
    contents = [(f.level, f.text, f.key) for f in story if getattr(f, "key", "")]
    story[summary_at - 2] = Table(
        [[Paragraph(f'<a href="#{key}">{"&nbsp;" * 4 * level}{text}</a>', s["toc"]),
          _Number(key)] for level, text, key in contents],
        colWidths=[portrait - 12 * mm, 12 * mm])

    class Doc(BaseDocTemplate):
        def afterFlowable(self, flowable: Flowable) -> None:
            key = getattr(flowable, "key", "")
            if key:
                self.canv.bookmarkPage(key)
                self.canv.section_pages[key] = self.page

    def page(canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, height = canvas._pagesize
        canvas.saveState()
        canvas.setFont(BOLD, 10)
        canvas.drawCentredString(width / 2, height - 9 * mm, "OFFICIAL")
        canvas.drawCentredString(width / 2, 7 * mm, "OFFICIAL")
        canvas.setFont(FONT, 8)
        canvas.drawString(18 * mm, height - 16 * mm, "Bench consortium")
        canvas.drawRightString(width - 18 * mm, height - 16 * mm, f"{title}, {period}")
        canvas.drawString(18 * mm, 12 * mm, f"Printed {printed}")
        canvas.drawRightString(width - 30 * mm, 12 * mm, f"Page {doc.page} of ")
        canvas.translate(width - 18 * mm, 12 * mm)
        canvas.doForm("n-total")
        canvas.restoreState()

    out = io.BytesIO()
    doc = Doc(out, pagesize=A4, title=title, leftMargin=18 * mm, rightMargin=18 * mm,
              topMargin=24 * mm, bottomMargin=22 * mm)
    frame = Frame(18 * mm, 22 * mm, portrait, A4[1] - 46 * mm, id="portrait", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    wide_frame = Frame(12.5 * mm, 22 * mm, wide, A4[0] - 46 * mm, id="landscape",
                       leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([
        PageTemplate(id="cover", frames=[frame], onPage=page, pagesize=A4),
        PageTemplate(id="body", frames=[frame], onPage=page, pagesize=A4),
        PageTemplate(id="landscape", frames=[wide_frame], onPage=page,
                     pagesize=landscape(A4))])
    doc.build(story, canvasmaker=_Canvas)
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
