"""Recognition: the good news of a cycle's results, in sentences, for everyone.

A chain is strengthened by showing what works as well as what breaks: the departments rated best
on a dimension by the departments they serve, the management its own staff rate highest, the
strongest links, and the significant improvements (Welch's test, the roll-up's stored
`delta_significant`). Only good news, and only from figures the snapshot shows: a hidden row is
never read here, so this page publishes a subset of what the dashboards publish and can give
nothing away that they do not.

`recognition(cycle)` reads the snapshot (four queries, whatever the company's size) and returns
the praises, each naming its department: the page lists them all, and each recognised
department's managers get theirs by email (actions.notices, kind `recognised`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from reports.models import CycleSummary, DepartmentResult, LinkResult, Scope
from reports.selectors import dimension_labels
from surveys.dimensions import OVERALL, SERVICE_DIMENSIONS
from surveys.models import Cycle, Department

STRONGEST_LINKS = 3  # links named as the strongest of the company
KINDS = ("best", "management", "link", "improved")  # the page's order


@dataclass(frozen=True)
class Praise:
    department: Department
    kind: str  # best | management | link | improved
    sentence: str


@dataclass
class Recognition:
    cycle: Cycle
    previous: str | None
    praises: list[Praise] = field(default_factory=list)

    def by_kind(self, kind: str) -> list[Praise]:
        return [p for p in self.praises if p.kind == kind]

    def for_department(self, department_id: int) -> list[Praise]:
        return [p for p in self.praises if p.department.id == department_id]

    @property
    def departments(self) -> list[Department]:
        """Every recognised department, once, by name."""
        found = {p.department.id: p.department for p in self.praises}
        return sorted(found.values(), key=lambda d: d.name.casefold())


def _words(labels: list[str]) -> str:
    labels = [label[:1].lower() + label[1:] for label in labels]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", "−")


def recognition(*, cycle: Cycle) -> Recognition:
    labels = dimension_labels()
    summary = CycleSummary.objects.filter(cycle=cycle).select_related("previous_cycle").first()
    found = Recognition(
        cycle=cycle, previous=summary.previous_cycle.name if summary and summary.previous_cycle else None
    )
    shown = list(DepartmentResult.objects.filter(cycle=cycle, suppressed=False).select_related("department"))
    _best(found, shown, labels)
    _links(found, cycle)
    _improved(found, shown, labels)
    found.praises.sort(key=lambda p: KINDS.index(p.kind))  # stable: each kind's own order stays
    return found


def _best(found: Recognition, shown: list[DepartmentResult], labels: dict[str, str]) -> None:
    """Rank 1 of a scope and dimension among the shown departments (ties share it)."""
    firsts: dict[tuple[int, str], list[DepartmentResult]] = defaultdict(list)
    for row in shown:
        if row.rank == 1:
            firsts[(row.department_id, row.scope)].append(row)
    order = {slug: i for i, slug in enumerate([OVERALL, *SERVICE_DIMENSIONS])}
    for (_, scope), rows in sorted(firsts.items(), key=lambda item: item[1][0].department.name.casefold()):
        rows.sort(key=lambda r: order.get(r.dimension, 99))
        department = rows[0].department
        overall = next((r for r in rows if r.dimension == OVERALL), None)
        dimensions = [labels[r.dimension] for r in rows if r.dimension != OVERALL and r.dimension in labels]
        if scope == Scope.SUPPLIER:
            if overall is not None:
                found.praises.append(
                    Praise(
                        department,
                        "best",
                        f"{department.name} is the best-rated department as a supplier: {overall.mean:.2f} overall, "
                        "from the departments it serves.",
                    )
                )
            if dimensions:
                found.praises.append(
                    Praise(
                        department,
                        "best",
                        f"{department.name} is rated best on {_words(dimensions)} by the departments it serves.",
                    )
                )
        elif overall is not None:
            found.praises.append(
                Praise(
                    department,
                    "management",
                    f"{department.name}'s staff rate their own management highest of any department: "
                    f"{overall.mean:.2f} overall.",
                )
            )


def _links(found: Recognition, cycle: Cycle) -> None:
    strongest = (
        LinkResult.objects.filter(cycle=cycle, scope=Scope.SUPPLIER, dimension=OVERALL, suppressed=False)
        .select_related("rater_department", "provider_department")
        .order_by("-mean", "rater_department__name", "provider_department__name")[:STRONGEST_LINKS]
    )
    for i, link in enumerate(strongest):
        which = "the strongest link of the company" if i == 0 else "one of the strongest links of the company"
        found.praises.append(
            Praise(
                link.provider_department,
                "link",
                f"{link.rater_department.name} rates the service it gets from {link.provider_department.name} "
                f"at {link.mean:.2f}: {which}.",
            )
        )


def _improved(found: Recognition, shown: list[DepartmentResult], labels: dict[str, str]) -> None:
    """Significant rises (p < 0.05) since the previous cycle, per department and scope."""
    if found.previous is None:
        return
    rises: dict[tuple[int, str], list[DepartmentResult]] = defaultdict(list)
    for row in shown:
        if row.delta_significant and row.delta is not None and row.delta > 0 and row.dimension in labels:
            rises[(row.department_id, row.scope)].append(row)
    for (_, scope), rows in sorted(rises.items(), key=lambda item: item[1][0].department.name.casefold()):
        department = rows[0].department
        overall = next((r for r in rows if r.dimension == OVERALL), None)
        dimensions = sorted((r for r in rows if r.dimension != OVERALL), key=lambda r: -r.delta)
        parts = [
            f"{labels[r.dimension][:1].lower() + labels[r.dimension][1:]} ({_signed(r.delta)})" for r in dimensions
        ]
        who = (
            "as the departments it serves see it"
            if scope == Scope.SUPPLIER
            else "as its own staff see their management"
        )
        text = f"{department.name} improved"
        if parts:
            text += f" on {_words(parts)}" if len(parts) > 1 else f" on {parts[0]}"
        if overall is not None:
            text += f"{',' if parts else ''} {_signed(overall.delta)} overall"
        found.praises.append(Praise(department, "improved", f"{text}, {who}, since {found.previous}."))
