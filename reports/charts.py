"""Plotly figures of the dashboards as plain dicts (no Plotly import): static JS draws them from
`json_script` data. Hidden (suppressed) cells carry no figure at all, only a flag and a label.

Plotly reads every label, hover text, legend entry and annotation as its own pseudo-HTML (`<a
href>` becomes a live link, `<b>` bold, `<br>` a new line). Names come from HR's files, so every
text of ours that reaches Plotly goes through `plotly_text` first (`&`, `<`, `>` as entities,
which Plotly shows as the characters); only the templates written here use its markup. The link
heatmap is drawn by static/js/heatmap.js from plain names, which it escapes the same way.

Colours come from reports.colours, the one scale of every figure and file.

Every word of a figure (axis and colour-bar titles, trace names, hover texts, the hidden label) is
translated when the figure is built, in the language of the request that builds it: the pages
that cache figures key them on the language (reports.pages.cache_key). Hover texts are translated
with `%(name)s` placeholders (`_hover`), which are replaced by Plotly's `%{…}` ones after the
words are escaped: translators never see Plotly's syntax, and a translated `%` stays a character.
Figures read by the numbers in them (hover values) are written as the language writes numbers.
"""

import html
import re

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from surveys.dimensions import OVERALL, ROW_DIMENSIONS, SERVICE_DIMENSIONS

from . import colours, numbers
from .colours import HIDDEN_GREY

COMPANY_COLOUR = "#212529"
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 14}
HEATMAP_DIMENSIONS = (OVERALL, *SERVICE_DIMENSIONS)


