"""Blind spots (issue 21.4): a department's view of itself beside its customers' view, and the
company's managers' view of their management beside their staff's. Page data only, from the
snapshot (SelfViewResult, and the scorecard cells the page already holds); no query."""

from __future__ import annotations

from surveys.dimensions import MANAGEMENT, OVERALL, SERVICE_DIMENSIONS, SUPPLIER

from .snapshot import shown


def department_rows(self_views, page: dict) -> dict[str, list[dict]]:
    """Per scope, per dimension whose self-view is shown: the self-view mean, the customers' (or,
    for management, its staff's) mean where that is shown, and the gap between them."""
    mine = {(r.scope, r.dimension): r.mean for r in self_views if r.mean is not None}
    result: dict[str, list[dict]] = {SUPPLIER: [], MANAGEMENT: []}
    for row in page["dimensions"]:
        if row["dimension"] not in SERVICE_DIMENSIONS:
            continue
        for scope, cell in ((SUPPLIER, row["cell"]), (MANAGEMENT, row["management"])):
            own = mine.get((scope, row["dimension"]))
            if own is None:
                continue
            theirs = cell["mean"] if shown(cell) else None
            result[scope].append(
                {"label": row["label"], "own": own, "theirs": theirs, "gap": None if theirs is None else own - theirs}
            )
    return result


def management_blind_spot(company_self_views, company_management_cell, department_management_cells) -> dict | None:
    """The company-wide sentence's two figures, where both are shown: what managers think their
    staff make of their management, and what their staff say: the company's management overall,
    or where that is hidden (the differencing rule hides it beside a small hidden department),
    the pool of the departments' management overall figures that are shown. That pool is made of
    published figures only (their means and ratings), so it tells nothing the scorecard does not.
    """
    managers = next((r.mean for r in company_self_views if r.scope == MANAGEMENT and r.dimension == OVERALL), None)
    if managers is None:
        return None
    if shown(company_management_cell):
        return {"managers": managers, "staff": company_management_cell["mean"], "departments": None}
    cells = [c for c in department_management_cells if shown(c) and c.get("ratings")]
    if not cells:
        return None
    pooled = sum(c["mean"] * c["ratings"] for c in cells) / sum(c["ratings"] for c in cells)
    return {"managers": managers, "staff": pooled, "departments": len(cells)}
