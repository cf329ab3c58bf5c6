"""The typeface every PDF uses: DejaVu Sans, which prints the names people really have.

Shipped with the app (see fonts/LICENSE.txt) rather than looked up on the machine, so a fresh
server prints the same glyphs as a developer's laptop: accented letters (Siân, José), Welsh (ŵ, ŷ),
Polish (Łukasz, Wójcik, ż, ą), typographic apostrophes and the pound sign. ReportLab's built-in
Helvetica and its bundled Vera font lack several of these.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).parent / "fonts"
FAMILY = "RegisterSans"
BOLD = f"{FAMILY}-Bold"
ITALIC = f"{FAMILY}-Oblique"
BOLD_ITALIC = f"{FAMILY}-BoldOblique"
# For hashes: a fixed-width standard font (hex digits need no TTF).
MONO = "Courier"

_FILES = {
    FAMILY: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
    BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}


class RegisterFont(TTFont):
    """A TrueType font whose plain ASCII text is encoded without a loop in Python.

    ReportLab encodes every string it draws in a TrueType font character by character, in
    Python, to give each character its code in the font's subsets. Printable ASCII always has
    its own code in the first subset (ReportLab keeps it readable), so such a string is its
    own encoding: the same bytes, found at C speed.
    """

    def splitString(self, text: str | bytes, doc: Any, encoding: str = "utf-8"  # noqa: N802
                    ) -> list[tuple[int, bytes]]:
        """The text as (subset, bytes) chunks, as TTFont.splitString gives them."""
        if isinstance(text, str) and text.isascii() and text.isprintable() and text \
                and self._ascii_is_its_own_code(doc):
            return [(0, text.encode("ascii"))]
        return super().splitString(text, doc, encoding)

    def _ascii_is_its_own_code(self, doc: Any) -> bool:
        state = self.state.get(doc)
        if state is None:
            return False  # the first string of a document sets the state up the usual way
        known = getattr(state, "ascii_own_code", None)
        if known is None:
            known = state.ascii_own_code = all(
                state.assignments.get(code) == code for code in range(32, 127))
        return known


def map_family() -> None:
    """Tell ReportLab which face is bold and which italic, so paragraphs can be made (cheap: the
    font files are read only when text is first measured or drawn, by register_fonts)."""
    addMapping(FAMILY, 0, 0, FAMILY)
    addMapping(FAMILY, 1, 0, BOLD)
    addMapping(FAMILY, 0, 1, ITALIC)
    addMapping(FAMILY, 1, 1, BOLD_ITALIC)


def register_fonts() -> str:
    """Register the family with ReportLab once (bold and italic mapped for <b> and <i>)."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, filename in _FILES.items():
        if name not in registered:
            pdfmetrics.registerFont(RegisterFont(name, str(FONT_DIR / filename)))
    map_family()
    return FAMILY


def missing_glyphs(text: str, font_name: str = FAMILY) -> list[str]:
    """The characters of `text` the font cannot draw (for tests and diagnostics)."""
    register_fonts()
    face = pdfmetrics.getFont(font_name).face
    return [c for c in dict.fromkeys(text) if not c.isspace() and ord(c) not in face.charToGlyph]
