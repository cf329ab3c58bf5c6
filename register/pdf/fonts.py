"""The typeface every PDF uses: DejaVu Sans, which prints the names people really have.

Shipped with the app (see fonts/LICENSE.txt) rather than looked up on the machine, so a fresh
server prints the same glyphs as a developer's laptop: accented letters (Siân, José), Welsh (ŵ, ŷ),
Polish (Łukasz, Wójcik, ż, ą), typographic apostrophes and the pound sign. ReportLab's built-in
Helvetica and its bundled Vera font lack several of these.
"""
from __future__ import annotations

from pathlib import Path

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
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    map_family()
    return FAMILY


def missing_glyphs(text: str, font_name: str = FAMILY) -> list[str]:
    """The characters of `text` the font cannot draw (for tests and diagnostics)."""
    register_fonts()
    face = pdfmetrics.getFont(font_name).face
    return [c for c in dict.fromkeys(text) if not c.isspace() and ord(c) not in face.charToGlyph]
