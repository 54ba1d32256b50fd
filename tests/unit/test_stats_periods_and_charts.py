"""Periods of the statistics (what is refused and why) and the geometry of the SVG charts."""
from datetime import date
from decimal import Decimal

import pytest

from app.stats import charts
from app.stats.figures import (Figures, PeriodProblem, custom_period, month_period,
                               quarter_period, year_period)

TODAY = date(2026, 5, 15)


def test_periods_cover_whole_months_quarters_and_years():
    assert month_period(2026, 2, TODAY).end == date(2026, 2, 28)
    assert quarter_period(2026, 2, TODAY).start == date(2026, 4, 1)
    assert quarter_period(2026, 2, TODAY).end == date(2026, 6, 30)
    assert year_period(2025, TODAY).days == 365


@pytest.mark.parametrize("make, code", [
    (lambda: month_period(2026, 13, TODAY), "bad_month"),
    (lambda: month_period(2026, 6, TODAY), "future"),
    (lambda: quarter_period(2026, 0, TODAY), "bad_quarter"),
    (lambda: year_period(1999, TODAY), "too_early"),
    (lambda: year_period(2027, TODAY), "future"),
    (lambda: custom_period(date(2026, 5, 2), date(2026, 5, 1), TODAY), "reversed"),
    (lambda: custom_period(date(2020, 1, 1), date(2026, 5, 1), TODAY), "too_long"),
    (lambda: custom_period(date(2026, 6, 1), date(2026, 6, 2), TODAY), "future"),
    (lambda: custom_period(date(1999, 12, 1), date(2000, 1, 2), TODAY), "too_early"),
])
def test_a_period_that_cannot_be_reported_names_its_problem(make, code):
    with pytest.raises(PeriodProblem) as problem:
        make()
    assert problem.value.code == code


def test_nothing_to_divide_by_gives_no_rate_rather_than_zero():
    empty = Figures()
    assert empty.empty and empty.on_time_rate is None and empty.online_share is None
    assert empty.average_days is None and empty.satisfied_share is None


def test_the_on_time_rate_is_one_hundred_minus_the_late_rate():
    figures = Figures(carried_over=1, received=2, done_late=1)
    assert figures.late_rate == Decimal("33.3") and figures.on_time_rate == Decimal("66.7")


def test_what_is_still_open_past_its_date_counts_against_the_on_time_rate():
    """Decision 766's rate, for questions and reports as for dossiers: one answered on time
    and one still open past its date is 50 %, not the 100 % of "answered on time ÷ answered"."""
    figures = Figures(received=2, done_on_time=1, in_process=1, overdue=1)
    assert figures.answered_on_time_share == Decimal("100.0")
    assert figures.on_time_rate == Decimal("50.0")


def test_bars_scale_to_the_maximum_and_a_missing_value_draws_no_bar():
    chart = charts.bar_chart([("A", Decimal(50), "50"), ("B", None, "—"),
                              ("C", Decimal(100), "100")], maximum=100)
    assert [round(b.width) for b in chart.bars] == [160, 0, 320]
    assert chart.bars[0].text_inside and not chart.bars[1].text_inside
    assert chart.height == 3 * charts.BAR_BLOCK


def test_the_trend_line_breaks_where_a_month_has_no_value():
    chart = charts.line_chart([("01", Decimal(100)), ("02", None), ("03", Decimal(50)),
                               ("04", Decimal(0))])
    assert [p.y is None for p in chart.points] == [False, True, False, False]
    assert len(chart.segments) == 1  # 03-04; a lone point has no line, only its dot
    assert chart.points[0].y == chart.grid[2][0] and chart.points[3].y == chart.grid[0][0]
