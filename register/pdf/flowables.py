"""Small functions that return lists of flowables: the parts every printed record is made of.

User text enters a Paragraph through `para()` or `plain_lines()`, which build the paragraph's
text fragments directly, without ReportLab's markup parser, so a typed `<img src="/etc/passwd">`
or `<a href="javascript:...">` prints as those characters and is never read as markup (no file
opened, no link made), and needs no escaping. Where user text is mixed with the app's own markup
it is escaped exactly once with `esc()`. Plain strings in table cells are drawn as they are and
must not be escaped.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .chain import chain_drawing
from .fonts import BOLD, FAMILY, ITALIC, MONO, map_family, register_fonts
from .templates import GREY, NHS_BLUE

# The fonts are registered on first use (measuring or building a document), not at import, so
# starting the app does not parse four font files.
map_family()

PALE_GREY = colors.HexColor("#D8DDE0")
PALE_BLUE = colors.HexColor("#E8EDEE")

STYLES: dict[str, ParagraphStyle] = {
    "Title": ParagraphStyle("Title", fontName=BOLD, fontSize=22, leading=27, textColor=NHS_BLUE,
                            spaceAfter=6 * mm),
    "Subtitle": ParagraphStyle("Subtitle", fontName=FAMILY, fontSize=13, leading=17,
                               textColor=GREY, spaceAfter=10 * mm),
    "H1": ParagraphStyle("H1", fontName=BOLD, fontSize=15, leading=19, textColor=NHS_BLUE,
                         spaceBefore=2 * mm, spaceAfter=3 * mm, keepWithNext=1),
    "H2": ParagraphStyle("H2", fontName=BOLD, fontSize=12, leading=15, textColor=NHS_BLUE,
                         spaceBefore=4 * mm, spaceAfter=2 * mm, keepWithNext=1),
    "H3": ParagraphStyle("H3", fontName=BOLD, fontSize=10, leading=13, spaceBefore=3 * mm,
                         spaceAfter=1.5 * mm, keepWithNext=1),
    "Body": ParagraphStyle("Body", fontName=FAMILY, fontSize=9.5, leading=13, spaceAfter=2 * mm),
    "Note": ParagraphStyle("Note", fontName=ITALIC, fontSize=8.5, leading=11, textColor=GREY,
                           spaceAfter=2 * mm),
    "Bullet": ParagraphStyle("Bullet", fontName=FAMILY, fontSize=9.5, leading=13,
                             leftIndent=5 * mm, bulletIndent=1 * mm, spaceAfter=0.5 * mm),
    "Label": ParagraphStyle("Label", fontName=BOLD, fontSize=9, leading=12),
    "Cell": ParagraphStyle("Cell", fontName=FAMILY, fontSize=8.5, leading=11),
    "CellHead": ParagraphStyle("CellHead", fontName=BOLD, fontSize=8.5, leading=11,
                               textColor=colors.white),
    "Small": ParagraphStyle("Small", fontName=FAMILY, fontSize=6.8, leading=8.4),
    "SmallHead": ParagraphStyle("SmallHead", fontName=BOLD, fontSize=6.8, leading=8.4,
                                textColor=colors.white),
    "Hash": ParagraphStyle("Hash", fontName=MONO, fontSize=8, leading=10),
    "BigHash": ParagraphStyle("BigHash", fontName=MONO, fontSize=8.6, leading=12,
                              alignment=TA_CENTER, spaceAfter=3 * mm),
    "Big": ParagraphStyle("Big", fontName=BOLD, fontSize=18, leading=22, textColor=NHS_BLUE),
    "TOC0": ParagraphStyle("TOC0", fontName=BOLD, fontSize=10, leading=14, leftIndent=0,
                           firstLineIndent=0, spaceBefore=1.5 * mm),
    "TOC1": ParagraphStyle("TOC1", fontName=FAMILY, fontSize=8.5, leading=11, leftIndent=6 * mm,
                           firstLineIndent=0),
}

# Every data table: a header row in NHS blue, light rules, text at the top of each cell.
TABLE_STYLE = TableStyle([
    ("BACKGROUND", (0, 0), (-1, 0), NHS_BLUE),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("GRID", (0, 0), (-1, -1), 0.4, PALE_GREY),
    ("LINEBELOW", (0, 0), (-1, 0), 0.8, NHS_BLUE),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ("FONTNAME", (0, 0), (-1, -1), FAMILY),
    ("FONTSIZE", (0, 0), (-1, -1), 8.5),
])

# Label and value pairs ("summary list"): labels in bold on a pale band.
SUMMARY_LIST_STYLE = TableStyle([
    ("BACKGROUND", (0, 0), (0, -1), PALE_BLUE),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LINEBELOW", (0, 0), (-1, -1), 0.4, PALE_GREY),
    ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
])

PORTRAIT_WIDTH = 210 * mm - 36 * mm
LANDSCAPE_WIDTH = 297 * mm - 0.7 * 36 * mm


class Para(Paragraph):
    """A Paragraph that breaks its lines once per width: a table cell is measured when the table
    is made, when it is laid out and when it is drawn, all at the same width."""

    _measured: tuple[float, float, float] | None = None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        known = self._measured
        if known is not None and known[0] == available_width and "blPara" in self.__dict__:
            self.width, self.height = known[1], known[2]
            return known[1], known[2]
        width, height = super().wrap(available_width, available_height)
        self._measured = (available_width, width, height)
        return width, height


# ---- text -----------------------------------------------------------------------------------

def esc(text: Any) -> str:
    """User text made safe for Paragraph markup: &, < and > escaped (once), None as empty."""
    return escape("" if text is None else str(text))


_PLAIN_FRAGS: dict[int, Any] = {}


def plain_lines(lines: Sequence[str], style: ParagraphStyle) -> Paragraph:
    """A paragraph of lines of user text made without the markup parser: its text is never read
    as markup, so it is not escaped (most cells of a pack are plain text, and parsing them was a
    large share of the work)."""
    lines = [line for line in lines if line]
    if not lines:
        return Para("", style)
    base = _PLAIN_FRAGS.get(id(style))
    if base is None:
        base = _PLAIN_FRAGS[id(style)] = Paragraph("x", style).frags[0]
    frags = []
    for index, line in enumerate(lines):
        if index:
            frags.append(base.clone(text="", lineBreak=True, link=[], us_lines=[],
                                    __tag__="br"))
        frags.append(base.clone(text=line, link=[], us_lines=[]))
    frags[0].text = frags[0].text.lstrip()
    frags[-1].text = frags[-1].text.rstrip()
    return Para("", style, frags=frags)


def para(text: Any, style: str | ParagraphStyle = "Body") -> Paragraph:
    """A paragraph of user text, never read as markup; line breaks typed are kept."""
    chosen = STYLES[style] if isinstance(style, str) else style
    value = "" if text is None else str(text)
    return plain_lines(value.replace("\r\n", "\n").split("\n"), chosen)


def markup(trusted: str, style: str = "Body") -> Paragraph:
    """A paragraph of the app's own markup (bold words and so on); never pass user text here."""
    return Para(trusted, STYLES[style])


