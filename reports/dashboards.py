"""The dashboard and department pages as plain data: a `reports.snapshot.Snapshot` in (rows from
`reports.selectors`), headline sentences, tables and figure dicts out. No ORM, no request: every
hidden row stays hidden (a suppressed row has no figures, and none are derived from it here)."""

from collections import defaultdict
from collections.abc import Callable

from django.utils.translation import gettext

from surveys.dimensions import MANAGEMENT, OVERALL, ROW_DIMENSIONS, SERVICE_DIMENSIONS, SUPPLIER

from . import charts, focus, seriation
from .snapshot import Snapshot, shown

TREND_HIGHLIGHTS = 6
ASYMMETRY_TABLE_ROWS = 12


# ---- The headline ----


def headline(snap: Snapshot, summary, *, weakest: dict, url: Callable[[int], str]) -> dict:
    """The headline cards. The weakest department and links are the roll-up's picks
    (`selectors.stored_weakest(summary)`, passed as `weakest`), the ones the files name too."""
    executive = next((d for d in snap.departments.values() if d["is_executive_office"]), None)
    management = weakest["management_link"]
    return {
        "weakest_department": _weakest_department(snap, weakest["department"], url),
        "weakest_link": _weakest_link(snap, weakest["link"], url),
        "executive_office": None if executive is None else _executive_office(snap, executive, url),
        "management": {
            "company": snap.company_cell(MANAGEMENT),
            "weakest": _named(snap, management and management["provider_id"], MANAGEMENT, url),
            "departments": len(snap.rated(MANAGEMENT)),
        },
        "company": snap.company_cell(),
        "response": {
            "participants": summary.participants,
            "eligible": summary.eligible,
            "rate": summary.response_rate,
        },
        "changes": significant_changes(snap, url=url),
    }


def _named(snap: Snapshot, department_id: int | None, scope: str, url) -> dict | None:
    """A picked department with its overall cell in `scope`; None without a pick (or, defensively,
    when its row is not shown here)."""
    c = None if department_id is None else snap.dept(department_id, scope)
    if not shown(c):
        return None
    return {"name": snap.name(department_id), "url": url(department_id), "cell": c}


def _weakest_department(snap: Snapshot, picked: dict | None, url) -> dict | None:
    named = _named(snap, picked and picked["department_id"], SUPPLIER, url)
    if named is None:
        return None
    department_id = picked["department_id"]
    dims = focus.weakest_dimensions(snap, department_id, SUPPLIER)
    named["weakest_dimension"] = dims[0] if dims else None
    named["lowest_by"] = rated_lowest_by(snap, department_id)
    named["ranked"] = sum(1 for _, c in snap.rated() if shown(c))
    return named


def rated_lowest_by(snap: Snapshot, provider_id: int) -> dict | None:
    """The dimension on which the most rater departments rate `provider_id` lower than every other
    department they rate ("rated lowest on ownership by 7 of 11 departments"), over shown links."""
    best = None
    for dim in SERVICE_DIMENSIONS:
        by_rater = defaultdict(list)
        for (rater, provider, d), c in snap.link.items():
            if d == dim and rater != provider and shown(c):
                by_rater[rater].append((c["mean"], provider))
        raters = [rater for rater, means in by_rater.items() if any(p == provider_id for _, p in means)]
        lowest_by = [r for r in raters if min(by_rater[r])[1] == provider_id]
        candidate = (len(lowest_by), len(raters), dim)
        if raters and (best is None or candidate[0] > best[0]):
            best = candidate
    if best is None or best[0] == 0:
        return None
    return {"count": best[0], "of": best[1], "dimension": best[2], "label": snap.labels[best[2]]}


def _weakest_link(snap: Snapshot, picked: dict | None, url) -> dict | None:
    rater, provider = (None, None) if picked is None else (picked["rater_id"], picked["provider_id"])
    c = snap.link.get((rater, provider, OVERALL))
    if not shown(c):
        return None
    return {
        "rater": snap.name(rater),
        "provider": snap.name(provider),
        "provider_url": url(provider),
        "management": rater == provider,
        "cell": c,
    }


