"""The governance figures counted from plain facts: quarters, choices, routes, sign-off time,
flagged share, late declarations and reviews overdue."""
from __future__ import annotations

import datetime as dt

import pytest

from register.rules import figures as F

D = dt.date


def decision(meeting: str, choice: str | None = "make", *, regime: str | None = "psr",
             process: str | None = "direct_award_c", flagged: bool = False,
             status: str = "decided", submitted: str | None = None,
             signed: str | None = None) -> F.DecisionFacts:
    return F.DecisionFacts(D.fromisoformat(meeting), choice, regime, process, flagged, status,
                           D.fromisoformat(submitted) if submitted else None,
                           D.fromisoformat(signed) if signed else None)


def test_quarters_are_the_financial_years_cut_to_the_period():
    bins = F.bins_for(D(2025, 5, 10), D(2025, 10, 2))
    assert [b.short for b in bins] == ["Q1 2025/26", "Q2 2025/26", "Q3 2025/26"]
    assert bins[0].label == "Q1 2025/26 (April to June 2025)"
    assert (bins[0].start, bins[-1].end) == (D(2025, 5, 10), D(2025, 10, 2))
    january = F.bins_for(D(2026, 1, 1), D(2026, 3, 31))
    assert [(b.short, b.start, b.end) for b in january] == [
        ("Q4 2025/26", D(2026, 1, 1), D(2026, 3, 31))]
    assert F.bins_for(D(2026, 1, 2), D(2026, 1, 1)) == ()


def test_a_long_period_is_counted_by_financial_year():
    bins = F.bins_for(D(2019, 4, 1), D(2026, 3, 31))
    assert [b.short for b in bins] == [f"{y}/{(y + 1) % 100:02d}" for y in range(2019, 2026)]
    assert bins[0].label == "2019/20 (April 2019 to March 2020)"
    chart = F.by_choice([decision("2020-05-01")], bins)
    assert chart.headers[0] == "Financial year" and "per financial year" in chart.description
    assert F.by_choice([], bins[:1]).headers[0] == "Financial year"
    assert F.by_choice([], F.bins_for(D(2025, 4, 1), D(2025, 6, 30))).headers[0] == "Quarter"


def test_decisions_by_choice_per_quarter():
    facts = [decision("2025-04-02"), decision("2025-05-02"), decision("2025-06-30"),
             decision("2025-04-20", "buy"), decision("2025-06-01", "buy"),
             decision("2025-07-01", "mixed")]
    chart = F.by_choice(facts, F.bins_for(D(2025, 4, 1), D(2025, 9, 30)))
    assert [s.name for s in chart.series] == ["Make", "Buy", "Mixed"]
    assert [s.values for s in chart.series] == [(3, 0), (2, 0), (0, 1)]
    assert chart.rows[0] == ("Q1 2025/26 (April to June 2025)", "3", "2", "0", "5")
    assert "6 decisions in the period (3 make, 2 buy, 1 mixed)" in chart.description
    undecided = F.by_choice([decision("2025-04-02", None)],
                            F.bins_for(D(2025, 4, 1), D(2025, 6, 30)))
    assert undecided.series[-1].name == "Not yet chosen" and undecided.series[-1].values == (1,)


def test_decisions_by_route_in_the_regimes_order():
    facts = [decision("2025-04-02", process="competitive_process"),
             decision("2025-04-03", process="direct_award_a"),
             decision("2025-04-04", process="competitive_process"),
             decision("2015-04-04", regime="pcr2013", process="single_tender"),
             decision("2025-04-05", regime=None, process=None)]
    chart = F.by_route(facts)
    assert chart.categories == ("PSR: Direct award process A", "PSR: Competitive process",
                                "2013 regulations: Single tender", "Route not recorded")
    assert chart.series[0].values == (1, 2, 1, 1)
    assert chart.rows[1] == ("Provider Selection Regime: Competitive process", "2")
    assert chart.rows[-1] == ("All routes", "5")
    assert chart.horizontal


def test_time_to_sign_off_in_bands_with_median_and_longest():
    # Working days: Monday 7 April 2025 to Friday 11 April is 4; Good Friday and Easter Monday
    # (18 and 21 April 2025) are not working days, nor the May bank holidays (40 in all to 2 June).
    facts = [decision("2025-04-01", submitted="2025-04-07", signed="2025-04-11"),
             decision("2025-04-01", submitted="2025-04-14", signed="2025-04-25"),
             decision("2025-04-01", submitted="2025-04-01", signed="2025-06-02"),
             decision("2025-04-01", submitted="2025-04-01")]  # not signed off: not counted
    chart = F.sign_off_time(facts)
    assert chart.series[0].values == (1, 1, 0, 1, 0)
    assert chart.notes == ("Median: 7 working days", "Longest: 40 working days",
                           "Signed off: 3 decisions")
    assert chart.rows[0] == ("Up to 5 working days", "1")
    assert chart.categories[-1] == "More than 40 days"
    nobody = F.sign_off_time([decision("2025-04-01")])
    assert nobody.empty and "No decision in the period has been signed off yet" in nobody.notes