def heading(text: str, level: int, *, contents: bool = True, bookmark: bool = True) -> Paragraph:
    """A heading (level 0, 1 or 2) that becomes a bookmark and, if wanted, a contents entry."""
    flowable = para(text, ("H1", "H2", "H3")[level])
    if bookmark and level < 2:
        flowable.bookmark_level = level
        flowable.in_contents = contents
        flowable.contents_text = esc(text)
    return flowable


def bullets(lines: Iterable[str]) -> list[Paragraph]:
    """User or computed sentences as a bulleted list."""
    return [Para(esc(line), STYLES["Bullet"], bulletText="•") for line in lines]


def or_none(value: Any, empty: str = "Not recorded") -> str:
    """A value as text, or a plain phrase when there is none."""
    return empty if value in (None, "") else str(value)


def _flag_state(flag: dict[str, Any]) -> str:
    """A flag's severity, or for a possible name match the governance lead's answer."""
    return {"confirmed": "confirmed", "dismissed": "dismissed"}.get(
        flag.get("match_outcome") or "", flag["severity"])


def _match_answer(flag: dict[str, Any]) -> str:
    if flag.get("match_outcome") == "confirmed":
        return " A governance lead confirmed it as a conflict."
    if flag.get("match_outcome") == "dismissed":
        return f" A governance lead dismissed it: {flag.get('match_reason') or ''}"
    return ""


# ---- tables ---------------------------------------------------------------------------------

def key_values(pairs: Sequence[tuple[str, Any]], width: float = PORTRAIT_WIDTH,
               label_share: float = 0.3) -> Table:
    """Label and value pairs as a two-column summary list (values are user text)."""
    rows = [[para(label, "Label"), para(or_none(value), "Cell")] for label, value in pairs]
    table = Table(rows, colWidths=[width * label_share, width * (1 - label_share)])
    table.setStyle(SUMMARY_LIST_STYLE)
    _let_tall_rows_split(table, width)
    return table


def data_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float],
               *, small: bool = False) -> Table:
    """A table whose header row repeats on every page; text cells become Paragraphs."""
    cell, head = ("Small", "SmallHead") if small else ("Cell", "CellHead")
    data = [[para(h, head) for h in headers]]
    for row in rows:
        data.append([value if isinstance(value, Flowable) else para(or_none(value, ""), cell)
                     for value in row])
    table = Table(data, colWidths=list(widths), repeatRows=1)
    table.setStyle(TABLE_STYLE)
    _let_tall_rows_split(table, sum(widths))
    return table


# A row taller than this might not fit on any page (the landscape frame is the shortest).
TALLEST_WHOLE_ROW = 380


def _let_tall_rows_split(table: Table, width: float) -> None:
    """A row normally moves whole to the next page; one too tall for any page (a very long
    justification, a referral naming many members) is allowed to break across pages instead
    of stopping the PDF being made."""
    register_fonts()
    table.wrap(width, 1e9)
    if max(table._rowHeights, default=0) > TALLEST_WHOLE_ROW:
        table.splitInRow = 1
    else:
        # The columns have fixed widths, so the heights just measured are the heights on the
        # page: fixing them spares measuring every cell again when the table is laid out and
        # each time it is split across pages (as PagedTable does for the long tables).
        table._argH = list(table._rowHeights)


