"""The document template every printed record shares: named page templates (cover, body, landscape),
the header and footer with the security marking, "Page N of M", bookmarks and metadata.

"Page N of M" is drawn as "Page N of " followed by a form XObject that the canvas defines in
`save()`, once the last page is known. (The popular recipe that re-draws every page at the end
breaks every bookmark and contents link: they all end up pointing at page 1.) The contents page
prints its page numbers the same way, so the document is laid out once: the contents knows its
lines before layout (and so its height), and each line's number is a form XObject that `save()`
fills in with the page its heading landed on.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFBase85Encode,
    PDFName,
    PDFStream,
    PDFZCompress,
)
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from .fonts import BOLD, FAMILY, register_fonts
from .markings import MARKINGS

PAGE_COUNT_FORM = "pageCount"
NHS_BLUE = colors.HexColor("#005EB8")
GREY = colors.HexColor("#4C6272")

MARGIN = 18 * mm
TOP = 24 * mm  # room for the marking, the organisation and a rule above the frame
BOTTOM = 22 * mm


CONTENTS_FORM = "contentsPage-{key}"


class PageCountCanvas(Canvas):
    """A canvas that defines the page-count form XObject, and the page number of every contents
    line, when the document is saved (so one layout pass is enough)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section_pages: dict[str, int] = {}
        self.contents_forms: dict[str, tuple[str, float, Any]] = {}

    def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
        """Finish the page, and compress its content now rather than when the file is saved, so a
        long document does not hold every page's drawing commands uncompressed until the end."""
        super().showPage()
        page = self._doc.Pages.pages[-1]
        if page.compression and page.stream and not page.Contents:
            filters = [PDFBase85Encode, PDFZCompress] if rl_config.useA85 else [PDFZCompress]
            content = page.stream
            for stream_filter in reversed(filters):
                content = stream_filter.encode(content)
            stream = PDFStream(content=content)
            # As PDFStream.format would have written it, filters first, applied already.
            stream.dictionary["Filter"] = PDFArray([PDFName(f.pdfname) for f in filters])
            stream.__Comment__ = "page stream"
            page.Contents, page.stream = stream, ""

    def contents_number(self, key: str, font: str, size: float, color: Any) -> None:
        """Draw, right-aligned at the origin, the page number of the section `key` (known only
        when the document is saved)."""
        name = CONTENTS_FORM.format(key=key)
        self.contents_forms[name] = (key, font, size, color)
        self.doForm(name)

    def save(self) -> None:
        """Define the total page count for every "Page N of" footer and each contents line's page
        number, then write the file."""
        pages = self.getPageNumber() - (0 if self._code else 1)
        self.beginForm(PAGE_COUNT_FORM, lowerx=0, lowery=-2, upperx=60, uppery=10)
        self.setFont(FAMILY, 8)
        self.setFillColor(GREY)
        self.drawString(0, 0, str(pages))
        self.endForm()
        for name, (key, font, size, color) in self.contents_forms.items():
            self.beginForm(name, lowerx=-60, lowery=-3, upperx=0, uppery=size + 2)
            self.setFont(font, size)
            self.setFillColor(color)
            self.drawRightString(0, 0, str(self.section_pages.get(key, "")))
            self.endForm()
        super().save()


