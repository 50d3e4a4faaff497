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


# ---- Expectation against experience ----

# The demo company's suppliers (2026-Q3): Logistics and Procurement, IT and Customer Service, Sales
# and Human Resources sit next to each other.
DEMO_EXPECTATIONS = [
    ("Facilities", 3.59, 2.37),
    ("Logistics", 3.73, 3.38),
    ("Procurement", 3.79, 3.37),
    ("Marketing", 3.86, 3.49),
    ("Finance", 3.95, 3.38),
    ("Operations", 3.97, 3.61),
    ("Executive Office", 4.05, 3.63),
    ("Sales", 4.13, 3.87),
    ("Human Resources", 4.18, 3.80),
    ("IT", 4.21, 3.93),
    ("Legal", 4.22, 3.70),
    ("Customer Service", 4.31, 3.91),
]


def _expectation_rows(points=DEMO_EXPECTATIONS):
    return [
        {"name": n, "url": f"/d/{n}", "expectation_mean": x, "mean": y, "gap": round(y - x, 2)} for n, x, y in points
    ]


def _label_boxes(figure, positions, size):
    trace = figure["data"][1]
    (x0, x1), (y0, y1) = figure["layout"]["xaxis"]["range"], figure["layout"]["yaxis"]["range"]
    width, height = size
    boxes = []
    for x, y, name, place in zip(trace["x"], trace["y"], trace["text"], positions, strict=True):
        px, py = (x - x0) / (x1 - x0) * width, (y1 - y) / (y1 - y0) * height
        boxes.append(charts._label_box(place, px, py, 0.62 * 12 * len(name) + 4, 12 * 1.35))
    return boxes


def test_the_expectation_chart_spans_each_axis_over_its_own_values_and_keeps_the_line_in_view():
    figure = charts.expectation_scatter(rows=_expectation_rows())
    x_range, y_range = figure["layout"]["xaxis"]["range"], figure["layout"]["yaxis"]["range"]
    assert 3.4 < x_range[0] < 3.59 and 4.31 < x_range[1] < 4.5
    assert 2.1 < y_range[0] < 2.37 and 3.93 < y_range[1] < 4.2
    assert y_range[1] > x_range[0]  # the "met exactly" line crosses the plot
    annotation = figure["layout"]["annotations"][0]
    assert (annotation["x"], annotation["y"]) == (x_range[1], y_range[0])


def test_the_expectation_chart_places_every_label_clear_of_the_others_on_a_desktop():
    figure = charts.expectation_scatter(rows=_expectation_rows())
    positions = figure["data"][1]["textposition"]
    assert len(set(positions)) > 1  # neighbours' labels go to different sides
    boxes = _label_boxes(figure, positions, charts.EXPECTATION_PLOT)
    for i, a in enumerate(boxes):
        assert a[0] >= 0 and a[2] <= charts.EXPECTATION_PLOT[0]
        for b in boxes[i + 1 :]:
            assert charts._overlap(a, b) == 0


def test_on_a_phone_the_labels_without_a_free_place_are_left_out_and_the_rest_stay_clear():
    figure = charts.expectation_scatter(rows=_expectation_rows())
    [patch] = figure["narrow"]
    assert patch["trace"] == 1
    text, positions = patch["set"]["text"], patch["set"]["textposition"]
    # What is written is the trace's own text (escaped as the trace's is), or nothing.
    assert all(t in ("", name) for t, name in zip(text, figure["data"][1]["text"], strict=True))
    shown = [i for i, t in enumerate(text) if t]
    assert len(shown) >= len(text) // 2
    boxes = _label_boxes(figure, positions, charts.EXPECTATION_PLOT_NARROW)
    for i in shown:
        for j in shown:
            assert i == j or charts._overlap(boxes[i], boxes[j]) == 0


def test_two_points_on_top_of_each_other_get_labels_on_different_sides():
    figure = charts.expectation_scatter(rows=_expectation_rows([("Logistics", 3.8, 3.4), ("Procurement", 3.8, 3.4)]))
    assert len(set(figure["data"][1]["textposition"])) == 2


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