class PagedTable(Flowable):
    """A long table laid out a page at a time, each page its own Table starting with the header.

    ReportLab's Table measures every remaining row again at each page break, so a register of
    thousands of rows costs time in the square of its length. This measures each row once (the
    heights are shared by every part of the split and by every layout pass) so the cost grows in
    proportion to the rows.
    """

    def __init__(self, header: list[Any], rows: Sequence[Any], widths: Sequence[float],
                 *, make_row: Callable[[Any], list[Any]] | None = None, _start: int = 0,
                 _heights: dict[int, float] | None = None,
                 _made: dict[int, list[Any]] | None = None) -> None:
        super().__init__()
        self.header = header
        # With `make_row`, `rows` are the rows' data and each row's cells are made only when
        # layout reaches it, and let go once its page is made: a register of thousands of
        # decisions never holds every cell at once.
        self.rows = rows
        self.make_row = make_row
        self.widths = list(widths)
        self._start = _start
        self._heights = {} if _heights is None else _heights
        self._made = {} if _made is None else _made
        self._table: Table | None = None

    def _cells(self, index: int) -> list[Any]:
        """The cells of one row (index -1: the header), made once."""
        if index < 0:
            return self.header
        if self.make_row is None:
            return self.rows[index]
        if index not in self._made:
            self._made[index] = self.make_row(self.rows[index])
        return self._made[index]

    def _measure(self, index: int) -> float:
        """The height of one row (index -1: the header), measured once."""
        if index not in self._heights:
            register_fonts()
            probe = Table([self._cells(index)], colWidths=self.widths)
            probe.setStyle(TABLE_STYLE)
            self._heights[index] = probe.wrap(sum(self.widths), 1e9)[1]
        return self._heights[index]

    def _page(self, stop: int, *, split_in_row: int = 0) -> Table:
        # The heights already measured spare the table measuring every cell again.
        heights = None if split_in_row else [self._measure(i) for i in range(-1, 0)] + [
            self._measure(i) for i in range(self._start, stop)]
        body = [self._cells(i) for i in range(self._start, stop)]
        for index in range(self._start, stop):
            self._made.pop(index, None)  # the page's table holds them now
        table = Table([self.header, *body], colWidths=self.widths,
                      rowHeights=heights, repeatRows=1, splitInRow=split_in_row)
        table.setStyle(TABLE_STYLE)
        return table

    def _fitting(self, available: float) -> int:
        """How many rows from the start fit under the header in the height available."""
        used = self._measure(-1)
        count = 0
        for index in range(self._start, len(self.rows)):
            used += self._measure(index)
            if used > available:
                break
            count += 1
        return count

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        width = sum(self.widths)
        remaining = len(self.rows) - self._start
        if self._fitting(available_height) < remaining:
            self._table = None
            return width, available_height + 1  # too tall: the frame asks us to split
        self._table = self._page(len(self.rows))
        return self._table.wrap(available_width, available_height)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        count = self._fitting(available_height)
        if count == 0:
            if not self._frame_is_empty():
                return []  # start on the next page
            # One row taller than a whole page: let ReportLab break inside it (the parts it
            # returns, not the whole table, which would still not fit).
            tall = self._page(self._start + 1, split_in_row=1)
            parts = tall.split(available_width, available_height) or [tall]
            return [*parts, *self._rest(self._start + 1)]
        return [self._page(self._start + count), *self._rest(self._start + count)]

    def _rest(self, start: int) -> list[Flowable]:
        if start >= len(self.rows):
            return []
        return [PagedTable(self.header, self.rows, self.widths, make_row=self.make_row,
                           _start=start, _heights=self._heights, _made=self._made)]

    def _frame_is_empty(self) -> bool:
        doc = getattr(getattr(self, "canv", None), "_doctemplate", None)
        frame = getattr(doc, "frame", None)
        return bool(getattr(frame, "_atTop", True))

    def draw(self) -> None:
        if self._table is not None:
            self._table.drawOn(self.canv, 0, 0)


# ---- the parts of a document ----------------------------------------------------------------

def cover_sheet(pack: dict[str, Any]) -> list[Flowable]:
    """The pack's first page: title, committee, period, author, date, purpose, recommendation."""
    return [
        Spacer(1, 18 * mm),
        para(pack["title"], "Title"),
        para(pack["subtitle"], "Subtitle"),
        key_values([
            ("Committee", pack["committee"]["name"]),
            ("Period", pack["period_text"]),
            ("Prepared by", pack["prepared_by"]),
            ("Date", pack["prepared_on_text"]),
            ("Security marking", pack["marking"]),
            ("Purpose", pack["purpose"]),
            ("Recommendation", pack["recommendation"]),
        ], label_share=0.26),
        Spacer(1, 8 * mm),
        para(f"Printed {pack['printed_text']} from the {pack['organisation']} register. The last "
             f"page says how to check that the record has not been altered since.", "Note"),
        NextPageTemplate("body"),
        PageBreak(),
    ]


class DeferredContents(Flowable):
    """The contents list, laid out once: its lines (and so its height) are known before layout,
    each a link to its section, and each page number is a form the canvas fills in at save.

    A plain TableOfContents learns its lines and numbers from a first layout pass and needs the
    whole document laid out again (twice or more, with multiBuild); this needs one pass.
    """

    # (level, escaped text, bookmark key), set by the document template before layout.
    expected: list[tuple[int, str, str]] = []

    def __init__(self) -> None:
        super().__init__()
        self._table: Table | None = None

    def _build_table(self, available_width: float) -> Table:
        number_room = {level: stringWidth("9999", style.fontName, style.fontSize)
                       for level, style in enumerate(CONTENTS_STYLES)}

        def line_end(canvas: Any, kind: str, label: str) -> None:
            level_text, key = label.split(",", 1)
            style = CONTENTS_STYLES[int(level_text)]
            x, y = canvas._curr_tx_info["cur_x"], canvas._curr_tx_info["cur_y"]
            room = number_room[int(level_text)]
            dot = " . "
            dot_width = stringWidth(dot, style.fontName, style.fontSize)
            dots = max(0, int((available_width - room - x) / dot_width))
            right = available_width - room
            text = canvas.beginText(right - dots * dot_width, y)
            text.setFont(style.fontName, style.fontSize)
            text.setFillColor(style.textColor)
            text.textOut(dots * dot)
            canvas.drawText(text)
            canvas.saveState()
            canvas.translate(available_width, y)
            canvas.contents_number(key, style.fontName, style.fontSize, style.textColor)
            canvas.restoreState()
            canvas.linkRect("", key, (right, y, available_width, y + style.leading), relative=1)

        self.canv.setNamedCB("contentsLineEnd", line_end)
        data: list[list[Any]] = []
        for level, text, key in self.expected:
            style = CONTENTS_STYLES[level]
            if style.spaceBefore:
                data.append([Spacer(1, style.spaceBefore)])
            data.append([Para(f'<a href="#{key}">{text}</a>'
                                   f'<onDraw name="contentsLineEnd" label="{level},{key}"/>',
                                   style)])
        table = Table(data or [[""]], colWidths=[available_width])
        table.setStyle(CONTENTS_TABLE_STYLE)
        return table

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._table = self._build_table(available_width)
        return self._table.wrapOn(self.canv, available_width, available_height)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        if self._table is None:
            self._table = self._build_table(available_width)
        return self._table.splitOn(self.canv, available_width, available_height)

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        assert self._table is not None
        self._table.drawOn(canvas, x, y, _sW)