def _executive_office(snap: Snapshot, executive: dict, url) -> dict:
    return {
        "name": executive["name"],
        "url": url(executive["id"]),
        "supplier": snap.dept(executive["id"]),
        "management": snap.dept(executive["id"], MANAGEMENT),
        "ranked": sum(1 for _, c in snap.rated() if shown(c)),
    }


def significant_changes(snap: Snapshot, *, url) -> dict:
    """Departments whose supplier-scope overall mean changed significantly since the previous cycle
    (Welch's test, p < 0.05, stored by the roll-up), biggest change first."""
    moved = [
        {"name": snap.name(d), "url": url(d), "cell": c}
        for d, c in snap.rated()
        if shown(c) and c.get("delta_significant") and c.get("delta") is not None
    ]
    moved.sort(key=lambda m: -abs(m["cell"]["delta"]))
    return {
        "improved": [m for m in moved if m["cell"]["delta"] > 0],
        "declined": [m for m in moved if m["cell"]["delta"] < 0],
    }


# ---- Tables and figures ----


def department_table(snap: Snapshot, *, url) -> list[dict]:
    """One row per department with a supplier or management row: both overall cells."""
    ids = {d for (c, d, _s, _dim) in snap.department if c == snap.cycle_id}
    return [
        {
            "name": snap.name(d),
            "url": url(d),
            "supplier": snap.dept(d),
            "management": snap.dept(d, MANAGEMENT),
            "is_executive_office": snap.departments[d]["is_executive_office"],
        }
        for d in sorted(ids, key=snap.name)
    ]


def link_heatmap(snap: Snapshot, *, url, weakest_link: dict | None = None) -> dict:
    """The rater × provider heatmap data, every dimension; departments by name, with each
    dimension's clustered row and column orders (`cells[dim]["order"]`). The lowest shown
    cell of each dimension is outlined; in `overall`, the roll-up's pick `weakest_link` when given
    (`selectors.stored_weakest`), so that a tie outlines the link the headline names."""
    ids = sorted({i for (r, p, _d) in snap.link for i in (r, p)}, key=snap.name)
    index = {d: i for i, d in enumerate(ids)}
    cells, scores, weakest = {}, {}, {}
    for dim in charts.HEATMAP_DIMENSIONS:
        matrices = {key: [[None] * len(ids) for _ in ids] for key in ("mean", "fav", "n", "delta", "hidden")}
        lowest_cell = None
        for (r, p, d), c in snap.link.items():
            if d != dim:
                continue
            i, j = index[r], index[p]
            matrices["hidden"][i][j] = 1 if c["hidden"] else 0
            if not c["hidden"]:
                matrices["mean"][i][j] = round(c["mean"], 2)
                matrices["fav"][i][j] = charts._round(c["favorable_pct"], 1)
                matrices["n"][i][j] = c["respondents"]
                matrices["delta"][i][j] = charts._round(c["delta"], 2)
                key = (c["mean"], snap.name(r), snap.name(p))
                if lowest_cell is None or key < lowest_cell[0]:
                    lowest_cell = (key, [i, j])
        # Clustered orders of raters and providers, from the shown means only (reports.seriation).
        matrices["order"] = seriation.heatmap_order(matrices["mean"])
        cells[dim] = matrices
        scores[dim] = [_mean_or_none(snap.dept(d, SUPPLIER, dim)) for d in ids]
        weakest[dim] = None if lowest_cell is None else lowest_cell[1]
    picked = weakest_link and (weakest_link["rater_id"], weakest_link["provider_id"])
    if picked and shown(snap.link.get((*picked, OVERALL))):
        weakest[OVERALL] = [index[picked[0]], index[picked[1]]]
    return charts.link_heatmap(
        names=[snap.name(d) for d in ids],
        urls=[url(d) for d in ids],
        cells=cells,
        scores=scores,
        weakest=weakest,
        centre=snap.centre(),
        min_group_size=snap.min_group_size,
        labels=snap.labels,
    )


def _mean_or_none(c):
    return round(c["mean"], 2) if shown(c) else None