def plotly_text(text: str) -> str:
    """`text` as Plotly shows it literally: its pseudo-HTML markup and entities escaped."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _template_text(text: str) -> str:
    """`plotly_text` for text written into a hovertemplate, where `%{…}` would also be read as a
    placeholder: `%` is written as an entity too."""
    return plotly_text(text).replace("%", "&#37;")


def _round(value, digits):
    return None if value is None else round(value, digits)


HIDDEN = _("hidden to protect a small group")


def hidden_label(min_group_size: int) -> str:
    """What a hidden figure reads, whichever rule hid it: its own group's size or the protection
    of another's. It never claims a count (a row hidden for another group's sake may have many).
    In the active language."""
    return gettext(HIDDEN)


_PLACEHOLDER = re.compile(r"%\(([a-z0-9_]+)\)s")


def _hover(message: str, **placeholders: str) -> str:
    """A translated hover text for a Plotly hovertemplate: its words escaped (`_template_text`),
    each `%(name)s` replaced by `placeholders[name]` (a Plotly `%{…}` placeholder or our markup)."""
    parts = _PLACEHOLDER.split(message)
    # split() alternates text and captured names: text, name, text, name, …, text.
    return "".join(placeholders[part] if i % 2 else _template_text(part) for i, part in enumerate(parts))


def heatmap_words() -> dict[str, str]:
    """The words static/js/heatmap.js writes into the link heatmap and around it, in the active
    language (it has no catalogue of its own). Hover lines keep Plotly's `%{…}` placeholders;
    `{shown}`, `{total}`, `{label}`, `{rater}`, `{provider}`, `{dimension}` and `{order}` are
    filled in by the script."""
    return {
        "mean": gettext("Mean"),
        "hover": "<br>".join(
            (
                "%{customdata[0]} → %{customdata[1]}",
                _hover(gettext("Mean %(value)s"), value="%{customdata[2]}"),
                _hover(gettext("Favorable %(value)s"), value="%{customdata[3]}"),
                _hover(gettext("Respondents %(value)s"), value="%{customdata[4]}"),
                _hover(gettext("Change %(value)s"), value="%{customdata[5]}"),
            )
        ),
        "notAvailable": gettext("n/a"),
        "supplierAxis": gettext("Supplier (rated department)"),
        "customerAxis": gettext("Internal customer (rating department)"),
        "ranked": gettext("The {shown} weakest of {total} links shown ({label}):"),
        "management": gettext("{provider}'s staff rating their own management"),
        "rating": gettext("{rater} rating {provider}"),
        "show": gettext("Show the full heatmap"),
        "hide": gettext("Hide the full heatmap"),
        "showing": gettext("Showing {dimension} · {order}."),
        "loading": gettext("Loading the dimensions…"),
        "failed": gettext("The dimensions could not be loaded: reload the page to try again."),
        # The 200-department view's sentences (%(name)s placeholders, filled in by the script).
        "weakestMark": gettext("weakest link"),
        "weakestNamed": gettext("Weakest link (outlined): %(rater)s rating %(provider)s, %(mean)s."),
        "weakestNamedOwn": gettext(
            "Weakest link (outlined): %(provider)s's staff rating their own management, %(mean)s."
        ),
        "weakestOutside": gettext("It is outside the current view: clear the search to see it."),
        "weakestNone": gettext("No link of this dimension is shown."),
        "matched": gettext("%(rows)s of %(total)s raters and %(cols)s of %(total)s suppliers shown."),
        "noMatch": gettext("No department matches “%(query)s”."),
    }


def _layout(**extra) -> dict:
    layout = {
        "font": FONT,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {"font": {"size": 15}},
        "autosize": True,
    }
    layout.update(extra)
    return layout


def _outline(x: float, y: float, *, colour: str = "#000000", width: int = 3, dash: str = "solid") -> dict:
    return {
        "type": "rect",
        "xref": "x",
        "yref": "y",
        "x0": x - 0.5,
        "x1": x + 0.5,
        "y0": y - 0.5,
        "y1": y + 0.5,
        "line": {"color": colour, "width": width, "dash": dash},
        "fillcolor": "rgba(0,0,0,0)",
    }


def link_heatmap(
    *,
    names: list[str],
    urls: list[str],
    cells: dict,
    scores: dict,
    weakest: dict,
    centre: float,
    min_group_size: int,
    labels: dict[str, str],
) -> dict:
    """The weakest-link heatmap's data: `static/js/heatmap.js` draws it and switches dimension and
    order without a reload. `cells[dim]` holds rater × provider matrices (mean, fav, n, delta, and
    `hidden` 1/0; every figure is None where hidden); `scores[dim]` each department's supplier
    mean (for ordering); `weakest[dim]` the [rater, provider] index of the lowest shown cell;
    `labels` each dimension's label (`selectors.dimension_labels`)."""
    return {
        # Plain text, as the table under the figure shows them: heatmap.js escapes them for Plotly.
        "names": names,
        "urls": urls,
        "dimensions": [{"slug": d, "label": labels[d]} for d in HEATMAP_DIMENSIONS if d in cells],
        "cells": cells,
        "scores": scores,
        "weakest": weakest,
        "hiddenColour": HIDDEN_GREY,
        "hiddenLabel": _template_text(hidden_label(min_group_size)),
        "hiddenText": plotly_text(gettext("hidden")),
        # A company of a few dozen departments reads by name; beyond, clustered (reports.seriation).
        "defaultOrder": "name" if len(names) <= CLUSTER_FROM else "cluster",
        "weakestChoices": [n for n in WEAKEST_CHOICES if n < len(names) ** 2],
        "words": heatmap_words(),
        **colours.scale(centre).plotly(),
    }


CLUSTER_FROM = 40  # departments: above, the heatmap opens grouped rather than by name
WEAKEST_CHOICES = (10, 25, 50, 100)