CONTENTS_STYLES = [STYLES["TOC0"], STYLES["TOC1"]]
CONTENTS_TABLE_STYLE = TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0)])


def contents() -> list[Flowable]:
    """The contents page: every section with its page number, each line a link to it."""
    toc = DeferredContents()
    return [heading("Contents", 0, contents=False), toc, PageBreak()]


def summary(figures: dict[str, Any]) -> list[Flowable]:
    """The pack's summary: decisions by status and by make or buy, flags, value and timeliness."""
    out: list[Flowable] = [heading("Summary", 0)]
    out.append(key_values([
        ("Decisions in the period", figures["count"]),
        ("Flagged for conflicts", f"{figures['flagged']} of {figures['count']} "
                                  f"({figures['flagged_share']})"),
        ("Total contract value", figures["total_value"]),
        ("Working days from submission to sign-off",
         figures["working_days_text"]),
        ("Reviews overdue", figures["overdue_text"]),
    ], label_share=0.38))
    half = (PORTRAIT_WIDTH - 6 * mm) / 2
    by_status = data_table(["Status", "Decisions"], figures["by_status"], [half * 0.72, half * 0.28])
    by_choice = data_table(["Make or buy", "Decisions"], figures["by_choice"],
                           [half * 0.72, half * 0.28])
    side = Table([[by_status, "", by_choice]], colWidths=[half, 6 * mm, half])
    side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    out += [heading("Decisions by status and by make or buy", 2), side]
    if figures["overdue"]:
        out.append(heading("Reviews overdue", 2))
        out.append(data_table(["Reference", "Title", "Submitted", "Working days waiting"],
                              figures["overdue"],
                              [28 * mm, PORTRAIT_WIDTH - 98 * mm, 35 * mm, 35 * mm]))
    out += [Spacer(1, 3 * mm), para(figures["method"], "Note")]
    return out


# The register's columns: the NHS England template's columns, paired to fit landscape A4.
REGISTER_COLUMNS: list[tuple[str, float]] = [
    ("Reference\nMeeting date", 0.08),
    ("Contract or service title\nDescription", 0.1),
    ("Existing or new\nProcurement type", 0.075),
    ("Clinical lead\nContract manager", 0.08),
    ("Decision-making process\nCommittee that decided", 0.09),
    ("Conflicts of interest noted", 0.125),
    ("Actions to mitigate conflicts", 0.1),
    ("Justification", 0.07),
    ("Contract awarded: supplier and registered address", 0.08),
    ("Contract term\nContract value: total and annual", 0.085),
    ("Comments", 0.06),
    ("Status", 0.055),
]


def _lines(*parts: Any) -> Paragraph:
    """Several user values in one small cell, one per line, each escaped once."""
    return plain_lines([line for p in parts if p not in (None, "")
                        for line in str(p).split("\n")], STYLES["Small"])


def register_row(row: dict[str, Any]) -> list[Any]:
    """One decision as the cells of the register table."""
    return [
        _lines(row["reference"], row["meeting_date_text"]),
        Para(f"<b>{esc(row['title'])}</b>"
                  + (f"<br/>{esc(row['description']).replace(chr(10), '<br/>')}"
                     if row["description"] else ""), STYLES["Small"]),
        _lines(row["contract_kind"], row["procurement_type"]),
        _lines(row["clinical_lead"], row["contract_manager"]),
        _lines(row["decision_process"], row["committee"]),
        # One person a line: a list of names run together is hard to read in a narrow column.
        # Who, and what interest conflicts them (the flag's sentence); then how each was
        # managed: the ruling and its reason.
        _lines(*(row.get("conflict_lines") or (row["conflicts"].split("; ")
                                               if row["conflicts"] else ["None noted"]))),
        _lines(*(row.get("mitigation_lines") or (row["mitigation"].split("; ")
                                                 if row["mitigation"] else
                                                 ["None needed" if not row["conflicts"]
                                                  else "Not yet ruled"]))),
        _lines(row["justification"]),
        _lines(row["supplier"], row["supplier_address"]),
        # Each amount on a line of its own, so a narrow column never breaks it inside.
        _lines(row.get("contract_term") and "Term", row.get("contract_term"),
               row["total_value"] and "Total", row["total_value"],
               row["annual_value"] and "Annual", row["annual_value"]),
        _lines(row["comments"]),
        _lines(row["status_label"], "Flagged" if row["flagged"] else "",
               row.get("standstill_line") or ""),
    ]


LEFT_OUT_WORDS = ("Left out of this pack: the person who printed it is excluded from this "
                  "decision's papers and discussion.")


def excluded_row(reference: str) -> list[Any]:
    """A decision left out of a pack, as the cells of the register table: its reference only."""
    return [_lines(reference), Para(esc(LEFT_OUT_WORDS), STYLES["Small"]),
            *("" for _ in REGISTER_COLUMNS[2:])]