def link_table(snap: Snapshot, heatmap: dict) -> list[dict]:
    """The overall heatmap as table rows (under the figure, for reading without JS)."""
    data = heatmap["cells"].get(OVERALL)
    if data is None:
        return []
    rows = []
    for i, name in enumerate(heatmap["names"]):
        row = []
        for j in range(len(heatmap["names"])):
            hidden = data["hidden"][i][j]
            row.append(
                None if hidden is None else {"hidden": bool(hidden), "mean": data["mean"][i][j], "diagonal": i == j}
            )
        rows.append({"name": name, "cells": row})
    return rows


def dimension_rows(snap: Snapshot, *, url) -> list[dict]:
    """Each supplier-scope department against the dimensions, by name."""
    return [
        {
            "name": snap.name(d),
            "url": url(d),
            "cells": {dim: snap.dept(d, SUPPLIER, dim) for dim in ROW_DIMENSIONS},
        }
        for d, _c in snap.rated()
    ]


def asymmetry_pairs(snap: Snapshot) -> list[dict]:
    """Pairs of departments rated both ways (overall, shown): how well A serves B and B serves A,
    most lopsided first."""
    pairs = []
    for (rater, provider, dim), c in snap.link.items():
        if dim != OVERALL or rater == provider or not shown(c):
            continue
        a, b = provider, rater  # this cell: how well `provider` serves `rater`
        if snap.name(a) > snap.name(b):
            continue
        back = snap.link.get((a, b, OVERALL))
        if shown(back):
            pairs.append(
                {
                    "a": snap.name(a),
                    "b": snap.name(b),
                    "a_serves_b": round(c["mean"], 2),
                    "b_serves_a": round(back["mean"], 2),
                }
            )
    pairs.sort(key=lambda p: (-abs(p["a_serves_b"] - p["b_serves_a"]), p["a"], p["b"]))
    for p in pairs:
        worse, better = ("a", "b") if p["a_serves_b"] < p["b_serves_a"] else ("b", "a")
        p["worse"], p["better"] = p[worse], p[better]
        p["worse_score"] = p[f"{worse}_serves_{better}"]
        p["better_score"] = p[f"{better}_serves_{worse}"]
        p["gap"] = round(abs(p["a_serves_b"] - p["b_serves_a"]), 2)
    return pairs


def expectation_rows(snap: Snapshot, *, url) -> list[dict]:
    """Supplier-scope departments with both an experience and an expectation mean, largest shortfall first."""
    rows = [
        {
            "name": snap.name(d),
            "url": url(d),
            "mean": round(c["mean"], 2),
            "expectation_mean": round(c["expectation_mean"], 2),
            "gap": round(c["gap"], 2),
        }
        for d, c in snap.rated()
        if shown(c) and c.get("expectation_mean") is not None and c.get("gap") is not None
    ]
    rows.sort(key=lambda r: r["gap"])
    return rows


def trends(snap: Snapshot, *, cycles: list, url) -> dict:
    """Each department's supplier overall across the visible cycles up to this one (oldest first),
    the company line, and the departments highlighted by default: the weakest and the movers."""
    names = [c.name for c in cycles]
    series = []
    for d, _c in snap.rated():
        points = [snap.dept(d, cycle_id=c.id) for c in cycles]
        series.append({"name": snap.name(d), "url": url(d), "points": [p if shown(p) else None for p in points]})
    company = [snap.company_cell(cycle_id=c.id) for c in cycles]
    company = [c if shown(c) else None for c in company]
    current = sorted((c["mean"], snap.name(d)) for d, c in snap.rated() if shown(c))
    moved = [m["name"] for group in significant_changes(snap, url=url).values() for m in group]
    highlighted = list(dict.fromkeys([*[n for _, n in current[:3]], *moved]))[:TREND_HIGHLIGHTS]
    figure = charts.trend_lines(
        cycles=names, series=series, company=company if any(company) else None, highlighted=set(highlighted)
    )
    return {"cycles": names, "series": series, "company": company if any(company) else None, "figure": figure}


# ---- A department's scorecard page ----


