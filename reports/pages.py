"""The dashboard and department page bodies: selectors → page data → HTML, cached per snapshot.

A snapshot never changes once its roll-up is done, so the rendered body (tables and figure data)
is cached under a key (`cache_key`) that names everything the page shows, among them every
visible cycle's summary row: a new roll-up writes a new summary row (and publishing adds a
cycle), so the key changes and the stale body is never read. What depends on the person looking
(the HR downloads, sign-out form) stays outside the body.
"""

import gzip
import hashlib
import json

from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from surveys.dimensions import MANAGEMENT, OVERALL
from surveys.models import Department

from . import blindspots, charts, colours, dashboards, panels, priority, selectors, visible
from .selectors import VisibleCycle
from .snapshot import Snapshot

# Bounds staleness of what the key cannot see (a department renamed or a dimension reworded in the admin).
KEY_MAX = 200
CACHE_SECONDS = 300


def _url_maker(cycle: VisibleCycle, departments: list[dict]):
    pattern = reverse("reports:department", args=[cycle.name, "__slug__"])
    slugs = {d["id"]: d["slug"] for d in departments}
    return lambda department_id: pattern.replace("__slug__", slugs[department_id])


def _shown(cycles: list[VisibleCycle]) -> dict[str, str]:
    """The versions of what every report page shows besides its own cycle and viewer: the
    snapshots of the visible cycles (figures, trends, the cycle picker), the departments' and
    dimensions' names, and what the panels of apps above reports add (commitments). Whatever a
    page starts to show that can change on its own adds its version here, for every key."""
    return {
        "snapshot": selectors.snapshot_version(cycles),
        "names": visible.names_version(),
        **panels.versions(),
    }


def cache_key(what: str, *, cycle: VisibleCycle, cycles: list[VisibleCycle], **viewer: int | bool) -> str:
    """The cache key of `what` (a page, or a part of one) showing `cycle` among the visible
    `cycles`; `viewer` names what depends on who looks (the department shown, whether the other
    departments are linked, HR's downloads) and the key names the language too. Every page key is
    made here and names every part."""
    shown = _shown(cycles)
    assert not shown.keys() & viewer.keys(), "a viewer part would hide a shown one"
    # Every page is written in the language it is served in (chainsurvey.middleware).
    parts = {**shown, "cycle": cycle.id, "lang": translation.get_language() or "en"}
    parts.update({name: int(value) for name, value in viewer.items()})
    key = ":".join(["reports", what, *(f"{name}={parts[name]}" for name in sorted(parts))])
    if len(key) > KEY_MAX:  # memcached's limit is 250: a long key is named by its digest
        key = f"reports:{what}:{hashlib.blake2b(key.encode(), digest_size=16).hexdigest()}"
    return key


def _cached(key: str, build) -> str:
    body = cache.get(key)
    if body is None:
        body = build()
        cache.set(key, body, CACHE_SECONDS)
    return body


def dimension_labels() -> dict[str, str]:
    """The dimensions' labels in the page's language: the stored English through the catalogue
    (surveys.translations names them), so a label reworded in the admin shows as written."""
    return {slug: gettext(label) for slug, label in selectors.dimension_labels().items()}


def trend_cycles(cycle: VisibleCycle, cycles: list[VisibleCycle]) -> list[VisibleCycle]:
    """The visible cycles up to and including `cycle`, oldest first."""
    return sorted((c for c in cycles if c.name <= cycle.name), key=lambda c: c.name)


def _dashboard_keys(cycle: VisibleCycle, cycles: list[VisibleCycle]) -> tuple[str, str]:
    return cache_key("dashboard", cycle=cycle, cycles=cycles), cache_key("heatmap", cycle=cycle, cycles=cycles)