def decisions_table(rows: Sequence[dict[str, Any]], width: float = LANDSCAPE_WIDTH,
                    excluded: Sequence[str] = ()) -> list[Flowable]:
    """The register of procurement decisions (landscape), its header row on every page; the
    decisions left out of the pack (`excluded` references) follow, by reference only."""
    widths = [share * width for _, share in REGISTER_COLUMNS]
    header = [Para(esc(label).replace("\n", "<br/>"), STYLES["SmallHead"])
              for label, _ in REGISTER_COLUMNS]
    if not rows and not excluded:
        return [para("No decisions were recorded for this committee in the period.")]
    return [PagedTable(header, [*rows, *excluded], widths, make_row=_register_cells)]


def _register_cells(row: dict[str, Any] | str) -> list[Any]:
    """A decision (its row) or a decision left out of the pack (its reference) as cells."""
    return register_row(row) if isinstance(row, dict) else excluded_row(row)


def register_section(rows: Sequence[dict[str, Any]], period_text: str,
                     excluded: Sequence[str] = ()) -> list[Flowable]:
    """The register of procurement decisions on landscape pages, then back to portrait."""
    return [
        NextPageTemplate("landscape"), PageBreak(),
        heading("Register of procurement decisions", 0),
        para(f"Every decision with a meeting date in {period_text}, in the columns of NHS "
             f"England's register of procurement decisions, earliest meeting first.", "Note"),
        *decisions_table(rows, excluded=excluded),
        NextPageTemplate("body"), PageBreak(),
    ]


def _people_cells(flag: dict[str, Any]) -> str:
    return " / ".join(p for p in (flag.get("person_name"), flag.get("organisation_name")) if p)