class RegisterDocTemplate(BaseDocTemplate):
    """A4 pages with the marking at top and bottom, the organisation, and "Page N of M"."""

    def __init__(self, buffer: Any, *, title: str, author: str, subject: str, organisation: str,
                 marking: str = "OFFICIAL", invariant: bool = False,
                 running_title: str | tuple[str, ...] = "",
                 printed: str = "", first_template: str = "cover",
                 progress: Callable[[int], None] | None = None) -> None:
        if marking not in MARKINGS:
            raise ValueError(f"The security marking must be one of {', '.join(MARKINGS)}")
        register_fonts()
        self.marking = marking
        self.organisation = organisation
        self.running_title = running_title or title
        self.printed = printed
        self._heading_seq = 0
        self.progress = progress
        super().__init__(
            buffer, pagesize=A4, title=title, author=author, subject=subject,
            creator=organisation, producer="Conflicts and decisions register",
            lang="en-GB", invariant=int(bool(invariant)), leftMargin=MARGIN, rightMargin=MARGIN,
            topMargin=TOP, bottomMargin=BOTTOM, initialFontName=FAMILY,
            displayDocTitle=1, pageCompression=1,
        )
        portrait_frame = Frame(MARGIN, BOTTOM, A4[0] - 2 * MARGIN, A4[1] - TOP - BOTTOM,
                               id="portrait", leftPadding=0, rightPadding=0, topPadding=0,
                               bottomPadding=0)
        wide = landscape(A4)
        landscape_frame = Frame(MARGIN * 0.7, BOTTOM, wide[0] - 1.4 * MARGIN,
                                wide[1] - TOP - BOTTOM, id="landscape", leftPadding=0,
                                rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([
            PageTemplate(id="cover", frames=[portrait_frame], onPage=self._decorate, pagesize=A4,
                         autoNextPageTemplate="body"),
            PageTemplate(id="body", frames=[portrait_frame], onPage=self._decorate, pagesize=A4),
            PageTemplate(id="landscape", frames=[landscape_frame], onPage=self._decorate,
                         pagesize=wide),
        ])
        self._firstPageTemplateIndex = [t.id for t in self.pageTemplates].index(first_template)

    @property
    def portrait_width(self) -> float:
        """The width of the text on a portrait page."""
        return A4[0] - 2 * MARGIN

    @property
    def landscape_width(self) -> float:
        """The width of the text on a landscape page."""
        return landscape(A4)[0] - 1.4 * MARGIN

    def build_document(self, story: list[Any]) -> int:
        """Lay out the story once (the contents knows its lines beforehand, and its page numbers
        are filled in when the file is saved); returns the passes, 1."""
        expected: list[tuple[int, str, str]] = []
        seq = 0
        for flowable in story:
            # A section made only when layout reaches it says beforehand what headings it has.
            for level, text, in_contents in getattr(flowable, "headings", None) or [
                    (getattr(flowable, "bookmark_level", None),
                     getattr(flowable, "contents_text", ""),
                     getattr(flowable, "in_contents", True))]:
                if level is None:
                    continue
                seq += 1  # the same numbering afterFlowable gives the bookmarks
                if in_contents:
                    expected.append((level, text, f"section-{seq}"))
        for flowable in story:
            if hasattr(flowable, "expected"):
                flowable.expected = expected
        self.build(story, canvasmaker=PageCountCanvas)
        return 1

    # ---- hooks ------------------------------------------------------------------------------

    def beforeDocument(self) -> None:
        """Each layout pass starts numbering bookmarks afresh, or multiBuild never settles."""
        self._heading_seq = 0

    def handle_flowable(self, flowables: list[Any]) -> None:
        """A section made on demand (see flowables.LazySection) is made when layout reaches it,
        so a long pack never holds every section's flowables at once."""
        if hasattr(flowables[0], "expand"):
            flowables[0:1] = flowables[0].expand()
            return
        super().handle_flowable(flowables)

    def afterPage(self) -> None:
        """Tell whoever is waiting how many pages are done."""
        if self.progress is not None:
            self.progress(self.page)

    def afterFlowable(self, flowable: Any) -> None:
        """Headings become bookmarks, outline entries and contents entries on their page."""
        level = getattr(flowable, "bookmark_level", None)
        if level is None:
            return
        self._heading_seq += 1
        key = f"section-{self._heading_seq}"
        plain = flowable.getPlainText()
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(plain, key, level=level, closed=level > 0)
        if getattr(flowable, "in_contents", True):
            self.canv.section_pages[key] = self.page

    # ---- every page -------------------------------------------------------------------------

    def _decorate(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, height = canvas._pagesize
        left, right = MARGIN * (0.7 if width > height else 1), width - MARGIN * (
            0.7 if width > height else 1)
        canvas.saveState()
        # The security marking, top and bottom centre.
        canvas.setFillColor(colors.black)
        canvas.setFont(BOLD, 10)
        canvas.drawCentredString(width / 2, height - 9 * mm, self.marking)
        canvas.drawCentredString(width / 2, 7 * mm, self.marking)
        # The organisation and the document, above a rule.
        canvas.setFont(FAMILY, 8)
        canvas.setFillColor(GREY)
        canvas.drawString(left, height - 16 * mm, self.organisation)
        room = right - left - canvas.stringWidth(self.organisation, FAMILY, 8) - 8 * mm
        canvas.drawRightString(right, height - 16 * mm,
                               _first_fitting(canvas, self.running_title, FAMILY, 8, room))
        canvas.setStrokeColor(NHS_BLUE)
        canvas.setLineWidth(0.8)
        canvas.line(left, height - 18 * mm, right, height - 18 * mm)
        # Below a rule: when it was printed, and "Page N of M".
        canvas.line(left, BOTTOM - 5 * mm, right, BOTTOM - 5 * mm)
        if self.printed:
            canvas.drawString(left, BOTTOM - 10 * mm, self.printed)
        label = f"Page {canvas.getPageNumber()} of "
        number_width = canvas.stringWidth("9999", FAMILY, 8)
        x = right - number_width
        canvas.drawRightString(x, BOTTOM - 10 * mm, label)
        canvas.translate(x, BOTTOM - 10 * mm)
        canvas.doForm(PAGE_COUNT_FORM)
        canvas.restoreState()


def _first_fitting(canvas: Canvas, titles: str | tuple[str, ...], font: str, size: float,
                   room: float) -> str:
    """The first of the titles (longest first) that fits the room; else the last, shortened."""
    choices = (titles,) if isinstance(titles, str) else titles
    for text in choices:
        if canvas.stringWidth(text, font, size) <= room:
            return text
    return _fit(canvas, choices[-1], font, size, room)


def _fit(canvas: Canvas, text: str, font: str, size: float, room: float) -> str:
    """The text, shortened with an ellipsis at a word boundary if it is wider than the room."""
    if canvas.stringWidth(text, font, size) <= room:
        return text
    words = text.split(" ")
    while len(words) > 1 and canvas.stringWidth(" ".join(words) + " …", font, size) > room:
        words.pop()
    return " ".join(words) + " …"
