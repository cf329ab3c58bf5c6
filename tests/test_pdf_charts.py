"""The board audit pack's Figures section: ReportLab bar charts with their numbers in tables,
listed on the contents page, drawn (rendered with pdftoppm), and the same figures as the
governance dashboard for the pack's committee and period."""
from __future__ import annotations

import datetime as dt
import re
from io import BytesIO

import pytest
from PIL import Image
from reportlab.graphics import renderPDF

from register.pdf import builders, charts, loaders
from register.pdf.fonts import register_fonts
from register.reports import figures as figure_queries
from register.rules import figures as figure_rules

from .test_pdf_support import (
    PRINTED_AT,
    flat,
    outline_targets,
    page_texts,
    png_is_not_blank,
    render_page_png,
)
from .test_reports_dashboard import TITLES, world  # noqa: F401 - the shared fixture

ORGANISATION = "Northvale GP Commissioning Consortium"
START, END = dt.date(2025, 4, 1), dt.date(2026, 3, 31)


def _pack(db) -> dict:
    committee = loaders.committee_by_name(db, "Primary Care Committee")
    return loaders.audit_pack(db, committee, START, END, organisation=ORGANISATION,
                              prepared_by="Ann Secretary", purpose="Assurance",
                              recommendation="Note the pack", printed_at=PRINTED_AT)


@pytest.fixture
def pack_data(db, world):  # noqa: F811 - the fixture imported above
    return _pack(db)


@pytest.fixture
def pdf(pack_data):
    return builders.build_audit_pack(pack_data, builders.PrintOptions(invariant=True))


def _figures_text(pdf: bytes) -> str:
    targets = outline_targets(pdf)
    first, after = targets["Figures"], targets["Register of procurement decisions"]
    return flat(" ".join(page_texts(pdf)[first - 1:after - 1]))


def test_the_figures_section_prints_the_numbers(pdf):
    text = _figures_text(pdf)
    for title in ("Decisions by make, buy or mixed", "Decisions by route",
                  "Time from submission to sign-off", "Share of decisions flagged",
                  "Late declarations", "Reviews overdue"):
        assert title in text
    assert "6 decisions of the committee had a meeting from 1 April 2025 to 31 March 2026" in text
    assert "Q1 2025/26 (April to June 2025) 3 2 0 5" in text
    assert "Q2 2025/26 (July to September 2025) 0 0 1 1" in text
    assert "Provider Selection Regime: Direct award process B 3" in text
    assert "Up to 5 working days 1" in text and "6 to 10 working days 1" in text
    assert "Median: 6.5 working days. Longest: 9 working days" in text
    assert "Q1 2025/26 (April to June 2025) 5 1 20%" in text
    assert "Q1 2025/26 (April to June 2025) 2 1 0" in text  # declared, late, late returns
    assert "Overdue: more than 10 working days 1" in text
    for title in TITLES:
        assert title not in text


def test_the_contents_lists_the_figures_at_their_pages(pdf):
    targets = outline_targets(pdf)
    contents = flat(page_texts(pdf)[targets["Contents"] - 1]).split("Contents", 1)[1]
    printed = {title: int(number) for number, title in re.findall(
        r"\.\s*(\d+)\s*([^.]+?)(?=\s*\.|$)", contents)}
    for title in ("Figures", "Decisions by make, buy or mixed", "Reviews overdue"):
        assert printed[title] == targets[title], title
    assert targets["Summary"] < targets["Figures"] <= targets["Decisions by make, buy or mixed"]
    assert targets["Reviews overdue"] < targets["Register of procurement decisions"]


def test_the_charts_are_drawn(pdf, tmp_path):
    page = outline_targets(pdf)["Figures"]
    png = render_page_png(pdf, page, tmp_path)
    assert png_is_not_blank(png)
    raw = Image.open(BytesIO(png)).convert("RGB").tobytes()
    # The buy bars are NHS green (#007f3b), a colour nothing else in the pack uses: bars were
    # drawn, not only their tables.
    green = sum(1 for i in range(0, len(raw), 3)
                if raw[i] < 40 and abs(raw[i + 1] - 0x7f) < 40 and abs(raw[i + 2] - 0x3b) < 40)
    assert green > 150, green


