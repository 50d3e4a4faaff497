"""The priority matrix of a department page: each dimension's importance to the outcome (its
drivers, reports.drivers) against its score, in four quadrants. Plain values in, a page model out;
the figure is Plotly JSON like reports.charts'.

Importance comes from the department's own drivers where its tier allows: its importance weights
(tier `weights`, with their intervals), else its correlations (tier `correlations`), else the
company's supplier-scope drivers (the company's pattern). A dimension is *important* when its
importance is at least the mean of the six, and *weak* when its score is below the department's
own overall score.
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from surveys.dimensions import SERVICE_DIMENSIONS

from .charts import _template_text, label_positions, plotly_text

FIX_FIRST, KEEP, WATCH, MAINTAIN = "fix first", "keep", "watch", "maintain"
# The quadrants' names as a page shows them (the constants above are the page model's keys).
QUADRANT_WORDS = {FIX_FIRST: _("fix first"), KEEP: _("keep"), WATCH: _("watch"), MAINTAIN: _("maintain")}
QUADRANTS = {
    (True, True): FIX_FIRST,  # important and weak
    (True, False): KEEP,  # important and strong
    (False, True): WATCH,
    (False, False): MAINTAIN,
}
TIER_WORDS = {
    "weights": _(
        "Importance is this department's own: each dimension's share of what explains its "
        "customers' overall verdict, from {n} observations, with its 95 % interval."
    ),
    "correlations": _(
        "With {n} observations this department has enough for correlations only: importance "
        "is each dimension's correlation with its customers' overall verdict."
    ),
    "company": _(
        "Too few of this department's customers answered every question for drivers of its own: "
        "importance follows the company's pattern."
    ),
}


def priority_matrix(
    *, rows: list, company_rows: list, scores: dict, overall: float | None, labels: dict
) -> dict | None:
    """The page model, or None when there is nothing to draw. `rows`, `company_rows`: the
    department's and the company's supplier driver rows (objects with the export's fields);
    `scores`: shown supplier mean per dimension slug (None where hidden); `overall`: the shown
    overall mean."""
    mine = {r.dimension: r for r in rows}
    company = {r.dimension: r for r in company_rows}
    tier = next(iter(mine.values())).tier if mine else "company"
    source, field, words = mine, "importance_pct", TIER_WORDS[tier]
    if tier == "correlations":
        field = "correlation"
    elif tier == "company":
        source = company
        company_tier = next(iter(company.values())).tier if company else "company"
        field = "importance_pct" if company_tier == "weights" else "correlation"
        if company_tier == "company":
            return None
    importance = {d: getattr(source[d], field) if d in source else None for d in SERVICE_DIMENSIONS}
    known = [v for v in importance.values() if v is not None]
    if overall is None or not known:
        return None
    threshold = sum(known) / len(known)
    points = []
    for slug in SERVICE_DIMENSIONS:
        value, score = importance[slug], scores.get(slug)
        if value is None or score is None:
            continue
        row = source[slug]
        interval = (row.importance_low, row.importance_high) if field == "importance_pct" else (None, None)
        points.append(
            {
                "dimension": slug,
                "label": labels[slug],
                "importance": value,
                "low": interval[0],
                "high": interval[1],
                "score": score,
                "quadrant": QUADRANTS[value >= threshold, score < overall],
            }
        )
        points[-1]["quadrant_label"] = gettext(QUADRANT_WORDS[points[-1]["quadrant"]])
    if not points:
        return None
    observations = next(iter(mine.values())).observations if mine else None
    return {
        "tier": tier,
        "tier_words": gettext(words).format(n=number_format(observations) if observations is not None else ""),
        "measure": gettext("Importance (% of the explained outcome)")
        if field == "importance_pct"
        else gettext("Correlation with the outcome"),
        "percent": field == "importance_pct",
        "points": points,
        "fix_first": [p["label"] for p in points if p["quadrant"] == FIX_FIRST],
        "figure": _figure(points, threshold=threshold, overall=overall, percent=field == "importance_pct"),
    }


def _decimal(value: float, digits: int) -> str:
    return number_format(round(value, digits), decimal_pos=digits)


def _figure(points: list[dict], *, threshold: float, overall: float, percent: bool) -> dict:
    xs = [p["score"] for p in points]
    ys = [p["importance"] for p in points]
    errors = [
        (
            p["high"] - p["importance"] if p["high"] is not None else 0,
            p["importance"] - p["low"] if p["low"] is not None else 0,
        )
        for p in points
    ]
    unit = "%" if percent else ""
    names = [p["label"] for p in points]
    trace = {
        "type": "scatter",
        "mode": "markers+text",
        "x": xs,
        "y": ys,
        "text": [plotly_text(name) for name in names],
        "textposition": "top center",  # placed below, once the axes' ranges are known
        "textfont": {"size": 12},
        "marker": {
            "size": 12,
            "color": ["#b35806" if p["quadrant"] == FIX_FIRST else "#2166ac" for p in points],
            "symbol": ["triangle-down" if p["quadrant"] == FIX_FIRST else "circle" for p in points],
            "line": {"color": "#212529", "width": 0.5},
        },
        "customdata": [
            [
                plotly_text(p["label"]),
                _decimal(p["score"], 2),
                _decimal(p["importance"], 1 if percent else 2) + unit,
                plotly_text(gettext(QUADRANT_WORDS[p["quadrant"]])),
            ]
            for p in points
        ],
        "hovertemplate": "%{customdata[0]}<br>"
        + _template_text(gettext("Score"))
        + " %{customdata[1]}<br>"
        + _template_text(gettext("Importance"))
        + " %{customdata[2]}<br>%{customdata[3]}<extra></extra>",
        "name": plotly_text(gettext("Dimension")),
    }
    if percent:
        trace["error_y"] = {
            "type": "data",
            "symmetric": False,
            "array": [e[0] for e in errors],
            "arrayminus": [e[1] for e in errors],
            "color": "#6c757d",
            "thickness": 1.5,
        }
    lows = [y - e[1] for y, e in zip(ys, errors, strict=True)]
    highs = [y + e[0] for y, e in zip(ys, errors, strict=True)]
    x_lo, x_hi = min([*xs, overall]) - 0.25, max([*xs, overall]) + 0.25
    y_lo, y_hi = min([*lows, threshold]), max([*highs, threshold])
    pad = (y_hi - y_lo) * 0.15 or 1.0
    y_lo, y_hi = y_lo - pad, y_hi + pad

    def label(x, y, text, xanchor, yanchor):
        return {
            "x": x,
            "y": y,
            "xanchor": xanchor,
            "yanchor": yanchor,
            "text": text,
            "showarrow": False,
            "font": {"size": 13, "color": "#495057"},
        }

    # Each name where it covers no other name or marker, at a desktop's width and at a phone's (where
    # "Willingness to help" and "Reliability" ran into each other); on a phone a name that finds no
    # free place is left out: the point's hover and the table below name it.
    ranges = {"x_range": [x_lo, x_hi], "y_range": [y_lo, y_hi]}
    wide = label_positions(xs, ys, names, size=PLOT, **ranges)
    narrow = label_positions(xs, ys, names, size=PLOT_NARROW, **ranges)
    trace["textposition"] = [place for place, _clear in wide]
    line = {"type": "line", "line": {"color": "#adb5bd", "width": 1, "dash": "dash"}}
    return {
        "narrow": [
            {
                "trace": 0,
                "set": {
                    "text": [text if clear else "" for text, (_p, clear) in zip(trace["text"], narrow, strict=True)],
                    "textposition": [place for place, _clear in narrow],
                },
            }
        ],
        "data": [trace],
        "layout": {
            "font": {"size": 14},
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "#ffffff",
            "autosize": True,
            "height": 460,
            "showlegend": False,
            "xaxis": {
                "title": {"text": plotly_text(gettext("Score (mean rating)"))},
                "range": [x_lo, x_hi],
                "automargin": True,
            },
            "yaxis": {
                "title": {
                    "text": plotly_text(gettext("Importance (%)") if percent else gettext("Importance (correlation)"))
                },
                "range": [y_lo, y_hi],
                "automargin": True,
            },
            "shapes": [
                {**line, "x0": overall, "x1": overall, "y0": y_lo, "y1": y_hi},
                {**line, "x0": x_lo, "x1": x_hi, "y0": threshold, "y1": threshold},
            ],
            "annotations": [
                label(x_lo, y_hi, plotly_text(gettext(QUADRANT_WORDS[FIX_FIRST])), "left", "top"),
                label(x_hi, y_hi, plotly_text(gettext(QUADRANT_WORDS[KEEP])), "right", "top"),
                label(x_lo, y_lo, plotly_text(gettext(QUADRANT_WORDS[WATCH])), "left", "bottom"),
                label(x_hi, y_lo, plotly_text(gettext(QUADRANT_WORDS[MAINTAIN])), "right", "bottom"),
            ],
        },
    }


# The plot area the names are placed for, in CSS pixels: a desktop's department page, and a phone's.
PLOT = (1000, 390)
PLOT_NARROW = (290, 390)

# ---- The dashboard: the company's drivers in each scope ----

COMPANY_TIER_WORDS = {
    "weights": _(
        "Each dimension's share of what explains the overall verdict, from {n} observations, with its 95 % interval."
    ),
    "correlations": _(
        "With {n} observations the company has enough for correlations only: each "
        "dimension's correlation with the overall verdict."
    ),
}
COMPANY_QUESTIONS = {
    "supplier": _("What makes service between departments feel good"),
    "management": _("What makes management feel good to its own staff"),
}


def company_drivers(*, rows_by_scope: dict[str, list], labels: dict) -> list[dict]:
    """One panel per scope whose company rows say something (tier `weights` or `correlations`):
    the six dimensions, most important first, as a bar chart and a table."""
    panels = []
    for scope, rows in rows_by_scope.items():
        if not rows or rows[0].tier not in COMPANY_TIER_WORDS:
            continue
        percent = rows[0].tier == "weights"
        field = "importance_pct" if percent else "correlation"
        shown = sorted((r for r in rows if getattr(r, field) is not None), key=lambda r: -getattr(r, field))
        if not shown:
            continue
        points = [
            {
                "label": labels[r.dimension],
                "value": getattr(r, field),
                "low": r.importance_low if percent else None,
                "high": r.importance_high if percent else None,
            }
            for r in shown
        ]
        panels.append(
            {
                "scope": scope,
                "element_id": f"fig-drivers-{scope}",
                "title": gettext(COMPANY_QUESTIONS[scope]) if scope in COMPANY_QUESTIONS else scope,
                "words": gettext(COMPANY_TIER_WORDS[rows[0].tier]).format(n=number_format(rows[0].observations)),
                "measure": gettext("Importance (% of the explained outcome)")
                if percent
                else gettext("Correlation with the outcome"),
                "percent": percent,
                "r2": rows[0].r2,
                "points": points,
                "top": [p["label"] for p in points[:2]],
                "figure": _bars(points, percent=percent),
            }
        )
    return panels


def _bars(points: list[dict], *, percent: bool) -> dict:
    labels = [plotly_text(p["label"]) for p in points]
    trace = {
        "type": "bar",
        "orientation": "h",
        "x": [p["value"] for p in points],
        "y": labels,
        "marker": {"color": "#2166ac"},
        "hovertemplate": "%{y}: %{x}" + ("%" if percent else "") + "<extra></extra>",
        "name": plotly_text(gettext("Importance") if percent else gettext("Correlation")),
    }
    if percent and all(p["low"] is not None and p["high"] is not None for p in points):
        trace["error_x"] = {
            "type": "data",
            "symmetric": False,
            "array": [p["high"] - p["value"] for p in points],
            "arrayminus": [p["value"] - p["low"] for p in points],
            "color": "#495057",
            "thickness": 1.5,
        }
    return {
        "data": [trace],
        "layout": {
            "margin": {"l": 10, "r": 10, "t": 10, "b": 40},
            "height": 60 + 36 * len(points),
            "xaxis": {
                "title": {
                    "text": plotly_text(gettext("% of the explained outcome") if percent else gettext("correlation"))
                },
                "rangemode": "tozero",
            },
            "yaxis": {"autorange": "reversed", "automargin": True},
            "showlegend": False,
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "#ffffff",
        },
    }