def _build_dashboard(cycle: VisibleCycle, cycles: list[VisibleCycle]) -> tuple[str, str]:
    """Render the body and the heatmap's other dimensions together, and cache both."""
    data = dashboard_data(cycle=cycle, cycles=cycles)
    data["panels"] = panels.dashboard_html(cycle=cycle)
    heatmap = data["heatmap"]
    # The page carries the overall heatmap only; the six dimensions (six times as much data) are
    # fetched from heatmap.json when someone first switches dimension.
    data["heatmap"] = {
        **heatmap,
        "cells": {OVERALL: heatmap["cells"][OVERALL]} if OVERALL in heatmap["cells"] else {},
        "more": reverse("reports:heatmap_json", args=[cycle.name]),
    }
    body = render_to_string("reports/_dashboard_body.html", data)
    more = json.dumps({"cells": {d: c for d, c in heatmap["cells"].items() if d != OVERALL}}, separators=(",", ":"))
    body_key, heatmap_key = _dashboard_keys(cycle, cycles)
    cache.set_many({body_key: body, heatmap_key: more}, CACHE_SECONDS)
    return body, more


def dashboard_body(*, cycle: VisibleCycle, cycles: list[VisibleCycle]) -> str:
    """The dashboard's body for `cycle` (one of `cycles`, the visible ones). Eight queries when not
    cached (the cycle with its summary, departments, dimension labels, scorecard rows, links, company
    rows, the company's driver rows, the company's self-view figures)."""
    body = cache.get(_dashboard_keys(cycle, cycles)[0])
    return body if body is not None else _build_dashboard(cycle, cycles)[0]


def heatmap_dimensions_json(*, cycle: VisibleCycle, cycles: list[VisibleCycle]) -> str:
    """The heatmap's six dimensions as JSON (the page itself holds overall)."""
    more = cache.get(_dashboard_keys(cycle, cycles)[1])
    return more if more is not None else _build_dashboard(cycle, cycles)[1]


def heatmap_dimensions_gzip(*, cycle: VisibleCycle, cycles: list[VisibleCycle]) -> bytes:
    """The same JSON gzip-compressed, once per cache entry (it holds nothing personal): 197 → 56 KB
    at 40 departments, 4,842 → 1,203 KB at 200."""
    key = f"{_dashboard_keys(cycle, cycles)[1]}:gzip"
    compressed = cache.get(key)
    if compressed is None:
        compressed = gzip.compress(heatmap_dimensions_json(cycle=cycle, cycles=cycles).encode(), mtime=0)
        cache.set(key, compressed, CACHE_SECONDS)
    return compressed


def dashboard_data(*, cycle: VisibleCycle, cycles: list[VisibleCycle]) -> dict:
    history = trend_cycles(cycle, cycles)
    cycle = selectors.cycle_with_summary(cycle_id=cycle.id)
    departments = selectors.departments()
    snap = Snapshot.build(
        cycle=cycle,
        departments=departments,
        labels=dimension_labels(),
        department_rows=selectors.dashboard_department_rows(cycle=cycle, cycle_ids=[c.id for c in history]),
        link_rows=selectors.link_cells(cycle=cycle),
        company_rows=selectors.company_rows(cycle_ids=[c.id for c in history]),
    )
    url = _url_maker(cycle, departments)
    weakest = selectors.stored_weakest(cycle.rollup_summary)
    heatmap = dashboards.link_heatmap(snap, url=url, weakest_link=weakest["link"])
    dimension_rows = dashboards.dimension_rows(snap, url=url)
    pairs = dashboards.asymmetry_pairs(snap)
    expectations = dashboards.expectation_rows(snap, url=url)
    return {
        "cycle": cycle,
        "min_group_size": cycle.min_group_size,
        "hidden_label": gettext(charts.hidden_label(cycle.min_group_size)),
        "headline": dashboards.headline(snap, cycle.rollup_summary, weakest=weakest, url=url),
        "colour_scale": colours.scale(snap.centre()),
        "departments": dashboards.department_table(snap, url=url),
        "heatmap": heatmap,
        "link_table": dashboards.link_table(snap, heatmap),
        "dimensions": list(snap.labels.items()),
        "dimension_rows": dimension_rows,
        "dimension_figure": charts.department_dimension_heatmap(
            rows=dimension_rows, centre=snap.centre(), min_group_size=cycle.min_group_size, labels=snap.labels
        )
        if dimension_rows
        else None,
        "pairs": pairs[: dashboards.ASYMMETRY_TABLE_ROWS],
        "pairs_count": len(pairs),
        "asymmetry_points": charts.ASYMMETRY_POINTS,
        "asymmetry_figure": charts.asymmetry_scatter(pairs=pairs, centre=snap.centre()) if pairs else None,
        "expectations": expectations,
        "expectation_figure": charts.expectation_scatter(rows=expectations) if expectations else None,
        "trends": dashboards.trends(snap, cycles=history, url=url),
        "blind_spot": blindspots.management_blind_spot(
            selectors.self_view_rows(cycle=cycle),
            snap.company_cell(MANAGEMENT, OVERALL),
            [snap.dept(d, MANAGEMENT) for d in snap.departments],
        ),
        **_company_drivers(cycle, snap.labels),
    }