def test_the_pack_and_the_dashboard_agree(db, world, pack_data):  # noqa: F811
    printed = charts.pack_figures(pack_data)
    page = figure_rules.figures(
        figure_queries.load_facts(db, START, END, committee_id=world["committee"]),
        printed.as_of)
    assert printed == page


def test_a_pack_loaded_without_facts_has_no_figures_section(pack_data):
    pack = {key: value for key, value in pack_data.items() if key != "figure_facts"}
    assert charts.figures_section(pack) == []
    text = " ".join(page_texts(builders.build_audit_pack(pack)))
    assert "Decisions by route" not in text


def test_an_empty_period_prints_noughts_without_drawings(db, world):  # noqa: F811
    committee = loaders.committee_by_name(db, "Primary Care Committee")
    pack = loaders.audit_pack(db, committee, dt.date(2019, 4, 1), dt.date(2019, 6, 30),
                              organisation=ORGANISATION, prepared_by="A", purpose="P",
                              recommendation="R", printed_at=PRINTED_AT)
    text = flat(" ".join(page_texts(builders.build_audit_pack(pack))))
    assert "Nothing to draw for this period" in text
    assert "Q1 2019/20 (April to June 2019) 0 0 0 0" in text


def test_every_chart_drawing_renders_for_a_ten_year_period():
    facts = figure_rules.FigureFacts(
        dt.date(2016, 4, 1), dt.date(2026, 3, 31),
        tuple(figure_rules.DecisionFacts(dt.date(2016 + n % 10, 5, 1), "make", "psr",
                                         "urgent_award", n % 2 == 0, "decided")
              for n in range(40)))
    found = figure_rules.figures(facts, dt.date(2026, 4, 1))
    assert len(found.chart("choice").categories) == 10  # by financial year
    register_fonts()
    for chart in found.charts:
        if not chart.empty:
            assert renderPDF.drawToString(charts.chart_drawing(chart)).startswith(b"%PDF")


def _twelve_quarters() -> figure_rules.Chart:
    facts = figure_rules.FigureFacts(
        dt.date(2024, 1, 1), dt.date(2026, 12, 31),
        tuple(figure_rules.DecisionFacts(dt.date(2024, 2, 5) + dt.timedelta(days=90 * (n % 11)),
                                         "buy", "psr", "urgent_award", False, "decided")
              for n in range(30)))
    chart = figure_rules.figures(facts, dt.date(2027, 1, 1)).chart("choice")
    assert len(chart.categories) == 12
    return chart


def test_twelve_quarters_are_labelled_on_two_lines_without_overlapping():
    register_fonts()
    chart = _twelve_quarters()
    drawing = charts.chart_drawing(chart)
    bars = next(shape for shape in drawing.contents if hasattr(shape, "categoryAxis"))
    names = bars.categoryAxis.categoryNames
    assert names[0] == "Q4\n2023/24" and len(names) == 12
    room = bars.width / len(names)
    for name in names:
        for line in name.split("\n"):
            assert charts.stringWidth(line, charts.FAMILY, charts.LABEL_SIZE) < room
    assert renderPDF.drawToString(drawing).startswith(b"%PDF")


@pytest.mark.parametrize("room_mm", [60, 95, 110, 130, 160])
def test_a_figures_heading_is_never_left_at_the_foot_of_a_page(room_mm):
    """Whatever room is left on the page, a figure's heading goes on the page where its chart
    and table are (a 12-quarter figure is about 130 mm tall: 90 mm used to be assumed)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Spacer

    register_fonts()
    chart = _twelve_quarters()
    out = BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, topMargin=0, bottomMargin=0)
    story = [Spacer(1, A4[1] - room_mm * charts.mm - 12), *charts.chart_block(chart)]
    document.build(story)
    pages = [flat(text) for text in page_texts(out.getvalue())]
    with_title = [i for i, text in enumerate(pages) if chart.title in text]
    with_table = [i for i, text in enumerate(pages) if "Q3 2026/27 (October to December" in text]
    assert with_title and with_title == with_table[:1], (room_mm, with_title, with_table)