def department_dimension_heatmap(
    *, rows: list[dict], centre: float, min_group_size: int, labels: dict[str, str]
) -> dict:
    """Each provider (supplier scope) against the six dimensions and overall; each department's
    weakest dimension outlined. `rows`: {name, url, cells: {dim: cell or None}} in display order;
    `labels`: each dimension's label."""
    dims = ROW_DIMENSIONS
    z, hidden, custom, shapes = [], [], [], []
    for y, row in enumerate(rows):
        z_row, hidden_row, custom_row = [], [], []
        for dim in dims:
            cell = row["cells"].get(dim)
            shown = cell is not None and not cell["hidden"]
            z_row.append(_round(cell["mean"], 2) if shown else None)
            hidden_row.append(1 if cell is not None and cell["hidden"] else None)
            custom_row.append(_custom(row["name"], labels[dim], cell if shown else None))
        z.append(z_row)
        hidden.append(hidden_row)
        custom.append(custom_row)
        shown_service = [(v, x) for x, v in enumerate(z_row[:-1]) if v is not None]
        if shown_service:
            shapes.append(_outline(min(shown_service)[1], y))
    ticks = {
        "tickvals": list(range(len(rows))),
        "ticktext": [plotly_text(row["name"]) for row in rows],
        "autorange": "reversed",
    }
    data = [
        _hidden_trace(hidden, dims_x=list(range(len(dims))), min_group_size=min_group_size),
        {
            "type": "heatmap",
            "z": z,
            "x": list(range(len(dims))),
            "y": list(range(len(rows))),
            "customdata": custom,
            **colours.scale(centre).plotly(),
            "texttemplate": "%{z:.2f}",
            "hovertemplate": _cell_hover(),
            "colorbar": {"title": {"text": plotly_text(gettext("Mean"))}, "thickness": 14},
            "xgap": 2,
            "ygap": 2,
        },
    ]
    layout = _layout(
        height=max(300, 90 + 30 * len(rows)),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis={
            "tickvals": list(range(len(dims))),
            "ticktext": [plotly_text(labels[d]) for d in dims],
            "side": "top",
            "fixedrange": True,
            # Room for the names Plotly turns aslant when they are wider than their columns
            # ("Reaktionsschnelligkeit"): without it, the top margin cut them to "…lligkeit".
            "automargin": True,
        },
        yaxis={**ticks, "fixedrange": True, "automargin": True},
        shapes=shapes,
    )
    return {
        "data": data,
        "layout": layout,
        "links": [row["url"] for row in rows],
        # What static/js/figure-search.js matches a search against: the rows' names (escaped as
        # every text of a figure is; the script reads them back as written); beyond FIRST_ROWS
        # departments, the rows drawn before anything is typed (`first`).
        "search": {"kind": "rows", "names": [plotly_text(row["name"]) for row in rows], **_first_rows(z)},
        # On a phone (static/js/figures.js): the dimension names stand upright above their columns,
        # whole (sideways at the top they were cut to "ess / hip"), and the colour bar lies under
        # the plot, leaving the cells the screen's width.
        "narrow": [
            {"trace": 0, "set": {"textfont": {"size": 9}}},  # "n<5" side by side ran together at 14 px
            {"trace": 1, "set": {"colorbar": narrow_colorbar(), "textfont": {"size": 10}}},
        ],
        "narrowLayout": {
            "height": layout["height"] + 150,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "xaxis": {"tickangle": -90, "automargin": True},
        },
    }


def narrow_colorbar(title: str | None = None, *, y: float = -0.02) -> dict:
    """A colour bar for a phone: horizontal, under the plot (`y` in plot heights), as wide as it;
    titled `title` (Plotly text), the mean's by default."""
    return {
        "title": {"text": plotly_text(gettext("Mean")) if title is None else title, "side": "top"},
        "orientation": "h",
        "thickness": 12,
        "len": 1,
        "x": 0.5,
        "xanchor": "center",
        "y": y,
        "yanchor": "top",
    }


FIRST_ROWS = 30


def _first_rows(z: list[list]) -> dict:
    """The FIRST_ROWS weakest rows by their shown overall (the last column), weakest first, when
    there are more rows than that: 200 rows make a figure 6,000 px tall that took chromium seconds
    to draw, and the weakest are what the section is for (any other is found by typing its name;
    the table under the figure holds them all)."""
    if len(z) <= FIRST_ROWS:
        return {}
    shown = sorted((row[-1], y) for y, row in enumerate(z) if row[-1] is not None)
    return {"first": [y for _mean, y in shown[:FIRST_ROWS]], "total": len(z)}


def _two_lines(title: str) -> str:
    """An axis title for a phone's narrow plot: its parenthesis on a line of its own
    ("Wie gut A B bedient<br>(Bewertung von B)"), so that a long title is not cut at the edges."""
    return title.replace(" (", "<br>(", 1)


def _cell_hover() -> str:
    return (
        "<br>".join(
            (
                "%{customdata[0]} · %{customdata[1]}",
                _hover(gettext("Mean %(value)s"), value="%{customdata[2]}"),
                _hover(gettext("Favorable %(value)s"), value="%{customdata[3]}"),
                _hover(gettext("Respondents %(value)s"), value="%{customdata[4]}"),
                _hover(gettext("Change %(value)s"), value="%{customdata[5]}"),
            )
        )
        + "<extra></extra>"
    )


def _custom(name: str, what: str, cell: dict | None) -> list:
    name, what = plotly_text(name), plotly_text(what)
    if cell is None:
        return [name, what, "", "", "", ""]
    return [
        name,
        what,
        numbers.decimal(cell["mean"], 2),
        "" if cell.get("favorable_pct") is None else plotly_text(numbers.percent(cell["favorable_pct"], 1)),
        "" if cell.get("respondents") is None else str(cell["respondents"]),
        _signed(cell.get("delta")),
    ]