def decision_section(record: dict[str, Any], level: int = 0) -> list[Flowable]:
    """Everything about one decision: fields, options, people, flags, rulings, quorum, sign-off,
    outcome, breaches and its audit events."""
    d = record["decision"]
    sub = min(level + 1, 2)
    w = PORTRAIT_WIDTH
    out: list[Flowable] = [heading(f"{d['reference']}: {d['title']}", level)]
    out.append(key_values([
        ("Reference", d["reference"]),
        ("Contract or service title", d["title"]),
        ("Description", d["description"]),
        ("Status", d["status_label"]),
        ("Committee", d["committee_name"]),
        ("Meeting date", d["meeting_date_text"]),
        ("Make or buy", d["choice_label"]),
        ("Existing contract or new", d["contract_kind_label"]),
        ("Procurement regime", d["regime_label"]),
        ("Process", d["process_label"]),
        ("Contract value (total)", d["total_value"]),
        ("Contract value (annual)", d["annual_value"]),
        ("Contract dates", d["contract_dates"]),
        ("Clinical lead", d["clinical_lead"]),
        ("Contract manager", d["contract_manager"]),
        ("Decision-making process", d["decision_process"]),
        ("Offered to every member practice", "Yes" if d["offered_to_all_member_practices"]
         else "No"),
        ("Contract awarded to", d["awarded_text"]),
        ("Justification", d["justification"]),
        ("Comments", d["comments"]),
        ("Recorded by", d["author"]),
        ("Submitted", d["submitted_text"]),
    ]))

    out.append(heading("Options considered", sub, contents=False, bookmark=False))
    if record["options"]:
        out.append(data_table(["#", "Option", "Outcome", "Reason"],
                              [[o["position"], o["description"], o["outcome_label"], o["reason"]]
                               for o in record["options"]],
                              [8 * mm, w * 0.42, 20 * mm, w * 0.58 - 28 * mm]))
    else:
        out.append(para("No options recorded."))
    if record["criteria"]:
        out.append(heading("Key criteria (Provider Selection Regime)", sub, bookmark=False))
        out.append(data_table(["Criterion", "Weight", "How it was applied"],
                              [[c["label"], f"{c['weight']}%", c["how_applied"]]
                               for c in record["criteria"]],
                              [w * 0.35, 16 * mm, w * 0.65 - 16 * mm]))

    route = record.get("route") or {}
    if route.get("reasons") or route.get("selection_criteria") or route.get("exclusions") \
            or route.get("scores"):
        out.append(heading("The procurement route", sub, contents=False, bookmark=False))
        out.append(key_values([
            (label, value) for label, value in (
                ("Why this route", route.get("reasons")),
                ("Basic selection criteria", route.get("selection_criteria")),
                ("Exclusions", route.get("exclusions"))) if value]))
        if route.get("scores"):
            out.append(Spacer(1, 3 * mm))
            out.append(data_table(
                ["Provider", f"Score of {route.get('score_out_of')}", "Assessment"],
                [[s["name"], s["score"], s["assessment"]] for s in route["scores"]],
                [w * 0.35, 28 * mm, w * 0.65 - 28 * mm]))

    out.append(heading("Providers who may benefit", sub, bookmark=False))
    if record["providers"]:
        out.append(data_table(["Organisation", "ODS code", "Kind", "Member practice"],
                              [[p["name"], p["ods_code"], p["kind_label"],
                                "Yes" if p["is_member_practice"] else "No"]
                               for p in record["providers"]],
                              [w * 0.5, w * 0.15, w * 0.2, w * 0.15]))
    else:
        out.append(para("No providers recorded."))

    out.append(heading("People taking part", sub, bookmark=False))
    if record["participants"]:
        out.append(data_table(["Name", "Taking part as", "Committee membership"],
                              [[p["name"], p["role_label"], p["membership"]]
                               for p in record["participants"]],
                              [w * 0.4, w * 0.3, w * 0.3]))
    else:
        out.append(para("No participants recorded."))

    out.append(heading("Conflicts flagged", sub, bookmark=False))
    if record["flags"]:
        out.append(data_table(["Flag", "Who or what", "Why"],
                              [[f"{f['rule_label']} ({_flag_state(f)})", _people_cells(f),
                                f["sentence"] + _match_answer(f)] for f in record["flags"]],
                              [w * 0.2, w * 0.22, w * 0.58]))
    else:
        out.append(para("No conflicts were flagged."))
    diagram = chain_drawing(record.get("chain_svg"), w)
    if diagram is not None:
        out.append(KeepTogether([
            para("How each conflict arises: people and member practices on the left, each "
                 "proposed provider on the right (the table above says the same).", "Note"),
            diagram]))

    out.append(heading("Rulings", sub, bookmark=False))
    if record["rulings"]:
        out.append(data_table(
            ["Person", "Ruling", "Reason", "Ruled by"],
            [[r["name"], r["ruling_label"], _ruling_reason(r), r["ruled_text"]]
             for r in record["rulings"]],
            [w * 0.2, w * 0.22, w * 0.38, w * 0.2]))
    else:
        out.append(para("No rulings recorded."))

    out.append(heading("Quorum", sub, bookmark=False))
    quorum = record["quorum"]
    if quorum.get("rule"):
        out.append(para(f"The committee's rule: {quorum['rule']}."))
    for count in quorum["counts"]:
        out.append(KeepTogether([para(count["title"], "Label"), *bullets(count["arithmetic"]),
                                 para(count["summary"], "Label"), Spacer(1, 1.5 * mm)]))
    if quorum.get("verdict"):
        out.append(para(quorum["verdict"], "Label"))
    if quorum.get("presiding"):
        out.append(para(quorum["presiding"]))
    if record["escalations"]:
        out.append(heading("Escalation", sub, bookmark=False))
        out.append(data_table(["What was done", "Details", "Recorded", "Ratified"],
                              [[e["kind_label"], e["details"], e["recorded_text"],
                                e["ratified_text"]] for e in record["escalations"]],
                              [w * 0.25, w * 0.35, w * 0.2, w * 0.2]))

    out.append(heading("Sign-off", sub, bookmark=False))
    if record["sign_offs"]:
        for s in record["sign_offs"]:
            pairs = [("Signed by", f"{s['signer_name']}, {s['signer_role']}"),
                     ("Signed at", s["signed_text"]),
                     ("Statement", s["statement"])]
            if s["voided_text"]:
                pairs.append(("Voided", f"{s['voided_text']}: {s['void_reason']}"))
            table = key_values(pairs, label_share=0.22)
            hash_row = Table([[para("Content hash", "Label"), para(s["content_hash"], "Hash")]],
                             colWidths=[w * 0.22, w * 0.78])
            hash_row.setStyle(SUMMARY_LIST_STYLE)
            out.append(KeepTogether([table, hash_row, Spacer(1, 2 * mm)]))
    else:
        out.append(para("Not signed off."))

    out.append(heading("Outcome and attendance", sub, bookmark=False))
    outcome = record["outcome"]
    if outcome:
        out.append(key_values([
            ("Outcome", outcome["outcome_label"]),
            ("Contract awarded to", outcome["awarded"]),
            ("Votes", outcome["votes_text"]),
            ("Notes", outcome["notes"]),
            ("Recorded", outcome["recorded_text"]),
        ]))
    else:
        out.append(para("No outcome recorded yet."))
    if record["attendance"]:
        out.append(Spacer(1, 2 * mm))
        out.append(data_table(["Name", "Present for the vote", "Vote", "On behalf of",
                               "Left the room"],
                              [[a["name"], "Yes" if a["present"] else "No", a["vote_label"],
                                a["proxy_for"], a.get("left", "")]
                               for a in record["attendance"]],
                              [w * 0.22, w * 0.12, w * 0.12, w * 0.16, w * 0.38]))
    if record.get("proxies_refused"):
        out.append(Spacer(1, 2 * mm))
        out.append(para("Proxy votes the chair refused", "Label"))
        out.append(data_table(["Whose vote", "Offered to", "Why the chair refused it"],
                              [[r["for_person"], r["offered_to"], r["reason"]]
                               for r in record["proxies_refused"]],
                              [w * 0.25, w * 0.25, w * 0.5]))

    out.extend(modifications_section(record.get("modifications"), sub, w))
    out.extend(notices_part(record.get("psr_notices"), sub))

    out.append(heading("Breaches", sub, bookmark=False))
    if record["breaches"]:
        out.append(data_table(["Breach", "Person", "Detail", "Recorded"],
                              [[b["kind_label"], b["person"], b["detail"], b["recorded_text"]]
                               for b in record["breaches"]],
                              [w * 0.2, w * 0.2, w * 0.4, w * 0.2]))
    else:
        out.append(para("No breaches recorded."))

    out.append(heading("Audit events for this decision", sub, bookmark=False))
    if record["events"]:
        out.append(data_table(["#", "When (UK time)", "Who", "What", "Fields changed"],
                              [[e["seq"], e["at_text"], e["actor"], e["action"], e["fields"]]
                               for e in record["events"]],
                              [12 * mm, w * 0.22, w * 0.2, w * 0.16, w * 0.42 - 12 * mm]))
    else:
        out.append(para("No audit events recorded for this decision."))
    return out


