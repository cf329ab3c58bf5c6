"""The board audit pack's "Figures" section: each governance figure (`rules.figures`) drawn
with ReportLab's own bar charts, and its numbers in a small table under it.

The figures are worked out from the facts the pack's loader read (`reports.figures`), by the
same function the governance dashboard uses, so the page and the printed pack agree.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Spacer

from ..rules.figures import Chart, FigureFacts, Figures, axis_top, category_labels, figures
from ..rules.working_days import OVERDUE_AFTER_WORKING_DAYS
from ..timeutil import UK
from . import flowables as fl
from .fonts import FAMILY

# The dashboard's colours (reports/chart_svg.py), so a reader who has seen one knows the other.
COLOURS = [colors.HexColor(c) for c in ("#005eb8", "#007f3b", "#ae2573", "#425563", "#330072")]
INK = colors.HexColor("#212b32")
GRID = colors.HexColor("#d8dde0")
WIDTH = fl.PORTRAIT_WIDTH


def _value_axis(axis: Any, chart: Chart) -> None:
    top, step = axis_top(chart.largest, chart.percent)
    axis.valueMin, axis.valueMax, axis.valueStep = 0, top, step
    axis.labels.fontName, axis.labels.fontSize = FAMILY, 7
    axis.labelTextFormat = "%d%%" if chart.percent else "%d"
    axis.visibleGrid, axis.gridStrokeColor, axis.gridStrokeWidth = 1, GRID, 0.5
    axis.strokeColor = INK


def _count_label(value: float) -> str:
    return f"{value:g}" if value else ""


def _percent_label(value: float) -> str:
    return f"{value:g}%" if value else ""


def _bars(bar_chart: Any, chart: Chart) -> None:
    bar_chart.data = [list(s.values) for s in chart.series]
    for i in range(len(chart.series)):
        bar_chart.bars[i].fillColor = COLOURS[i % len(COLOURS)]
        bar_chart.bars[i].strokeColor = None
    # Noughts are left unlabelled, so the bars that are there stand out (the table has all).
    bar_chart.barLabelFormat = _percent_label if chart.percent else _count_label
    bar_chart.barLabels.fontName, bar_chart.barLabels.fontSize = FAMILY, 7
    bar_chart.barLabels.fillColor = INK
    bar_chart.categoryAxis.categoryNames = list(chart.categories)
    bar_chart.categoryAxis.labels.fontName = FAMILY
    bar_chart.categoryAxis.labels.fontSize = LABEL_SIZE
    bar_chart.categoryAxis.strokeColor = INK
    bar_chart.groupSpacing = 6
    _value_axis(bar_chart.valueAxis, chart)


LABEL_SIZE = 7.5
LABEL_GAP = 4  # points between two quarters' labels


def chart_drawing(chart: Chart, width: float = WIDTH) -> Drawing:
    """One figure as a ReportLab drawing: vertical bars per quarter, or horizontal bars for
    routes and bands, with a key when there is more than one series."""
    legend_h = 16 if len(chart.series) > 1 else 0
    if chart.horizontal:
        height = 18 + 18 * len(chart.categories) * max(1, len(chart.series) * 0.7) + legend_h
        drawing = Drawing(width, height)
        bar_chart = HorizontalBarChart()
        bar_chart.x, bar_chart.y = 62 * mm, 14
        bar_chart.width, bar_chart.height = width - 62 * mm - 12, height - 18 - legend_h
        bar_chart.barLabels.dx, bar_chart.barLabels.boxAnchor = 3, "w"
        _bars(bar_chart, chart)
        bar_chart.categoryAxis.reverseDirection = 1  # the first category at the top
        bar_chart.categoryAxis.labels.boxAnchor = "e"
        bar_chart.categoryAxis.labels.dx = -4
    else:
        labels = category_labels(
            chart.categories, (width - 36) / max(1, len(chart.categories)),
            lambda text: stringWidth(text, FAMILY, LABEL_SIZE) + LABEL_GAP)
        lines = max((len(label) for label in labels), default=1)
        below = 18 + (lines - 1) * (LABEL_SIZE + 1.5)  # room for the labels' lines
        height = 120 + legend_h + (below - 18)
        drawing = Drawing(width, height)
        bar_chart = VerticalBarChart()
        bar_chart.x, bar_chart.y = 26, below
        bar_chart.width, bar_chart.height = width - 36, height - below - 12 - legend_h
        bar_chart.barLabels.dy, bar_chart.barLabels.boxAnchor = 3, "s"
        _bars(bar_chart, chart)
        bar_chart.categoryAxis.categoryNames = ["\n".join(label) for label in labels]
        bar_chart.categoryAxis.labels.leading = LABEL_SIZE + 1.5
        bar_chart.categoryAxis.labels.textAnchor = "middle"  # each line under its bars
    drawing.add(bar_chart)
    if legend_h:
        legend = Legend()
        legend.x, legend.y = bar_chart.x, height - legend_h / 2
        legend.alignment, legend.columnMaximum = "right", 1
        legend.deltax, legend.dxTextSpace = 0, 4  # each entry as wide as its words
        legend.autoXPadding = 14
        legend.fontName, legend.fontSize = FAMILY, 7.5
        legend.boxAnchor = "w"
        legend.colorNamePairs = [(COLOURS[i % len(COLOURS)], s.name)
                                 for i, s in enumerate(chart.series)]
        drawing.add(legend)
    return drawing


def _table(chart: Chart) -> Flowable:
    first = 0.42 if len(chart.headers) > 2 else 0.7
    rest = (1 - first) / max(1, len(chart.headers) - 1)
    return fl.data_table(list(chart.headers), [list(row) for row in chart.rows],
                         [WIDTH * first] + [WIDTH * rest] * (len(chart.headers) - 1), small=True)


def chart_block(chart: Chart) -> list[Flowable]:
    """A figure's heading, what it shows, the chart (or why there is none) and its table."""
    parts: list[Flowable] = [fl.para(chart.description, "Note")]
    if chart.empty:
        parts.append(fl.para("Nothing to draw for this period: the table shows the noughts."))
    else:
        parts.append(chart_drawing(chart))
    parts.append(Spacer(1, 2 * mm))
    if chart.rows:
        parts.append(_table(chart))
    if chart.notes:
        parts += [Spacer(1, 2 * mm), fl.para(". ".join(chart.notes) + ".", "Body")]
    # The heading stays in the story itself (not inside KeepTogether), where the contents page
    # looks for its sections; it keeps with the figure that follows it: a new page begins
    # unless the heading and the whole figure fit on this one (a figure taller than a page
    # starts a page of its own and runs on).
    heading = fl.heading(chart.title, 1)
    needed = sum(f.wrap(WIDTH, 297 * mm)[1] + f.getSpaceBefore() + f.getSpaceAfter()
                 for f in (heading, *parts))
    return [CondPageBreak(needed + 2 * mm), heading, KeepTogether(parts), Spacer(1, 4 * mm)]


