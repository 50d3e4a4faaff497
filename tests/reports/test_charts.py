"""Figure specs that the pages hand to plotly.js: what a reader sees on them."""

from reports import charts


def test_bar_values_sit_at_the_foot_of_the_bars_clear_of_the_confidence_whiskers():
    cell = {"mean": 3.8, "ci_low": 3.6, "ci_high": 4.0}
    figure = charts.bars_against_company(labels=["Courtesy"], department=[cell], company=[cell], name="Sales")
    for trace in figure["data"]:
        assert trace["text"] == ["3.80"]
        assert (trace["textposition"], trace["insidetextanchor"]) == ("inside", "start")
        assert trace["error_y"]["array"] == [0.2]
    # Readable on the bar: white on the department's blue, dark on the company's grey.
    assert [t["textfont"]["color"] for t in figure["data"]] == ["#ffffff", "#212529"]
    # Too narrow to read (a phone): hidden rather than shrunk, the table beside it has the values.
    assert figure["layout"]["uniformtext"] == {"minsize": 10, "mode": "hide"}


def test_a_hidden_cell_has_no_bar_and_no_label():
    figure = charts.bars_against_company(labels=["Courtesy"], department=[None], company=[None], name="Sales")
    assert [t["name"] for t in figure["data"]] == ["Sales"]  # no company trace without company figures
    assert figure["data"][0]["y"] == [None] and figure["data"][0]["text"] == [""]


def test_a_trend_axis_spans_the_whole_scale_however_close_the_means():
    """Means of 3.36 and 3.52 on an axis fitted to them look like a collapse; on 1–5 they look like what they are."""
    points = [{"mean": m, "ci_low": m - 0.1, "ci_high": m + 0.1, "delta": None} for m in (3.52, 3.36)]
    figure = charts.trend_lines(
        cycles=["2026-Q3", "2026-Q4"],
        series=[{"name": "IT", "url": "", "points": points}],
        company=None,
        highlighted={"IT"},
    )
    low, high = figure["layout"]["yaxis"]["range"]
    assert low <= 1 and high >= 5 and high - low <= 4.5
    assert figure["layout"]["yaxis"]["tickvals"] == [1, 2, 3, 4, 5]
