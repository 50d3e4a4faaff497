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