def _signed(value) -> str:
    """A change as hover text: signed, in the language's number format; "n/a" (translated) without one."""
    return plotly_text(gettext("n/a")) if value is None else numbers.signed(value, 2)


def _hidden_trace(hidden: list[list], *, dims_x: list[int], min_group_size: int) -> dict:
    label = hidden_label(min_group_size)
    return {
        "type": "heatmap",
        "z": hidden,
        "x": dims_x,
        "y": list(range(len(hidden))),
        "colorscale": [[0, HIDDEN_GREY], [1, HIDDEN_GREY]],
        "showscale": False,
        # Text per cell, not a constant template: Plotly would also write a template into empty cells.
        "text": [["" if h is None else f"n<{min_group_size}" for h in row] for row in hidden],
        "texttemplate": "%{text}",
        "hovertemplate": f"{_template_text(label)}<extra></extra>",
        "xgap": 2,
        "ygap": 2,
    }


def asymmetry_scatter(*, pairs: list[dict], centre: float) -> dict:
    """One point per pair of departments A, B (both directions shown): x = how well A serves B (as B
    rates it), y = how well B serves A. Off the diagonal, one side serves far worse than it is served."""
    # At 200 departments there are some 20,000 pairs: a cloud of that many points says no more than
    # its density, and costs the page a third of its figure data and its slowest drawing. Beyond
    # ASYMMETRY_POINTS, the most lopsided pairs (first in `pairs`) are drawn as points over the
    # density of every pair (counts per cell of a grid: a count of pairs, no figure of any group).
    everything = pairs
    pairs = pairs[:ASYMMETRY_POINTS]
    xs = [p["a_serves_b"] for p in pairs]
    ys = [p["b_serves_a"] for p in pairs]
    all_x = [p["a_serves_b"] for p in everything]
    all_y = [p["b_serves_a"] for p in everything]
    lo = min([*all_x, *all_y, centre], default=1.0) - 0.2
    hi = max([*all_x, *all_y, centre], default=5.0) + 0.2
    # The names only: the hover writes x and y itself, with the language's decimal mark (Plotly's
    # separators, static/js/figures.js); at 200 departments, 20,000 pairs, the figures written
    # twice as text were a third of the page's figure data.
    custom = [[plotly_text(p["a"]), plotly_text(p["b"])] for p in pairs]
    labelled = sorted(range(len(pairs)), key=lambda i: -abs(xs[i] - ys[i]))[:5]
    annotations = [
        {
            "x": xs[i],
            "y": ys[i],
            "text": plotly_text(f"{pairs[i]['a']} ↔ {pairs[i]['b']}"),
            "showarrow": True,
            "arrowhead": 0,
            "ax": 30,
            "ay": (-30, 30, -55, 55, -15)[rank],
            "font": {"size": 12},
            "bgcolor": "rgba(255,255,255,0.85)",
        }
        for rank, i in enumerate(labelled)
    ]
    data = [
        _diagonal(lo, hi, gettext("Served as well as it serves")),
        {
            "type": "scatter",
            "mode": "markers",
            "x": xs,
            "y": ys,
            "customdata": custom,
            "marker": {
                "size": 10,
                "color": [round(abs(x - y), 2) for x, y in zip(xs, ys, strict=True)],
                "colorscale": [[0, "#92c5de"], [1, "#b35806"]],
                "line": {"color": "#212529", "width": 0.5},
                "colorbar": {"title": {"text": plotly_text(gettext("Gap"))}, "thickness": 14},
            },
            "name": plotly_text(gettext("Pair of departments")),
            "hovertemplate": _hover(
                gettext("%(a)s serves %(b)s: %(a_serves_b)s"),
                a="%{customdata[0]}",
                b="%{customdata[1]}",
                a_serves_b="%{x:.2f}",
            )
            + "<br>"
            + _hover(
                gettext("%(a)s serves %(b)s: %(a_serves_b)s"),
                a="%{customdata[1]}",
                b="%{customdata[0]}",
                a_serves_b="%{y:.2f}",
            )
            + "<extra></extra>",
        },
    ]
    x_title = plotly_text(gettext("How well A serves B (B's rating)"))
    y_title = plotly_text(gettext("How well B serves A (A's rating)"))
    if len(everything) > len(pairs):
        data.insert(0, _density(all_x, all_y, lo=lo, hi=hi, drawn=len(pairs)))
    layout = _layout(
        height=480,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"title": {"text": x_title}, "range": [lo, hi], "automargin": True},
        yaxis={"title": {"text": y_title}, "range": [lo, hi], "automargin": True},
        showlegend=False,
        annotations=annotations,
    )
    # On a phone (static/js/figures.js) the colour bar beside the plot left it a third of the
    # screen and the axis titles ran past its edges: the bar lies under the plot and each title
    # breaks before its parenthesis.
    gap_bar = narrow_colorbar(plotly_text(gettext("Gap")), y=-0.3)
    return {
        "data": data,
        "layout": layout,
        "narrow": [{"trace": len(data) - 1, "set": {"marker": {**data[-1]["marker"], "colorbar": gap_bar}}}],
        "narrowLayout": {
            "height": 600,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "xaxis": {"title": {"text": _two_lines(x_title)}},
            "yaxis": {"title": {"text": _two_lines(y_title)}},
            # A name beside a point near the right edge ran off the screen: it reads leftwards
            # where it does not fit rightwards, on the side with more room where neither fits.
            "annotations": [_narrow_annotation(a, lo, hi) for a in annotations],
        },
    }


