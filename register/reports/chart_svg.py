"""Lays a figure (`rules.figures.Chart`) out as the shapes of an SVG bar chart.

Only numbers are worked out here: the template `reports/_chart.html` writes the SVG, so every
label is escaped by the template engine like any other text on the page. Bars are drawn from
nought, with a few round-numbered gridlines; each bar says its value, and the table under the
chart gives the same numbers in words.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..rules.figures import Chart, axis_top, category_labels

WIDTH = 720
CHAR_WIDTH = 6.8  # a 13px Arial character, on average, for the room a label needs
LABEL_GAP = 6  # pixels between two quarters' labels
# NHS identity colours, each at least 3:1 against white (graphics contrast).
COLOURS = ("#005eb8", "#007f3b", "#ae2573", "#425563", "#330072")


@dataclass(frozen=True)
class Bar:
    """One bar: where it is, its value and what it is a bar of."""

    x: float
    y: float
    width: float
    height: float
    value: float
    text: str
    colour: str
    series: str
    category: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Tick:
    """A gridline and its number."""

    x1: float
    y1: float
    x2: float
    y2: float
    text: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Label:
    """A category's name beside its bars (under them, perhaps on two lines)."""

    x: float
    y: float
    text: str
    anchor: str
    lines: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.lines:
            object.__setattr__(self, "lines", (self.text,))


@dataclass(frozen=True)
class Legend:
    """A series' name and colour, for the key under the chart."""

    name: str
    colour: str


@dataclass(frozen=True)
class SvgChart:
    """Everything the template needs to write a chart's SVG."""

    key: str
    title: str
    description: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    labels: tuple[Label, ...]
    legend: tuple[Legend, ...]
    axis: tuple[float, float, float, float]  # the baseline: x1, y1, x2, y2


def _text(value: float, percent: bool) -> str:
    number = f"{value:g}" if value == int(value) else f"{value:.1f}"
    return f"{number}%" if percent else number


def _ticks_range(top: float, step: float) -> list[float]:
    count = int(round(top / step))
    return [i * step for i in range(count + 1)]


def layout(chart: Chart) -> SvgChart:
    """The chart's bars, gridlines and labels, vertical or horizontal as the chart says."""
    legend = tuple(Legend(s.name, COLOURS[i % len(COLOURS)]) for i, s in enumerate(chart.series))
    if chart.horizontal:
        return _horizontal(chart, legend)
    return _vertical(chart, legend)


def _vertical(chart: Chart, legend: tuple[Legend, ...]) -> SvgChart:
    left, right, top_margin, bottom = 44, 12, 20, 44
    height = 280
    plot_w, plot_h = WIDTH - left - right, height - top_margin - bottom
    top, step = axis_top(chart.largest, chart.percent)
    base = top_margin + plot_h
    ticks = tuple(Tick(left, base - v / top * plot_h, WIDTH - right, base - v / top * plot_h,
                       _text(v, chart.percent), left - 6, base - v / top * plot_h + 4)
                  for v in _ticks_range(top, step))
    group = plot_w / max(1, len(chart.categories))
    bar_w = min(56.0, group * 0.7 / max(1, len(chart.series)))
    inner = bar_w * len(chart.series)
    bars, labels = [], []
    names = category_labels(chart.categories, group,
                            lambda text: len(text) * CHAR_WIDTH + LABEL_GAP)
    for i, category in enumerate(chart.categories):
        x0 = left + i * group + (group - inner) / 2
        labels.append(Label(left + (i + 0.5) * group, base + 18, " ".join(names[i]).strip(),
                            "middle", names[i]))
        for j, series in enumerate(chart.series):
            value = series.values[i]
            h = value / top * plot_h
            x = x0 + j * bar_w
            bars.append(Bar(round(x, 2), round(base - h, 2), round(bar_w - 2, 2), round(h, 2),
                            value, _text(value, chart.percent), legend[j].colour, series.name,
                            category, round(x + (bar_w - 2) / 2, 2), round(base - h - 4, 2)))
    return SvgChart(chart.key, chart.title, chart.description, WIDTH, height, tuple(bars),
                    ticks, tuple(labels), legend, (left, base, WIDTH - right, base))


def _horizontal(chart: Chart, legend: tuple[Legend, ...]) -> SvgChart:
    longest = max((len(c) for c in chart.categories), default=0)
    label_w = round(min(WIDTH * 0.55, max(120, longest * CHAR_WIDTH + 20)))
    right, top_margin, bottom = 40, 8, 28
    row = 30 if len(chart.series) == 1 else 16 * len(chart.series) + 12
    height = top_margin + row * max(1, len(chart.categories)) + bottom
    plot_w = WIDTH - label_w - right
    base_y = height - bottom
    top, step = axis_top(chart.largest, chart.percent)
    ticks = tuple(Tick(label_w + v / top * plot_w, top_margin, label_w + v / top * plot_w, base_y,
                       _text(v, chart.percent), label_w + v / top * plot_w, base_y + 16)
                  for v in _ticks_range(top, step))
    bar_h = (row - 10) / max(1, len(chart.series))
    bars, labels = [], []
    for i, category in enumerate(chart.categories):
        y0 = top_margin + i * row + 5
        labels.append(Label(label_w - 8, y0 + (row - 10) / 2 + 4, category, "end"))
        for j, series in enumerate(chart.series):
            value = series.values[i]
            w = value / top * plot_w
            y = y0 + j * bar_h
            bars.append(Bar(label_w, round(y, 2), round(w, 2), round(bar_h - 1, 2), value,
                            _text(value, chart.percent), legend[j].colour, series.name,
                            category, round(label_w + w + 4, 2), round(y + bar_h / 2 + 3, 2)))
    return SvgChart(chart.key, chart.title, chart.description, WIDTH, height, tuple(bars),
                    ticks, tuple(labels), legend, (label_w, top_margin, label_w, base_y))
