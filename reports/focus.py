"""A department's suggested focus: its dimensions ranked weakest first, beside the company's.

One plain function over a `reports.snapshot.Snapshot`, so that the dashboard's headline and the
commitments page suggest the same thing. Only shown figures take part: a hidden dimension is
neither ranked nor hinted at, and a hidden company figure is left out of the comparison.
"""

from surveys.dimensions import SERVICE_DIMENSIONS

from .models import Scope
from .snapshot import Snapshot, shown


def weakest_dimensions(snap: Snapshot, department_id: int, scope: str = Scope.SUPPLIER) -> list[dict]:
    """The department's shown service dimensions in `scope`, lowest mean first (ties in the
    contract's dimension order). Each item: `dimension` (slug), `label`, `cell` (its figures),
    `company` (the company's cell of that scope and dimension, None unless shown) and
    `versus_company` (its mean minus the company's, None without a company figure)."""
    ranked = []
    for dim in SERVICE_DIMENSIONS:
        own = snap.dept(department_id, scope, dim)
        if not shown(own):
            continue
        company = snap.company_cell(scope, dim)
        company = company if shown(company) else None
        ranked.append(
            {
                "dimension": dim,
                "label": snap.labels[dim],
                "cell": own,
                "company": company,
                "versus_company": None if company is None else own["mean"] - company["mean"],
            }
        )
    ranked.sort(key=lambda item: item["cell"]["mean"])  # a stable sort: ties keep the contract's order
    return ranked