def _narrow_annotation(annotation: dict, lo: float, hi: float) -> dict:
    """An asymmetry label placed for a phone's plot (EXPECTATION_PLOT_NARROW wide): to the right of
    its point where it fits, else to the left, else centred on it, else on the side with more room."""
    width = EXPECTATION_PLOT_NARROW[0]
    point = (annotation["x"] - lo) / (hi - lo) * width
    text = 0.62 * _LABEL_FONT * len(html.unescape(annotation["text"])) + 8
    if point + 30 + text <= width:
        return {**annotation, "ax": 30, "xanchor": "left"}
    if point - 30 - text >= 0:
        return {**annotation, "ax": -30, "xanchor": "right"}
    if text / 2 <= min(point, width - point):
        return {**annotation, "ax": 0, "xanchor": "center"}
    # Nowhere whole: on the side with more room, the arrow shortened.
    return (
        {**annotation, "ax": -10, "xanchor": "right"}
        if point > width / 2
        else {**annotation, "ax": 10, "xanchor": "left"}
    )


ASYMMETRY_POINTS = 600
DENSITY_STEP = 0.1


def _density(xs: list[float], ys: list[float], *, lo: float, hi: float, drawn: int) -> dict:
    """How many pairs fall in each DENSITY_STEP × DENSITY_STEP cell, as a grey heatmap under the
    points (empty cells transparent)."""
    bins = max(1, int((hi - lo) / DENSITY_STEP) + 1)
    counts = [[0] * bins for _ in range(bins)]
    for x, y in zip(xs, ys, strict=True):
        counts[min(bins - 1, int((y - lo) / DENSITY_STEP))][min(bins - 1, int((x - lo) / DENSITY_STEP))] += 1
    centres = [round(lo + (k + 0.5) * DENSITY_STEP, 3) for k in range(bins)]
    return {
        "type": "heatmap",
        "x": centres,
        "y": centres,
        "z": [[c or None for c in row] for row in counts],
        "colorscale": [[0, "#eceff1"], [1, "#546e7a"]],
        "showscale": False,
        # No gap: Plotly draws the cells as one image of a pixel per cell, scaled up without
        # smoothing through a style attribute that the CSP allows by its hash (views.PLOTLY_STYLES).
        "xgap": 0,
        "ygap": 0,
        "name": plotly_text(gettext("Every pair: how many in each cell")),
        "hovertemplate": _hover(gettext("%(count)s pairs here"), count="%{z}") + "<extra></extra>",
        "meta": {"drawn": drawn, "pairs": len(xs)},
    }


