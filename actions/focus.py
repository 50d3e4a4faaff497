"""Suggested focus: what a department's page of commitments opens with.

Read from the same page data as the department's scorecard (`reports.pages.department_data`), so
that it shows no figure the scorecard hides: its weakest dimensions in each scope beside the
company (`reports.focus`, which the dashboard's headline uses too), the rater departments that
rate it lowest, its expectation gap.
"""

from dataclasses import dataclass, field

from reports import pages
from reports.focus import weakest_dimensions
from reports.models import Scope
from reports.selectors import VisibleCycle
from reports.snapshot import shown
from surveys.dimensions import OVERALL
from surveys.models import Department

WEAKEST_SHOWN = 2
LOWEST_RATERS_SHOWN = 3


@dataclass
class Focus:
    supplier: list[dict] = field(default_factory=list)  # reports.focus items, weakest first
    management: list[dict] = field(default_factory=list)
    raters: list[dict] = field(default_factory=list)  # every shown rater department: id, name, mean; lowest first
    overall: dict | None = None  # the supplier overall cell (mean, expectation_mean, gap), when shown

    @property
    def lowest_raters(self) -> list[dict]:
        return self.raters[:LOWEST_RATERS_SHOWN]

    @property
    def is_empty(self) -> bool:
        return not (self.supplier or self.management or self.raters or self.overall)


def department_focus(*, cycle: VisibleCycle, cycles: list[VisibleCycle], department: Department) -> Focus:
    """The suggested focus of `department` on `cycle`'s results (one of the visible `cycles`)."""
    data = pages.department_data(cycle=cycle, cycles=cycles, department=department, full=False)
    page, snap = data["page"], data["snapshot"]
    raters = [
        {"id": r["id"], "name": r["name"], "mean": r["cells"][OVERALL]["mean"]}
        for r in page["raters"]
        if shown(r["cells"].get(OVERALL))
    ]
    raters.sort(key=lambda r: (r["mean"], r["name"]))
    return Focus(
        supplier=weakest_dimensions(snap, department.id, Scope.SUPPLIER)[:WEAKEST_SHOWN],
        management=weakest_dimensions(snap, department.id, Scope.MANAGEMENT)[:WEAKEST_SHOWN],
        raters=raters,
        overall=page["overall"] if shown(page["overall"]) else None,
    )
