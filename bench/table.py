"""Figures measured beside their bare-stack twins, and the closing table.

Absolute times drift by up to 2x between runs on a shared machine, so every figure is taken in
rounds that alternate the project and its bare twin (project first in even rounds, bare first in
odd ones), and the verdict is read from the ratio of each round's pair: its median, with the
range over the rounds beside it.
"""
from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Goal:
    """What a row must reach: a bound on the ratio to the bare twin, or on the project's figure."""

    text: str
    on: str = "ratio"  # "ratio" or "project"
    at_most: float | None = None
    at_least: float | None = None

    def met(self, value: float) -> bool:
        """Whether `value` (the median ratio or the median project figure) reaches the goal."""
        if self.at_most is not None and not value <= self.at_most:
            return False
        return self.at_least is None or value >= self.at_least


@dataclass
class Row:
    """One metric: the project's figure and its bare twin's, one pair per round."""

    metric: str
    unit: str
    goal: Goal
    project: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    note: str = ""

    def ratios(self) -> list[float]:
        """Project over bare for each round in which both were measured."""
        return [p / b for p, b in zip(self.project, self.bare, strict=False) if b]

    def ratio(self) -> float | None:
        """The median ratio over the rounds (None without a bare figure)."""
        ratios = self.ratios()
        return statistics.median(ratios) if ratios else None

    def met(self) -> bool | None:
        """Whether the goal is reached on the medians (None when nothing was measured)."""
        value = self.ratio() if self.goal.on == "ratio" else _median(self.project)
        return None if value is None else self.goal.met(value)


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def alternate(rounds: int, project: Callable[[], float], bare: Callable[[], float],
              row: Row) -> Row:
    """Measure `project` and `bare` in `rounds` alternating rounds, adding each pair to `row`."""
    for index in range(rounds):
        if index % 2 == 0:
            p = project()
            b = bare()
        else:
            b = bare()
            p = project()
        row.project.append(p)
        row.bare.append(b)
    return row


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if value >= 100:
        text = f"{value:,.0f}"
    elif value >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def ratio_text(row: Row) -> str:
    """The median ratio and its range over the rounds, like `0.11x (0.10-0.12, 3 rounds)`."""
    ratios = row.ratios()
    if not ratios:
        return "-"
    median = statistics.median(ratios)
    if len(ratios) == 1:
        return f"{median:.2f}x (1 round)"
    return f"{median:.2f}x ({min(ratios):.2f}-{max(ratios):.2f}, {len(ratios)} rounds)"


HEADER = ("metric", "project", "bare", "ratio", "goal", "met")


def format_table(rows: Sequence[Row]) -> str:
    """The closing table in Markdown: metric, project, bare, ratio, goal, met (medians)."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in rows:
        met = row.met()
        metric = row.metric + (f" ({row.note})" if row.note else "")
        cells = (metric, _figure(_median(row.project), row.unit),
                 _figure(_median(row.bare), row.unit), ratio_text(row), row.goal.text,
                 "-" if met is None else "met" if met else "not met")
        lines.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
    return "\n".join(lines)
