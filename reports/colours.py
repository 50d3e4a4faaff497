"""The one colour scale of every figure — web heatmaps, the workbook's Links sheet, the PDF's
summary heatmap — so that a cell has the same colour wherever it is shown.

It diverges around a neutral point, the company mean (orange worse, blue better: an orange–blue
pair stays distinct for the common colour-vision deficiencies, unlike red–green). Its ends lie one
point either side of it, whatever the data: a cell's colour says how far it is from the company,
the same in every cycle, dimension and file (a mean further out than a point takes the end's
colour). Never beyond the 1–5 scale: where an end is cut at 1 or 5, that side's colours are
squeezed rather than the scale running past the answers' range.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

DIVERGING = [
    [0.0, "#b35806"],
    [0.2, "#e08214"],
    [0.4, "#fdb863"],
    [0.5, "#f7f7f7"],
    [0.6, "#92c5de"],
    [0.8, "#4393c3"],
    [1.0, "#2166ac"],
]
HIDDEN_GREY = "#c8c8c8"  # hidden to protect a small group
NO_RATINGS = "#ffffff"  # nobody rated it
NEUTRAL_CENTRE = 3.0  # the middle of the scale, when there is nothing to centre on
LOWEST, HIGHEST = 1.0, 5.0
SPREAD = 1.0  # points either side of the neutral one


def neutral_point(company_mean: float | None, shown_means) -> float:
    """The company mean; without one (hidden, or not rolled up), the median shown mean, so that
    colours still split better from worse."""
    if company_mean is not None:
        return company_mean
    means = sorted(m for m in shown_means if m is not None)
    return means[len(means) // 2] if means else NEUTRAL_CENTRE


@dataclass(frozen=True)
class Scale:
    low: float
    mid: float
    high: float

    @property
    def mid_position(self) -> float:
        """Where the neutral colour sits between the ends (0.5 unless an end was cut at 1 or 5)."""
        return (self.mid - self.low) / (self.high - self.low)

    def position(self, value: float) -> float:
        """0 (most orange) … 1 (most blue): each side of the neutral point spans its half of the colours."""
        value = min(max(value, self.low), self.high)
        if value <= self.mid:
            return 0.5 * (value - self.low) / (self.mid - self.low) if self.mid > self.low else 0.5
        return 0.5 + 0.5 * (value - self.mid) / (self.high - self.mid) if self.high > self.mid else 0.5

    def colour(self, value: float) -> str:
        """The cell colour of `value` as #rrggbb, interpolated between the scale's stops."""
        at = self.position(value)
        for (p0, c0), (p1, c1) in itertools.pairwise(DIVERGING):
            if at <= p1:
                t = 0.0 if p1 == p0 else (at - p0) / (p1 - p0)
                return _mix(c0, c1, t)
        return DIVERGING[-1][1]

    def plotly(self) -> dict:
        """The scale as Plotly takes it: the stops moved so that the neutral colour falls on `mid`."""
        p = self.mid_position
        placed: dict[float, tuple[float, str]] = {}
        for s, c in DIVERGING:
            at = round(s * 2 * p if s <= 0.5 else p + (s - 0.5) * 2 * (1 - p), 4)
            # An end cut at the neutral point puts several stops on one place: the neutral one stays.
            if at not in placed or abs(s - 0.5) < abs(placed[at][0] - 0.5):
                placed[at] = (s, c)
        stops = [[at, c] for at, (_, c) in sorted(placed.items())]
        return {"colorscale": stops, "zmin": round(self.low, 4), "zmax": round(self.high, 4)}


def scale(centre: float) -> Scale:
    centre = min(max(centre, LOWEST), HIGHEST)
    return Scale(low=max(LOWEST, centre - SPREAD), mid=centre, high=min(HIGHEST, centre + SPREAD))


def _mix(a: str, b: str, t: float) -> str:
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))


def ink_on(background: str) -> str:
    """Black or white text, whichever reads better on `background` (WCAG relative luminance)."""

    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(background[i : i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"
