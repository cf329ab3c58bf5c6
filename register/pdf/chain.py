"""A decision's conflict chain diagram drawn into the PDF: the SVG from `dot`, through svglib.

The diagram is made by `register.decisions.chains` (and is absent without `dot`); here it only
becomes a ReportLab drawing, in the PDFs' own typeface, scaled to the frame width.
"""
from __future__ import annotations

import io
import logging
import re

from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm

from .fonts import FAMILY, register_fonts

log = logging.getLogger(__name__)

# A drawing taller than this is scaled down further, so it always fits on one page.
MAX_HEIGHT = 190 * mm
_FONT = re.compile(r'font-family="[^"]*"')


def chain_drawing(svg: str | None, width: float) -> Drawing | None:
    """The diagram as a drawing at most `width` wide (None without a diagram or if it cannot be
    read: the conflict sentences are printed either way)."""
    if not svg:
        return None
    from svglib.svglib import svg2rlg  # imported when a diagram is drawn, not at every start

    register_fonts()
    text = _FONT.sub(f'font-family="{FAMILY}"', svg).replace('fill="transparent"', 'fill="none"')
    try:
        drawing = svg2rlg(io.BytesIO(text.encode("utf-8")))
    except Exception as problem:  # noqa: BLE001 - a diagram must never break the record
        log.warning("The conflict diagram could not be drawn into the PDF: %s", problem)
        return None
    if drawing is None or not drawing.width or not drawing.height:
        return None
    scale = min(width / drawing.width, MAX_HEIGHT / drawing.height)
    drawing.scale(scale, scale)
    drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
    drawing.hAlign = "LEFT"
    return drawing