def test_flagged_share_per_quarter():
    facts = [decision("2025-04-02", flagged=True), decision("2025-04-03"),
             decision("2025-04-04"), decision("2025-04-05", flagged=True)]
    chart = F.flagged_share(facts, F.bins_for(D(2025, 4, 1), D(2025, 9, 30)))
    assert chart.series[0].values == (50, 0) and chart.percent
    assert chart.rows == (("Q1 2025/26 (April to June 2025)", "4", "2", "50%"),
                          ("Q2 2025/26 (July to September 2025)", "0", "0", "No decisions"))
    assert "2 of 4 in the period (50%)" in chart.description


def test_late_declarations_per_quarter():
    declared = [F.DeclarationFacts(D(2025, 3, 1), D(2025, 4, 10)),   # 40 days: late
                F.DeclarationFacts(D(2025, 4, 1), D(2025, 4, 29)),   # 28 days: on time
                F.DeclarationFacts(D(2025, 4, 1), D(2025, 7, 30))]   # late, next quarter
    chart = F.late_declarations(declared, [D(2025, 8, 1), D(2025, 9, 1)],
                                F.bins_for(D(2025, 4, 1), D(2025, 9, 30)))
    assert [s.values for s in chart.series] == [(1, 1), (0, 2)]
    assert chart.rows[0] == ("Q1 2025/26 (April to June 2025)", "2", "1", "0")


def test_reviews_overdue_by_working_days_waiting():
    as_of = D(2025, 6, 30)  # a Monday
    facts = [decision("2025-06-01", status="awaiting_review", submitted="2025-06-27"),  # 1
             decision("2025-06-01", status="escalated", submitted="2025-06-20"),  # 6
             decision("2025-06-01", status="awaiting_review", submitted="2025-06-02"),  # 20
             decision("2025-06-01", status="signed_off", submitted="2025-05-01")]  # not waiting
    chart = F.reviews_overdue(facts, as_of, target_days=5)
    assert chart.series[0].values == (1, 1, 1)
    assert chart.rows[-1] == ("All waiting", "3")
    assert "2 of 3 overdue" in chart.description


def test_figures_count_only_the_period():
    facts = F.FigureFacts(D(2025, 4, 1), D(2025, 6, 30),
                          (decision("2025-04-02"), decision("2025-07-02")))
    found = F.figures(facts, D(2025, 7, 1))
    assert found.decisions == 1
    assert [c.key for c in found.charts] == ["choice", "route", "sign_off", "flagged", "late",
                                              "overdue"]


@pytest.mark.parametrize(("largest", "percent", "expected"), [
    (0, False, (1, 1)), (3, False, (3, 1)), (5, False, (6, 2)), (13, False, (15, 5)),
    (999, False, (1000, 250)), (7, True, (100, 25))])
def test_value_axis_has_round_numbers(largest, percent, expected):
    assert F.axis_top(largest, percent) == expected


def _width(text: str) -> float:
    return 7.0 * len(text)  # every character 7 wide, for the test


def test_category_labels_stay_on_one_line_when_they_fit():
    assert F.category_labels(["Q1 2025/26", "Q2 2025/26"], 80, _width) == [
        ("Q1 2025/26",), ("Q2 2025/26",)]


def test_category_labels_go_on_two_lines_when_they_would_overlap():
    # "Q4 2023/24" is 70 wide; "2023/24" is 49: each quarter has 55.
    assert F.category_labels(["Q4 2023/24", "Q1 2024/25"], 55, _width) == [
        ("Q4", "2023/24"), ("Q1", "2024/25")]


def test_category_labels_thin_out_when_even_two_lines_would_overlap():
    quarters = [f"Q{q} 20{y}/{y + 1}" for y in range(20, 25) for q in (1, 2, 3, 4)]
    labels = F.category_labels(quarters, 20, _width)  # 49 wide in 20: every third
    assert labels[0] == ("Q1", "2020/21") and labels[3] == ("Q4", "2020/21")
    assert all(label == ("",) for i, label in enumerate(labels) if i % 3)
    assert len(labels) == len(quarters)
