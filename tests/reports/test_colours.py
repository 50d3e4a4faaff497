"""reports.colours: the one colour scale of the dashboards, the workbook and the PDF."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports import colours
from reports.charts import link_heatmap


def interpolate(stops, at: float) -> str:
    """Plotly's reading of a colourscale, written independently of reports.colours."""
    for (p0, c0), (p1, c1) in itertools.pairwise(stops):
        if p0 <= at <= p1:
            t = 0 if p1 == p0 else (at - p0) / (p1 - p0)
            rgb = [
                round(int(c0[i : i + 2], 16) + (int(c1[i : i + 2], 16) - int(c0[i : i + 2], 16)) * t) for i in (1, 3, 5)
            ]
            return "#" + "".join(f"{v:02x}" for v in rgb)
    raise AssertionError(at)


def test_the_company_mean_is_white_and_a_point_away_is_the_full_colour():
    scale = colours.scale(3.6)
    assert (scale.low, scale.mid, scale.high) == (pytest.approx(2.6), 3.6, pytest.approx(4.6))
    assert scale.colour(3.6) == "#f7f7f7"
    assert scale.colour(2.6) == scale.colour(1.0) == "#b35806"
    assert scale.colour(4.6) == scale.colour(5.0) == "#2166ac"


@given(st.floats(1, 5), st.floats(1, 5))
def test_the_scale_never_runs_past_one_to_five_and_plotly_draws_the_same_colour(centre, value):
    scale = colours.scale(centre)
    assert 1 <= scale.low <= scale.mid <= scale.high <= 5
    figure = scale.plotly()
    stops = figure["colorscale"]
    assert stops[0][0] == 0 and stops[-1][0] == 1
    assert all(a[0] < b[0] for a, b in itertools.pairwise(stops))
    if figure["zmax"] > figure["zmin"]:
        clamped = min(max(value, figure["zmin"]), figure["zmax"])
        at = (clamped - figure["zmin"]) / (figure["zmax"] - figure["zmin"])
        expected = interpolate(stops, at)
        got = scale.colour(value)
        # Plotly's stops are rounded to 4 places: one unit of a channel at most.
        assert all(abs(int(got[i : i + 2], 16) - int(expected[i : i + 2], 16)) <= 1 for i in (1, 3, 5))


def test_without_a_company_mean_the_median_shown_mean_is_neutral():
    assert colours.neutral_point(3.4, [1, 2]) == 3.4
    assert colours.neutral_point(None, [4.0, 2.0, None, 3.0]) == 3.0
    assert colours.neutral_point(None, []) == colours.NEUTRAL_CENTRE


def test_the_dashboard_heatmap_takes_the_shared_scale():
    cells = {"overall": {"mean": [[4.9]], "hidden": [[0]]}}
    data = link_heatmap(
        names=["A"],
        urls=["/a"],
        cells=cells,
        scores={},
        weakest={},
        centre=4.5,
        min_group_size=5,
        labels={"overall": "Overall"},
    )
    assert data["zmax"] == 5 and data["zmin"] == 3.5  # cut at 5, not 5.5
    assert data["colorscale"] == colours.scale(4.5).plotly()["colorscale"]


def test_text_on_a_cell_is_black_on_light_and_white_on_dark():
    assert colours.ink_on("#f7f7f7") == "#000000"
    assert colours.ink_on("#b35806") == "#ffffff"
