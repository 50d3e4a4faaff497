"""Snapshot rows of one cycle indexed as cells (see `cell`), with the dimensions' labels: what the
dashboard, the department pages and any other page built from the snapshot (a department's
suggested focus) read. No ORM, no request; nothing here derives a figure from a hidden row."""

from dataclasses import dataclass, field

from surveys.dimensions import OVERALL

from . import colours
from .models import Scope


def cell(row: dict | None) -> dict | None:
    """A figure cell for templates and charts: None (nobody rated), {"hidden": True} (suppressed:
    no figure at all), or the row's figures with hidden False."""
    if row is None:
        return None
    if row["suppressed"]:
        return {"hidden": True}
    return {"hidden": False, **{k: v for k, v in row.items() if k != "suppressed"}}


def shown(c: dict | None) -> bool:
    return c is not None and not c["hidden"]


@dataclass
class Snapshot:
    """Indexed snapshot rows of one cycle (plus the trend rows of earlier visible cycles)."""

    cycle_id: int
    min_group_size: int
    departments: dict[int, dict]
    labels: dict[str, str]  # dimension slug (overall too) → its label, as the admin words it
    department: dict = field(default_factory=dict)  # (cycle_id, department_id, scope, dim) → cell
    link: dict = field(default_factory=dict)  # (rater_id, provider_id, dim) → cell
    company: dict = field(default_factory=dict)  # (cycle_id, scope, dim) → cell

    @classmethod
    def build(cls, *, cycle, departments, labels, department_rows, link_rows=(), company_rows=()):
        snap = cls(cycle.id, cycle.min_group_size, {d["id"]: d for d in departments}, labels)
        for r in department_rows:
            snap.department[(r["cycle_id"], r["department_id"], r["scope"], r["dimension"])] = cell(r)
        for r in link_rows:
            snap.link[(r["rater_department_id"], r["provider_department_id"], r["dimension"])] = cell(r)
        for r in company_rows:
            snap.company[(r["cycle_id"], r["scope"], r["dimension"])] = cell(r)
        return snap

    def dept(self, department_id, scope=Scope.SUPPLIER, dim=OVERALL, cycle_id=None):
        return self.department.get((cycle_id or self.cycle_id, department_id, scope, dim))

    def company_cell(self, scope=Scope.SUPPLIER, dim=OVERALL, cycle_id=None):
        return self.company.get((cycle_id or self.cycle_id, scope, dim))

    def name(self, department_id) -> str:
        return self.departments[department_id]["name"]

    def centre(self) -> float:
        """The colour scale's neutral point: the company mean; without one (hidden, or not rolled
        up), the median shown department, so that colours still split better from worse."""
        company = self.company_cell()
        return colours.neutral_point(
            company["mean"] if shown(company) else None, [c["mean"] for _, c in self.rated() if shown(c)]
        )

    def rated(self, scope=Scope.SUPPLIER, dim=OVERALL) -> list[tuple[int, dict]]:
        """(department id, cell) of every department with a row in this scope and dimension, by name."""
        found = [(d, self.dept(d, scope, dim)) for d in self.departments]
        return sorted(((d, c) for d, c in found if c is not None), key=lambda item: self.name(item[0]))
