"""Charts drawn on the server as SVG: the geometry here (pure, testable), the markup in
app/templates/stats/charts.html. No JavaScript library, nothing to download: a chart is part of
the page, readable at 360 px (labels sit above the bars rather than beside them), with a
<title> and <desc> for screen readers and the same numbers in a table next to it.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 320           # viewBox units; the SVG scales to the column's width
BAR_BLOCK = 38        # one bar: its label line, then the bar
BAR_HEIGHT = 14
LABEL_CHARACTERS = 46  # what fits one line at 12 px in 320 units; the table has the full name
LINE_HEIGHT = 180
LINE_LEFT, LINE_RIGHT, LINE_TOP, LINE_BOTTOM = 34, 8, 12, 26


@dataclass(frozen=True)
class Bar:
    label: str
    text: str          # the value as the page shows it ("97,5 %", "12", "—")
    label_y: float
    bar_y: float
    width: float       # 0 when there is no value
    text_x: float
    text_inside: bool  # drawn in white on the bar when the bar is long enough to hold it


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: float
    width: int = WIDTH


def bar_chart(items: list[tuple[str, Decimal | int | None, str]],
              maximum: Decimal | int | None = None) -> BarChart:
    """Horizontal bars, one per (label, value, text); `maximum` is the full width (100 for
    percentages; the largest value otherwise). A missing value draws no bar, only its text."""
    values = [v for _label, v, _text in items if v is not None]
    top = maximum if maximum is not None else (max(values) if values else 0)
    bars = []
    for i, (label, value, text) in enumerate(items):
        y = i * BAR_BLOCK
        width = float(Decimal(value) / Decimal(top) * WIDTH) if value and top else 0.0
        width = min(width, WIDTH)
        inside = width >= 60
        if len(label) > LABEL_CHARACTERS:
            label = label[:LABEL_CHARACTERS - 1].rstrip() + "…"
        bars.append(Bar(label=label, text=text, label_y=y + 12, bar_y=y + 17, width=width,
                        text_x=(width - 4) if inside else width + 4, text_inside=inside))
    return BarChart(bars=bars, height=max(len(items) * BAR_BLOCK, BAR_BLOCK))


@dataclass(frozen=True)
class LinePoint:
    label: str
    x: float
    y: float | None    # None: no value that month (nothing to process)


@dataclass(frozen=True)
class LineChart:
    points: list[LinePoint]
    segments: list[str]                 # polyline "x,y x,y" runs between missing values
    grid: list[tuple[float, str]]       # (y, label) of the 0, 50 and 100 % lines
    height: int = LINE_HEIGHT
    width: int = WIDTH
    left: int = LINE_LEFT
    right: float = WIDTH - LINE_RIGHT
    bottom: int = LINE_HEIGHT - LINE_BOTTOM


def line_chart(points: list[tuple[str, Decimal | None]]) -> LineChart:
    """A percentage (0-100) over time, one point per label, left to right."""
    inner_w = WIDTH - LINE_LEFT - LINE_RIGHT
    inner_h = LINE_HEIGHT - LINE_TOP - LINE_BOTTOM
    step = inner_w / max(len(points) - 1, 1)

    def y_of(value: Decimal) -> float:
        return LINE_TOP + inner_h * (1 - float(value) / 100)

    placed, segments, run = [], [], []
    for i, (label, value) in enumerate(points):
        x = LINE_LEFT + (step * i if len(points) > 1 else inner_w / 2)
        y = y_of(value) if value is not None else None
        placed.append(LinePoint(label, round(x, 1), round(y, 1) if y is not None else None))
        if y is None:
            if run:
                segments.append(" ".join(run))
            run = []
        else:
            run.append(f"{x:.1f},{y:.1f}")
    if run:
        segments.append(" ".join(run))
    grid = [(round(y_of(Decimal(v)), 1), f"{v}%") for v in (0, 50, 100)]
    return LineChart(points=placed, segments=[s for s in segments if " " in s], grid=grid)