def modifications_section(printed: dict[str, Any] | None, level: int,
                          w: float = PORTRAIT_WIDTH) -> list[Flowable]:
    """A decision's contract modifications (regulation 13), when it has any."""
    if not printed or not printed["rows"]:
        return []
    return [
        heading("Contract modifications", level, bookmark=False),
        para(f"At award: {printed['original_text']}. Now: {printed['current_text']}."),
        data_table(["Date", "What changed", "Value before and after", "Permitted ground",
                    "Notice"],
                   [[r["date_text"], r["what_changed"], r["values_text"], r["ground"],
                     r["notice_text"]] for r in printed["rows"]],
                   [w * 0.14, w * 0.3, w * 0.18, w * 0.22, w * 0.16]),
    ]
def notices_part(notices: dict[str, Any] | None, level: int) -> list[Flowable]:
    """The PSR notices, the standstill and the representations made during it."""
    if not notices:
        return []
    w = PORTRAIT_WIDTH
    out: list[Flowable] = [heading("Notices and standstill", level, bookmark=False)]
    if notices["notices"]:
        out.append(data_table(["Notice", "Published", "Where", "Reference"],
                              [[n["label"], n["date_text"], n["where"], n["reference"]]
                               for n in notices["notices"]],
                              [w * 0.25, w * 0.18, w * 0.37, w * 0.2]))
    else:
        out.append(para("No notices recorded."))
    out.append(para(notices["standstill_text"]))
    if notices["has_standstill"]:
        if notices["representations"]:
            out.append(data_table(["Received", "From", "What they said", "Response"],
                                  [[r["received_text"], r["provider"], r["summary"],
                                    r["response"]] for r in notices["representations"]],
                                  [w * 0.16, w * 0.2, w * 0.32, w * 0.32]))
        else:
            out.append(para("No representations received during the standstill."))
    return out


def _ruling_reason(ruling: dict[str, Any]) -> str:
    text = ruling["reason"] or ""
    if ruling["is_exception"]:
        text += (f"\nSole-expertise exception: {ruling['exception_reason']}\nSteps taken: "
                 f"{ruling['exception_mitigation']}")
    return text.strip()


def excluded_note(excluded: Sequence[str]) -> list[Flowable]:
    """Where the papers of decisions left out of a pack would be: their references, and why."""
    if not excluded:
        return []
    return [para(f"Left out of this pack: {', '.join(excluded)}. The person who printed it is "
                 f"excluded from the papers and discussion of "
                 f"{'this decision' if len(excluded) == 1 else 'these decisions'}, so "
                 f"{'its' if len(excluded) == 1 else 'their'} papers are not included.", "Note")]


class LazySection(Flowable):
    """Flowables made only when layout reaches them (the document template expands it), so the
    pages of a long pack are laid out without every section's flowables in memory at once.

    `headings` are the (level, contents text, in the contents) of the bookmarked headings the
    section will have, for the contents page, which is laid out before the section is made.
    """

    def __init__(self, make: Callable[[], list[Flowable]],
                 headings: Sequence[tuple[int, str, bool]]) -> None:
        super().__init__()
        self._make = make
        self.headings = list(headings)

    def expand(self) -> list[Flowable]:
        """The section's flowables, made now."""
        return self._make()

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0  # never laid out itself: the template expands it first


def flagged_sections(records: Sequence[dict[str, Any]],
                     excluded: Sequence[str] = ()) -> list[Flowable]:
    """One section per flagged decision, each starting on a new page; decisions left out of the
    pack are named by reference only."""
    out: list[Flowable] = [heading("Flagged decisions", 0), *excluded_note(excluded)]
    if not records:
        out.append(para("No decision in the period was flagged for conflicts of interest."
                        if not excluded else "No decision whose papers are in this pack was "
                        "flagged for conflicts of interest."))
        return [*out, PageBreak()]
    out.append(para(f"{len(records)} decision{'s' if len(records) != 1 else ''} in the period "
                    f"{'were' if len(records) != 1 else 'was'} flagged. Each follows in full: "
                    f"its conflicts, the rulings, the quorum and the sign-off.", "Note"))
    for index, record in enumerate(records):
        if index:
            out.append(PageBreak())
        d = record["decision"]
        out.append(LazySection(functools.partial(decision_section, record, level=1),
                               [(1, esc(f"{d['reference']}: {d['title']}"), True)]))
    return [*out, PageBreak()]


def interests_table(rows: Sequence[dict[str, Any]], *, width: float = LANDSCAPE_WIDTH
                    ) -> list[Flowable]:
    """The register of interests: one row per interest (or per person with none)."""
    if not rows:
        return [para("Nobody is listed.")]
    share = [0.12, 0.1, 0.15, 0.11, 0.14, 0.14, 0.08, 0.08, 0.08]
    header = [Para(esc(h), STYLES["SmallHead"]) for h in (
        "Name", "Position", "Organisation and its business", "Type", "Nature of the interest",
        "Action taken to mitigate", "From", "To", "Declared")]
    body = []
    for row in rows:
        if row["withheld"]:
            detail: list[Any] = [_lines("Withheld"), _lines(""), _lines(""), _lines(""),
                                 _lines(""), _lines(""), _lines("")]
        elif row["no_interests"]:
            detail = [_lines(row["no_interests"]), _lines(""), _lines(""), _lines(""),
                      _lines(""), _lines(""), _lines("")]
        else:
            detail = [
                _lines(row["organisation"], row["business"]),
                _lines(row["type_label"], row["direct_text"]),
                _lines(row["nature"]),
                _lines(row["mitigation"]),
                _lines(row["date_from_text"]),
                _lines(row["date_to_text"] or "Continuing"),
                _lines(row["declared_text"], row.get("late_text")),
            ]
        body.append([_lines(row["name"]), _lines(row["positions"]), *detail])
    return [PagedTable(header, body, [s * width for s in share])]