def expectation_scatter(*, rows: list[dict]) -> dict:
    """Each department's expectation (x) against experience (y), supplier scope, with the "met
    exactly" line: below it, experience falls short of what its customers expected."""
    xs = [r["expectation_mean"] for r in rows]
    ys = [r["mean"] for r in rows]
    # Each axis spans its own values (one shared square range left half the plot empty: experience
    # sits below expectation nearly everywhere), the y axis reaching at least the line's left end.
    x_range, y_range = _padded(xs), _padded(ys)
    y_range[1] = max(y_range[1], x_range[0] + 0.05)
    lo, hi = min(x_range[0], y_range[0]), max(x_range[1], y_range[1])
    names = [r["name"] for r in rows]
    wide = label_positions(xs, ys, names, x_range=x_range, y_range=y_range, size=EXPECTATION_PLOT)
    narrow = label_positions(xs, ys, names, x_range=x_range, y_range=y_range, size=EXPECTATION_PLOT_NARROW)
    data = [
        _diagonal(lo, hi, gettext("Met exactly")),
        {
            "type": "scatter",
            "mode": "markers+text",
            "x": xs,
            "y": ys,
            "text": [plotly_text(r["name"]) for r in rows],
            "textposition": [place for place, _clear in wide],
            "textfont": {"size": 12},
            "customdata": [
                [
                    plotly_text(r["name"]),
                    numbers.decimal(r["expectation_mean"]),
                    numbers.decimal(r["mean"]),
                    _signed(r["gap"]),
                ]
                for r in rows
            ],
            "marker": {
                "size": 11,
                "color": ["#b35806" if r["gap"] < 0 else "#2166ac" for r in rows],
                "symbol": ["triangle-down" if r["gap"] < 0 else "circle" for r in rows],
                "line": {"color": "#212529", "width": 0.5},
            },
            "name": plotly_text(gettext("Department")),
            "hovertemplate": "<br>".join(
                (
                    "%{customdata[0]}",
                    _hover(gettext("Expected %(value)s"), value="%{customdata[1]}"),
                    _hover(gettext("Experienced %(value)s"), value="%{customdata[2]}"),
                    _hover(gettext("Gap %(value)s"), value="%{customdata[3]}"),
                )
            )
            + "<extra></extra>",
        },
    ]
    layout = _layout(
        height=480,
        xaxis={
            "title": {"text": plotly_text(gettext("Expected (mean expectation)"))},
            "range": x_range,
            "automargin": True,
        },
        yaxis={
            "title": {"text": plotly_text(gettext("Experienced (mean rating)"))},
            "range": y_range,
            "automargin": True,
        },
        showlegend=False,
        annotations=[
            {
                "x": x_range[1],
                "y": y_range[0],
                "xanchor": "right",
                "yanchor": "bottom",
                "text": plotly_text(gettext("below the line: expectations not met")),
                "showarrow": False,
                "font": {"size": 12, "color": "#7a3d04"},
            }
        ],
    )
    # On a phone (static/js/figures.js applies `narrow`), a label that finds no free place is left
    # out: the name is in the point's hover and in the table below the figure.
    text = data[1]["text"]
    narrow_text = [label if clear else "" for label, (_place, clear) in zip(text, narrow, strict=True)]
    narrow_positions = [place for place, _clear in narrow]
    return {
        "data": data,
        "layout": layout,
        "links": [r["url"] for r in rows],
        "narrow": [{"trace": 1, "set": {"text": narrow_text, "textposition": narrow_positions}}],
    }


# The plot area the labels are placed for, in CSS pixels: a desktop's dashboard, and a phone's.
EXPECTATION_PLOT = (1000, 400)
EXPECTATION_PLOT_NARROW = (290, 400)
_LABEL_FONT = 12
_MARKER_RADIUS = 7  # the marker (11 px) and Plotly's gap to its text
_PLACES = (
    "top center",
    "bottom center",
    "middle right",
    "middle left",
    "top right",
    "top left",
    "bottom right",
    "bottom left",
)


def _padded(values: list[float]) -> list[float]:
    low, high = min(values, default=1.0), max(values, default=5.0)
    pad = 0.1 + 0.08 * (high - low)
    return [round(low - pad, 3), round(high + pad, 3)]


