"""Suggested focus: what a department's page of commitments opens with.

Read from the same page data as the department's scorecard (`reports.pages.department_data`), so
that it shows no figure the scorecard hides: the weakest dimensions in each scope against the
company, the rater departments that rate it lowest, its expectation gap.
"""

from dataclasses import dataclass, field

from reports import pages
from reports.dashboards import shown
from reports.selectors import VisibleCycle
from surveys.dimensions import OVERALL
from surveys.models import Department

WEAKEST_SHOWN = 2
LOWEST_RATERS_SHOWN = 3


@dataclass
class Focus:
    supplier: list[dict] = field(default_factory=list)  # weakest dimensions first: dimension, mean, company, gap
    management: list[dict] = field(default_factory=list)
    raters: list[dict] = field(default_factory=list)  # every shown rater department, lowest overall first
    overall: dict | None = None  # the supplier overall cell (mean, expectation_mean, gap), when shown

    @property
    def lowest_raters(self) -> list[dict]:
        return self.raters[:LOWEST_RATERS_SHOWN]

    @property
    def is_empty(self) -> bool:
        return not (self.supplier or self.management or self.raters or self.overall)


def _weakest(rows: list[dict], cell_key: str, company_key: str) -> list[dict]:
    found = []
    for row in rows:
        c, company = row[cell_key], row[company_key]
        if row["dimension"] == OVERALL or not shown(c):
            continue
        against = company["mean"] if shown(company) else None
        found.append(
            {
                "dimension": row["dimension"],
                "mean": c["mean"],
                "company": against,
                "difference": None if against is None else c["mean"] - against,
            }
        )
    # Furthest below the company first; without a company figure, the lowest mean.
    found.sort(key=lambda r: (r["difference"] if r["difference"] is not None else r["mean"], r["dimension"]))
    return found[:WEAKEST_SHOWN]


def department_focus(*, cycle: VisibleCycle, cycles: list[VisibleCycle], department: Department) -> Focus:
    """The suggested focus of `department` on `cycle`'s results (one of the visible `cycles`)."""
    page = pages.department_data(cycle=cycle, cycles=cycles, department=department, full=False)["page"]
    raters = [
        {"id": r["id"], "name": r["name"], "mean": r["cells"][OVERALL]["mean"]}
        for r in page["raters"]
        if shown(r["cells"].get(OVERALL))
    ]
    raters.sort(key=lambda r: (r["mean"], r["name"]))
    overall = page["overall"] if shown(page["overall"]) else None
    return Focus(
        supplier=_weakest(page["dimensions"], "cell", "company"),
        management=_weakest(page["dimensions"], "management", "company_management"),
        raters=raters,
        overall=overall,
    )