def interests_section(register: dict[str, Any], level: int = 0) -> list[Flowable]:
    """The register of interests as it stood on a date, on landscape pages."""
    return [
        NextPageTemplate("landscape"), PageBreak(),
        heading(register["title"], level),
        para(register["explanation"], "Note"),
        *interests_table(register["rows"]),
        NextPageTemplate("body"), PageBreak(),
    ]


GIFT_HEADERS = ["Name", "What was offered", "Offered by", "Value", "Offered", "Outcome",
                "Declared"]
GIFT_SHARES = [0.13, 0.25, 0.16, 0.08, 0.1, 0.16, 0.12]


def gifts_table(rows: Sequence[dict[str, Any]], width: float) -> list[Flowable]:
    """Gifts, hospitality and sponsorship as one table (gift_rows in loaders.py)."""
    return [data_table(GIFT_HEADERS, [[r["name"], r["what"], r["from"], r["value"], r["offered"],
                                       r["outcome"], r["declared"]] for r in rows],
                       [share * width for share in GIFT_SHARES], small=True)]


def gifts_section(rows: Sequence[dict[str, Any]], period_text: str) -> list[Flowable]:
    """The pack's section on the gifts, hospitality and sponsorship offered to the committee's
    members in the period (on landscape pages)."""
    out: list[Flowable] = [NextPageTemplate("landscape"), PageBreak(),
                           heading("Gifts, hospitality and sponsorship", 0),
                           para(f"Offered to the committee's members from {period_text}, and "
                                f"declared as NHS England's guidance asks, accepted or declined.",
                                "Note")]
    if rows:
        out += gifts_table(rows, LANDSCAPE_WIDTH)
    else:
        out.append(para("None declared in the period."))
    return [*out, NextPageTemplate("body"), PageBreak()]


def breaches(found: dict[str, Any]) -> list[Flowable]:
    """The breaches found in the period: late declarations, ruled-out people present, others."""
    w = PORTRAIT_WIDTH
    out: list[Flowable] = [heading("Breaches found", 0)]
    out.append(para(found["explanation"], "Note"))
    sections = [
        ("Late declarations by the committee's members", ["Person", "Interest", "Arose",
                                                          "Declared", "Days late"],
         found["late_declarations"], [w * 0.2, w * 0.38, w * 0.14, w * 0.14, w * 0.14]),
        ("Ruled out of the room but recorded as present", ["Decision", "Person", "Ruling",
                                                           "Vote recorded"],
         found["present_when_ruled_out"], [w * 0.2, w * 0.25, w * 0.35, w * 0.2]),
        ("Breaches flagged on the period's decisions", ["Decision", "Flag", "Why"],
         found["flagged"], [w * 0.18, w * 0.2, w * 0.62]),
        ("Breaches recorded", ["Decision", "Person", "Breach", "Detail", "Recorded"],
         found["recorded"], [w * 0.17, w * 0.17, w * 0.14, w * 0.34, w * 0.18]),
    ]
    for title, headers, rows, widths in sections:
        out.append(heading(title, 2))
        if rows:
            out.append(data_table(headers, rows, widths))
        else:
            out.append(para("None found."))
    return [*out, PageBreak()]


class _QrCode(Flowable):
    """A QR code of a short text, drawn by ReportLab itself."""

    def __init__(self, text: str, size: float) -> None:
        super().__init__()
        self.text = text
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        widget = QrCodeWidget(self.text, barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(self.size, self.size, transform=[
            self.size / (x1 - x0), 0, 0, self.size / (y1 - y0), 0, 0])
        drawing.add(widget)
        drawing.drawOn(self.canv, 0, 0)


def verification_page(head_hash: str, count: int, printed_text: str, *,
                      ok: bool = True, problem: str = "") -> list[Flowable]:
    """How to check the record: the audit trail's head hash as text and QR code, the command,
    and what the check proves and what it does not."""
    qr = _QrCode(head_hash, 38 * mm)
    qr.hAlign = "CENTER"
    events = f"{count} event{'s' if count != 1 else ''}"
    out: list[Flowable] = [
        CondPageBreak(170 * mm),
        heading("Checking this record", 0),
        para(f"When this was printed ({printed_text}) the audit trail held {events}. Each event "
             f"carries a keyed hash (HMAC-SHA256) of what it records, of the content of the "
             f"record it is about, and of the event before it, so the hash of the last event (the "
             f"head hash) stands for the whole trail up to that moment:"),
        Spacer(1, 2 * mm),
        para(head_hash, "BigHash"),
        qr,
        Spacer(1, 2 * mm),
    ]
    if not ok:
        out.append(para(f"Warning: the audit trail did not verify when this was printed: "
                        f"{problem}", "Label"))
    out += [
        para("To check the record against this page, run this on the register's server:",
             "Body"),
        para("flask --app register verify-audit", "BigHash"),
        para(f"--expect {count}:{head_hash}", "BigHash"),
        para(f"What it proves. It recomputes every event's keyed hash and its link to the event "
             f"before; it compares every decision, interest, ruling and sign-off with the content "
             f"hash of its latest event, naming by reference any record changed, added or "
             f"deleted outside the register; it compares the trail with the anchor log, naming a "
             f"trail that was shortened or rewritten; and it confirms that event {count} still "
             f"carries the hash above. It exits with an error and the reason in words if any of "
             f"these fails: tell the audit chair.", "Body"),
        para("What it does not prove. It cannot show that what people typed was true or "
             "complete, nor that everyone declared what they should have. The key is kept "
             "outside the database, on the server: someone holding both the database and the key "
             "could rewrite records and trail together so that they agree. The copies of the "
             "anchor log kept away from the server, and the hash printed here, are what would "
             "then show the change.", "Body"),
        para("The QR code holds the same head hash, for scanning instead of typing.", "Note"),
    ]
    return out