def department_page(snap: Snapshot, department_id: int, *, cycles: list, url, comments: dict) -> dict:
    """Everything the department page shows: overall and rank, dimensions against the company, how
    each rater department sees it, its management score from its own staff, its trend, comments."""
    dims = ROW_DIMENSIONS
    supplier = {dim: snap.dept(department_id, SUPPLIER, dim) for dim in dims}
    management = {dim: snap.dept(department_id, MANAGEMENT, dim) for dim in dims}
    dimension_rows_ = [
        {
            "dimension": dim,
            "label": snap.labels[dim],
            "cell": supplier[dim],
            "company": snap.company_cell(SUPPLIER, dim),
            "management": management[dim],
            "company_management": snap.company_cell(MANAGEMENT, dim),
            "ranked": sum(1 for _, c in snap.rated(SUPPLIER, dim) if shown(c)),
        }
        for dim in dims
    ]
    raters = _rater_rows(snap, department_id, url=url)
    return {
        "name": snap.name(department_id),
        "overall": supplier[OVERALL],
        "management_overall": management[OVERALL],
        "ranked": dimension_rows_[-1]["ranked"],
        "company": snap.company_cell(),
        "dimensions": dimension_rows_,
        "has_supplier": any(c is not None for c in supplier.values()),
        "has_management": any(c is not None for c in management.values()),
        "raters": raters,
        "figures": _department_figures(snap, department_id, dimension_rows_, raters, cycles),
        "trend": _department_trend(snap, department_id, cycles),
        "comments": comments,
    }


def _rater_rows(snap: Snapshot, department_id: int, *, url) -> list[dict]:
    raters = sorted({r for (r, p, _d) in snap.link if p == department_id and r != department_id}, key=snap.name)
    return [
        {
            "id": r,
            "name": snap.name(r),
            "url": url(r),
            "cells": {dim: snap.link.get((r, department_id, dim)) for dim in ROW_DIMENSIONS},
        }
        for r in raters
    ]


def _department_figures(snap: Snapshot, department_id: int, dimension_rows_, raters, cycles) -> dict:
    labels = [r["label"] for r in dimension_rows_]
    figures = {}
    if any(shown(r["cell"]) for r in dimension_rows_):
        figures["dimensions"] = charts.bars_against_company(
            labels=labels,
            department=[r["cell"] if shown(r["cell"]) else None for r in dimension_rows_],
            company=[r["company"] if shown(r["company"]) else None for r in dimension_rows_],
            name=snap.name(department_id),
        )
    if any(shown(r["management"]) for r in dimension_rows_):
        figures["management"] = charts.bars_against_company(
            labels=labels,
            department=[r["management"] if shown(r["management"]) else None for r in dimension_rows_],
            company=[r["company_management"] if shown(r["company_management"]) else None for r in dimension_rows_],
            name=gettext("%(name)s management") % {"name": snap.name(department_id)},
        )
    if raters:
        figures["raters"] = charts.rater_dimension_heatmap(
            rows=raters, centre=snap.centre(), min_group_size=snap.min_group_size, labels=snap.labels
        )
    return figures


def _department_trend(snap: Snapshot, department_id: int, cycles: list) -> dict:
    names = [c.name for c in cycles]
    rows = []
    scopes = ((SUPPLIER, gettext("As a supplier")), (MANAGEMENT, gettext("Its management, by its own staff")))
    for scope, label in scopes:
        points = [snap.dept(department_id, scope, OVERALL, cycle_id=c.id) for c in cycles]
        if any(p is not None for p in points):
            rows.append({"name": label, "url": "", "points": points})
    company = [snap.company_cell(cycle_id=c.id) for c in cycles]
    series = [{**r, "points": [p if shown(p) else None for p in r["points"]]} for r in rows]
    figure = charts.trend_lines(
        cycles=names,
        series=series,
        company=[c if shown(c) else None for c in company] if any(shown(c) for c in company) else None,
        highlighted={r["name"] for r in rows},
    )
    return {"cycles": names, "rows": rows, "company": company, "figure": figure if len(names) > 0 else None}