def _company_drivers(cycle, labels: dict) -> dict:
    rows_by_scope, asked = selectors.company_drivers(cycle=cycle)
    return {
        "outcome_asked": asked,
        "company_drivers": priority.company_drivers(rows_by_scope=rows_by_scope, labels=labels),
    }


def department_body(*, cycle: VisibleCycle, cycles: list[VisibleCycle], department: Department, full: bool) -> str:
    """A department page's body; `full` (executives, HR) links to the other departments' pages."""
    key = cache_key("department", cycle=cycle, cycles=cycles, department=department.id, full=full)

    def build():
        data = department_data(cycle=cycle, cycles=cycles, department=department, full=full)
        data["panels"] = panels.department_html(cycle=cycle, department_id=department.id, full=full)
        return render_to_string("reports/_department_body.html", data)

    return _cached(key, build)


def _supplier_cells(page: dict):
    return [(row["dimension"], row["cell"]) for row in page["dimensions"]]


def department_data(*, cycle: VisibleCycle, cycles: list[VisibleCycle], department: Department, full: bool) -> dict:
    history = trend_cycles(cycle, cycles)
    cycle = selectors.cycle_with_summary(cycle_id=cycle.id)
    departments = selectors.departments()
    snap = Snapshot.build(
        cycle=cycle,
        departments=departments,
        labels=dimension_labels(),
        department_rows=selectors.department_page_rows(
            cycle=cycle, department_id=department.id, cycle_ids=[c.id for c in history]
        ),
        link_rows=selectors.link_cells(cycle=cycle, provider_id=department.id),
        company_rows=selectors.company_rows(cycle_ids=[c.id for c in history]),
    )
    department_url = _url_maker(cycle, departments)
    url = department_url if full else (lambda department_id: "")
    page = dashboards.department_page(
        snap,
        department.id,
        cycles=history,
        url=url,
        comments=selectors.comments_shown(cycle=cycle, department_id=department.id),
    )
    mine, company_drivers, outcome_asked = selectors.department_drivers(cycle=cycle, department_id=department.id)
    shown_mean = {dim: c["mean"] if c and not c["hidden"] else None for dim, c in _supplier_cells(page)}
    matrix = priority.priority_matrix(
        rows=mine,
        company_rows=company_drivers,
        scores=shown_mean,
        overall=shown_mean.get(OVERALL),
        labels=dict(snap.labels),
    )
    return {
        "cycle": cycle,
        "department": department,
        "full": full,
        "outcome_asked": outcome_asked,
        "priority": matrix,
        "blind_spots": blindspots.department_rows(
            selectors.self_view_rows(cycle=cycle, department_id=department.id), page
        ),
        "min_group_size": cycle.min_group_size,
        "hidden_label": gettext(charts.hidden_label(cycle.min_group_size)),
        "comments_minimum": selectors.comments_minimum(min_group_size=cycle.min_group_size),
        "dimensions": list(snap.labels.items()),
        "page": page,
        "snapshot": snap,  # for what builds on the page's figures (the commitments' focus)
    }