def pack_figures(pack: dict[str, Any],
                 target_days: int = OVERDUE_AFTER_WORKING_DAYS) -> Figures | None:
    """The pack's figures, as of the day it is printed (None when the pack has no facts)."""
    facts: FigureFacts | None = pack.get("figure_facts")
    if facts is None:
        return None
    printed = dt.datetime.fromisoformat(pack["printed_at"])
    if printed.tzinfo is None:
        printed = printed.replace(tzinfo=dt.UTC)
    return figures(facts, printed.astimezone(UK).date(), target_days)


def figures_section(pack: dict[str, Any],
                    target_days: int = OVERDUE_AFTER_WORKING_DAYS) -> list[Flowable]:
    """The "Figures" section of the board audit pack, on new portrait pages; nothing when the
    pack was loaded without its facts."""
    found = pack_figures(pack, target_days)
    if found is None:
        return []
    out: list[Flowable] = [
        PageBreak(), fl.heading("Figures", 0),
        fl.para(f"{found.decisions} decision{'' if found.decisions == 1 else 's'} of the "
                f"committee had a meeting from {pack['period_text']}. Quarters are those of the "
                f"financial year (Q1 is April to June); declarations are counted by the day they "
                f"were declared, and reviews still waiting as of the day the pack was printed. "
                f"Each chart's numbers are in the table under it.", "Note"),
    ]
    for chart in found.charts:
        out += chart_block(chart)
    return out