def test_the_dimension_heatmap_on_a_phone_names_its_columns_upright_with_its_colour_bar_beneath():
    from reports import charts

    rows = [{"name": "Sales", "url": "/s/", "cells": {}}, {"name": "IT", "url": "/i/", "cells": {}}]
    labels = {d: d.title() for d in charts.ROW_DIMENSIONS}
    figure = charts.department_dimension_heatmap(rows=rows, centre=3.5, min_group_size=5, labels=labels)
    # The desktop layout is untouched; the phone's patch turns the names upright and lays the bar flat.
    assert figure["layout"]["xaxis"].get("tickangle") is None
    assert figure["narrowLayout"]["xaxis"] == {"tickangle": -90, "automargin": True}
    assert figure["narrowLayout"]["height"] > figure["layout"]["height"]
    patches = {p["trace"]: p["set"] for p in figure["narrow"]}
    assert patches[1]["colorbar"]["orientation"] == "h"
    assert figure["data"][1]["colorbar"].get("orientation") is None


# ---- In the reader's language ----


def _placeholders(figure) -> list[str]:
    """Every Plotly `%{…}` placeholder of a figure's hover templates, in order."""
    import re

    return [p for trace in figure["data"] for p in re.findall(r"%\{[^}]*\}", trace.get("hovertemplate", ""))]


def _german_and_english(build):
    from django.utils import translation

    with translation.override("de"):
        german = build()
    with translation.override("en"):
        english = build()
    return german, english


def test_a_figure_built_in_german_has_german_axis_titles_names_and_hover_words_with_plotlys_placeholders_kept():
    german, english = _german_and_english(lambda: charts.expectation_scatter(rows=_expectation_rows()))
    assert german["layout"]["xaxis"]["title"]["text"] == "Erwartet (mittlere Erwartung)"
    assert german["layout"]["yaxis"]["title"]["text"] == "Erlebt (mittlere Bewertung)"
    assert english["layout"]["xaxis"]["title"]["text"] == "Expected (mean expectation)"
    assert [t["name"] for t in german["data"]] == ["Genau erfüllt", "Abteilung"]
    assert german["layout"]["annotations"][0]["text"] == "unter der Linie: Erwartungen nicht erfüllt"
    assert "Erwartet %{customdata[1]}<br>Erlebt %{customdata[2]}" in german["data"][1]["hovertemplate"]
    assert _placeholders(german) == _placeholders(english) and _placeholders(german)
    # The hover's figures are written as the language writes numbers: 3,59 and a minus sign.
    facilities = german["data"][1]["customdata"][0]
    assert facilities[1:] == ["3,59", "2,37", "\u22121,22"]

    points = [{"mean": 3.5, "ci_low": 3.4, "ci_high": 3.6, "delta": None}] * 2
    german, english = _german_and_english(
        lambda: charts.trend_lines(
            cycles=["2026-Q3", "2026-Q4"],
            series=[{"name": "IT", "url": "", "points": points}],
            company=points,
            highlighted={"IT"},
        )
    )
    assert german["layout"]["xaxis"]["title"]["text"] == "Zyklus"
    assert german["layout"]["yaxis"]["title"]["text"] == "Gesamtmittelwert (1–5)"
    assert german["data"][-1]["name"] == "Unternehmen"
    assert german["data"][-1]["hovertemplate"] == "Unternehmen %{x}: %{y:.2f}<extra></extra>"
    assert "(Veränderung %{customdata[1]})" in german["data"][1]["hovertemplate"]
    assert german["data"][1]["customdata"][0][1] == "k. A."  # no change to show
    assert _placeholders(german) == _placeholders(english)


def test_the_link_heatmap_carries_its_scripts_words_in_the_readers_language():
    def build():
        return charts.link_heatmap(
            names=["Sales"], urls=["/s/"], cells={}, scores={}, weakest={}, centre=3.5, min_group_size=5, labels={}
        )

    german, english = _german_and_english(build)
    assert german["words"]["supplierAxis"] == "Dienstleister (bewertete Abteilung)"
    assert german["words"]["customerAxis"] == "Interner Kunde (bewertende Abteilung)"
    assert german["hiddenLabel"] == "verborgen zum Schutz einer kleinen Gruppe" and german["hiddenText"] == "verborgen"
    assert german["words"]["rating"] == "{rater} bewertet {provider}"
    assert english["words"]["show"] == "Show the full heatmap" and german["words"]["show"] == "Ganze Heatmap zeigen"
    assert german["words"]["hover"].count("%{customdata[") == english["words"]["hover"].count("%{customdata[") == 6


def test_a_percent_sign_in_a_translated_hover_text_is_a_character_not_a_placeholder():
    assert charts._hover("100 % of %(name)s <b>", name="%{x}") == "100 &#37; of %{x} &lt;b&gt;"
