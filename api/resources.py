"""What the API serves under /api/v1/cycles/<cycle>/: each list is one of the contract's exports
(an exporter: a header and its rows), cut to what the token's owner may see on the web.

Adding a list is one `register(...)` line below: its URL, its schema and its place in `cycles/`
follow. Who sees what is decided here, once per list, from the person's role (surveys.roles):

- `own_department`: executives and HR every row; a manager (or anyone who may see their own
  department's scorecard) only their department's rows; everyone else is refused.
- `everyone_masked`: every row for everyone signed in (the commitments are published to the whole
  company), with the columns that only a department's scorecard readers see set to null on other
  departments' rows.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from actions.exporters import CommitmentExporter
from reports.exporters import LinkExporter, ScorecardExporter
from reports.exporters.base import ListExporter
from reports.exporters.drivers import DriverExporter
from surveys import roles
from surveys.models import Department


class NotVisible(Exception):
    """The person may not see this list at all (403): the message says who may."""


@dataclass(frozen=True)
class Viewer:
    """What the person may see, from their role: everything, or their own department only."""

    sees_all: bool
    department_id: int | None  # their department, when they may see its scorecard

    @classmethod
    def of(cls, user) -> "Viewer":
        if roles.can_see_dashboards(user):
            return cls(sees_all=True, department_id=roles.own_department_id(user))
        own = roles.own_department_id(user) if roles.can_see_own_department(user) else None
        return cls(sees_all=False, department_id=own)

    def department_name(self) -> str | None:
        if self.department_id is None:
            return None
        return Department.objects.filter(pk=self.department_id).values_list("name", flat=True).first()


@dataclass(frozen=True)
class Selection:
    """The rows to page through: a queryset of records (paged in SQL, each turned into an export
    row by `to_row`) or a list of export rows."""

    items: QuerySet | Sequence
    to_row: Callable[[Any], tuple] = tuple


class Rule:
    refusal = "Your role does not see this list."

    def allows(self, viewer: Viewer) -> bool:
        raise NotImplementedError

    def select(self, exporter: ListExporter, viewer: Viewer) -> Selection:
        raise NotImplementedError


def _all_rows(exporter: ListExporter) -> Selection:
    if hasattr(exporter, "records"):
        return Selection(exporter.records(), exporter.row)
    return Selection(list(exporter.rows()))


@dataclass(frozen=True)
class OwnDepartment(Rule):
    """Rows of the person's own department only, unless they see everything.

    `records_filter`: the exporter's `records()` keyword that narrows the rows in SQL (an exporter
    without `records()` is filtered on `column`, the department's name, instead). `company_rows`
    keeps rows whose `column` is empty too (lines about the whole company)."""

    column: str = "department"
    records_filter: str | None = None
    company_rows: bool = False
    refusal: str = "This list is for managers (their own department's rows), executives and HR."

    def allows(self, viewer: Viewer) -> bool:
        return viewer.sees_all or viewer.department_id is not None

    def select(self, exporter: ListExporter, viewer: Viewer) -> Selection:
        if not self.allows(viewer):
            raise NotVisible(self.refusal)
        if viewer.sees_all:
            return _all_rows(exporter)
        if self.records_filter and hasattr(exporter, "records"):
            return Selection(exporter.records(**{self.records_filter: viewer.department_id}), exporter.row)
        index, name = exporter.header.index(self.column), viewer.department_name()
        kept = [
            row for row in exporter.rows() if row[index] == name or (self.company_rows and row[index] in (None, ""))
        ]
        return Selection(kept)


@dataclass(frozen=True)
class EveryoneMasked(Rule):
    """Every row for everyone; `masked` columns null on rows of departments whose scorecard the
    person does not see (`column` names the row's department)."""

    masked: tuple[str, ...]
    column: str = "department"

    def allows(self, viewer: Viewer) -> bool:
        return True

    def select(self, exporter: ListExporter, viewer: Viewer) -> Selection:
        rows = list(exporter.rows())
        if viewer.sees_all:
            return Selection(rows)
        header = exporter.header
        index, hidden = header.index(self.column), {header.index(name) for name in self.masked}
        name = viewer.department_name()
        return Selection(
            [
                row
                if name is not None and row[index] == name
                else tuple(None if i in hidden else value for i, value in enumerate(row))
                for row in rows
            ]
        )


@dataclass(frozen=True)
class CycleResource:
    """One list: `path` under cycles/<cycle>/, the exporter class (called with `cycle_id=`), who
    sees which rows, and words for the OpenAPI document. `nullable` names the text columns that
    may be null (number columns always may: suppressed or hidden figures)."""

    path: str
    exporter: Callable[..., ListExporter]
    rule: Rule
    summary: str
    description: str = ""
    nullable: frozenset[str] = field(default_factory=frozenset)

    @property
    def columns(self):
        return self.exporter.columns


RESOURCES: dict[str, CycleResource] = {}


def register(resource: CycleResource) -> CycleResource:
    RESOURCES[resource.path] = resource
    return resource


register(
    CycleResource(
        "scorecards",
        ScorecardExporter,
        OwnDepartment(column="department", records_filter="department_id"),
        summary="The cycle's scorecard rows (the scorecard CSV)",
        description="One row per department, scope and dimension, as `export_scorecards` writes the CSV. "
        "Executives and HR get every department; a manager their own department's rows.",
    )
)
register(
    CycleResource(
        "links",
        LinkExporter,
        OwnDepartment(column="provider_department", records_filter="provider_id"),
        summary="The cycle's link rows (the links CSV)",
        description="Seven rows per rater → provider link, as `export_links` writes them. Executives and HR get "
        "every link; a manager the links that rate their own department (its scorecard shows these).",
    )
)
register(
    CycleResource(
        "commitments",
        CommitmentExporter,
        EveryoneMasked(masked=("owner_email", "before_mean", "after_mean", "delta", "p_value")),
        summary="The published commitments on the cycle's results (the commitments CSV)",
        description="Every published commitment, as `export_commitments` writes it; everyone signed in reads "
        "them on /actions/. The owner and the figures are shown only to those who see that department's "
        "scorecard (executives and HR: every department; a manager: their own); for others they are null.",
        nullable=frozenset({"owner_email", "follow_up_cycle"}),
    )
)

register(
    CycleResource(
        "drivers",
        DriverExporter,
        # The company's rows too: a manager's scorecard page falls back on the company's pattern.
        OwnDepartment(column="department", company_rows=True),
        summary="Which dimensions move the outcome (the drivers CSV)",
        description="Six rows per department rated as a supplier and six for the company in each scope, as "
        "`export_drivers` writes them. Executives and HR get every row; a manager their own department's "
        "and the company's.",
        nullable=frozenset({"department"}),
    )
)