def _label_box(place: str, px: float, py: float, width: float, height: float) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a label drawn at `place` around the point (px, py)."""
    r = _MARKER_RADIUS
    vertical, horizontal = place.split()
    if vertical == "top":
        top = py - r - height
    elif vertical == "bottom":
        top = py + r
    else:
        top = py - height / 2
    if horizontal == "center":
        left = px - width / 2
    elif horizontal == "right":
        left = px + (r if vertical == "middle" else r / 2)
    else:
        left = px - (r if vertical == "middle" else r / 2) - width
    return left, top, left + width, top + height


def _overlap(a, b) -> float:
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


def label_positions(xs, ys, names, *, x_range, y_range, size) -> list[tuple[str, bool]]:
    """(textposition, clear) per point, for a plot of `size` pixels: where its label covers no
    other label or marker and stays in the plot (clear), else the place that covers least. Greedy,
    crowded points first (Plotly places no labels of its own)."""
    width, height = size
    points = [
        ((x - x_range[0]) / (x_range[1] - x_range[0]) * width, (y_range[1] - y) / (y_range[1] - y_range[0]) * height)
        for x, y in zip(xs, ys, strict=True)
    ]
    r = _MARKER_RADIUS
    markers = [(px - r, py - r, px + r, py + r) for px, py in points]
    sizes = [(0.62 * _LABEL_FONT * len(name) + 4, _LABEL_FONT * 1.35) for name in names]

    def crowding(i):
        px, py = points[i]
        return -sum(1 for qx, qy in points if abs(qx - px) < sizes[i][0] and abs(qy - py) < 3 * sizes[i][1])

    placed: dict[int, tuple] = {}
    positions: list[tuple[str, bool]] = [("top center", False)] * len(points)
    for i in sorted(range(len(points)), key=lambda i: (crowding(i), i)):
        best = None
        for place in _PLACES:
            box = _label_box(place, *points[i], *sizes[i])
            if box[0] < 0 or box[1] < 0 or box[2] > width or box[3] > height:
                continue
            cost = sum(_overlap(box, other) for other in placed.values())
            cost += sum(_overlap(box, m) for j, m in enumerate(markers) if j != i)
            if best is None or cost < best[0]:
                best = (cost, place, box)
            if cost == 0:
                break
        if best is not None:
            positions[i] = (best[1], best[0] == 0)
            placed[i] = best[2]
    return positions


def trend_lines(*, cycles: list[str], series: list[dict], company: list | None, highlighted: set[str]) -> dict:
    """Overall mean per cycle with its 95 % confidence band; significant changes marked (▲/▼); the
    company line dashed for reference. `series`: {name, url, points: [cell or None per cycle]}.
    Series not in `highlighted` start hidden (click the legend to show them)."""
    data = []
    for index, item in enumerate(series):
        visible = True if item["name"] in highlighted else "legendonly"
        data.extend(_trend_traces(cycles, item, visible=visible, group=f"g{index}"))
    if company:
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": cycles,
                "y": [_round(c["mean"], 2) if c else None for c in company],
                "name": plotly_text(gettext("Company")),
                "line": {"color": COMPANY_COLOUR, "dash": "dash", "width": 2},
                "hovertemplate": _hover(gettext("Company %(cycle)s: %(mean)s"), cycle="%{x}", mean="%{y:.2f}")
                + "<extra></extra>",
            }
        )
    layout = _layout(
        height=460,
        margin={"l": 60, "r": 10, "t": 10, "b": 10},
        xaxis={"type": "category", "title": {"text": plotly_text(gettext("Cycle"))}, "automargin": True},
        # The whole 1–5 scale, whatever the data: an axis fitted to 3.36–3.52 makes noise look dramatic.
        yaxis={
            "title": {"text": plotly_text(gettext("Overall mean (1–5)"))},
            "range": [0.9, 5.1],
            "tickvals": [1, 2, 3, 4, 5],
            "fixedrange": True,
            "automargin": True,
        },
        legend={"orientation": "h", "y": -0.25},
        hovermode="closest",
    )
    # On a phone (static/js/figures.js) the legend wraps to many rows and rose over the axis title:
    # it starts under the cycles instead (which need no title), the plot taller to make room.
    narrow = {
        "height": 560,
        "xaxis": {"title": {"text": ""}},
        "legend": {"orientation": "h", "y": -0.08, "yanchor": "top"},
    }
    if len(series) > TREND_LEGEND_MAX:
        # Hundreds of names in a legend push the plot off the screen: departments are found with
        # the search box over the figure instead (static/js/figure-search.js).
        layout["showlegend"] = False
        narrow["showlegend"] = False
    # The departments' names, by legend group ("g<index>"), for the search box.
    return {
        "data": data,
        "layout": layout,
        "narrowLayout": narrow,
        "search": {"kind": "series", "names": [plotly_text(item["name"]) for item in series]},
    }


TREND_LEGEND_MAX = 40


def _trend_traces(cycles: list[str], item: dict, *, visible, group: str) -> list[dict]:
    points = item["points"]
    means = [_round(p["mean"], 2) if p else None for p in points]
    low = [_round(p["ci_low"], 2) if p else None for p in points]
    high = [_round(p["ci_high"], 2) if p else None for p in points]
    marks = [
        ("triangle-up" if p["delta"] > 0 else "triangle-down") if p and p.get("delta_significant") else "circle"
        for p in points
    ]
    sizes = [14 if p and p.get("delta_significant") else 7 for p in points]
    band = {
        "type": "scatter",
        "mode": "lines",
        "x": [*cycles, *reversed(cycles)],
        "y": [*high, *reversed(low)],
        "fill": "toself",
        "fillcolor": "rgba(67,147,195,0.15)",
        "line": {"width": 0},
        "hoverinfo": "skip",
        "showlegend": False,
        "legendgroup": group,
        "visible": visible,
        "connectgaps": False,
    }
    line = {
        "type": "scatter",
        "mode": "lines+markers",
        "x": cycles,
        "y": means,
        "name": plotly_text(item["name"]),
        "legendgroup": group,
        "visible": visible,
        "marker": {"symbol": marks, "size": sizes},
        "customdata": [[plotly_text(item["name"]), _signed(p.get("delta") if p else None)] for p in points],
        "hovertemplate": _hover(
            gettext("%(name)s %(cycle)s: %(mean)s (change %(change)s)"),
            name="%{customdata[0]}",
            cycle="%{x}",
            mean="%{y:.2f}",
            change="%{customdata[1]}",
        )
        + "<extra></extra>",
    }
    # Bands only for the series shown at first: forty bands would double the figure's data for
    # lines nobody has asked to see (the legend still shows those lines on a click).
    return [band, line] if visible is True else [line]


def bars_against_company(*, labels: list[str], department: list, company: list, name: str) -> dict:
    """A department's mean per dimension beside the company's, with 95 % confidence intervals."""

    def trace(values, trace_name, colour, text_colour):
        return {
            "type": "bar",
            "x": [plotly_text(label) for label in labels],
            "y": [_round(v["mean"], 2) if v else None for v in values],
            "name": plotly_text(trace_name),
            "marker": {"color": colour},
            "text": [numbers.decimal(v["mean"]) if v else "" for v in values],
            # At the foot of the bar: above it, the label would sit on the confidence interval's whisker.
            "textposition": "inside",
            "insidetextanchor": "start",
            "textangle": 0,
            "textfont": {"color": text_colour},
            "error_y": {
                "type": "data",
                "symmetric": False,
                "array": [
                    _round(v["ci_high"] - v["mean"], 3) if v and v.get("ci_high") is not None else None for v in values
                ],
                "arrayminus": [
                    _round(v["mean"] - v["ci_low"], 3) if v and v.get("ci_low") is not None else None for v in values
                ],
                "color": "#495057",
            },
            "hovertemplate": f"{_template_text(trace_name)} · %{{x}}: %{{y:.2f}}<extra></extra>",
        }

    data = [trace(department, name, "#2166ac", "#ffffff")]
    if any(company):
        data.append(trace(company, gettext("Company"), "#b0b0b0", "#212529"))
    layout = _layout(
        height=380,
        margin={"l": 60, "r": 10, "t": 10, "b": 10},
        barmode="group",
        yaxis={"range": [0, 5.4], "title": {"text": plotly_text(gettext("Mean (1–5)"))}, "automargin": True},
        xaxis={"automargin": True},
        legend={"orientation": "h", "y": 1.12},
        uniformtext={"minsize": 10, "mode": "hide"},  # on a phone the bars are too narrow: the table has the values
    )
    return {"data": data, "layout": layout}


def rater_dimension_heatmap(*, rows: list[dict], centre: float, min_group_size: int, labels: dict[str, str]) -> dict:
    """How each rater department sees one provider: raters × dimensions (same shape as the
    department × dimension heatmap, rows are raters)."""
    return department_dimension_heatmap(rows=rows, centre=centre, min_group_size=min_group_size, labels=labels)


def _diagonal(lo: float, hi: float, name: str) -> dict:
    """The dashed x = y line of a scatter: where both sides are equal."""
    return {
        "type": "scatter",
        "mode": "lines",
        "x": [lo, hi],
        "y": [lo, hi],
        "line": {"color": "#6c757d", "dash": "dash", "width": 1.5},
        "name": plotly_text(name),
        "hoverinfo": "skip",
    }
