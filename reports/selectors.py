"""Reads of the roll-up snapshot. Dashboards and exports call these; none of them touch answers."""

import re
from typing import NamedTuple

from django.db.models import Case, CharField, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When, Window

from surveys.dimensions import OVERALL, ROW_DIMENSIONS
from surveys.models import CYCLE_NAME_RE, Comment, Cycle, Department

from .columns import FIGURE_FIELDS
from .models import (
    CompanyResult,
    CycleSummary,
    DepartmentResult,
    LinkResult,
    ParticipationResult,
    RollupRun,
    Scope,
)


def _dimension_order() -> Case:
    return Case(
        *(When(dimension=slug, then=Value(i)) for i, slug in enumerate(ROW_DIMENSIONS)),
        default=Value(len(ROW_DIMENSIONS)),
        output_field=IntegerField(),
    )


def _scope_order() -> Case:
    return Case(When(scope=Scope.SUPPLIER, then=Value(0)), default=Value(1), output_field=IntegerField())


def summary(*, cycle: Cycle) -> CycleSummary | None:
    """The cycle's roll-up summary (when and over how many answers it ran, weakest links), or None."""
    return (
        CycleSummary.objects.select_related(
            "run",
            "previous_cycle",
            "weakest_department",
            "weakest_supplier_link_rater",
            "weakest_supplier_link_provider",
            "weakest_management_link",
        )
        .filter(cycle=cycle)
        .first()
    )


def cycle_with_rollup_state(*, name: str) -> Cycle | None:
    """The cycle of that name, or None (also for a malformed name, without querying), annotated with
    `has_rollup` (a finished roll-up's snapshot exists) and `rollup_pending` (a run is requested or
    under way). One query."""
    if not re.fullmatch(CYCLE_NAME_RE, name):
        return None
    return (
        Cycle.objects.filter(name=name)
        .annotate(
            has_rollup=Exists(CycleSummary.objects.filter(cycle_id=OuterRef("pk"))),
            rollup_pending=Exists(RollupRun.objects.pending().filter(cycle_id=OuterRef("pk"))),
        )
        .first()
    )


def cycles_with_results() -> QuerySet[Cycle]:
    """Cycles whose results may be shown (published, or closed historical) and are rolled up, newest first."""
    return Cycle.objects.with_results().order_by("-name")


def scorecard_rows(*, cycle: Cycle, department_id: int | None = None) -> QuerySet[DepartmentResult]:
    """Scorecard rows by department name, scope (supplier first) and dimension (contract order, overall last)."""
    rows = DepartmentResult.objects.filter(cycle=cycle).select_related("department")
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    return rows.annotate(_scope=_scope_order(), _dimension=_dimension_order()).order_by(
        "department__name", "_scope", "_dimension"
    )


def link_rows(*, cycle: Cycle, dimension: str | None = None) -> QuerySet[LinkResult]:
    """Link rows by rater name, provider name and dimension (contract order, overall last)."""
    rows = LinkResult.objects.filter(cycle=cycle).select_related("rater_department", "provider_department")
    if dimension is not None:
        rows = rows.filter(dimension=dimension)
    return rows.annotate(_dimension=_dimension_order()).order_by(
        "rater_department__name", "provider_department__name", "_dimension"
    )


def response_rates(*, cycle: Cycle) -> QuerySet[ParticipationResult]:
    return ParticipationResult.objects.filter(cycle=cycle).select_related("department").order_by("department__name")


def weakest(*, cycle: Cycle) -> dict | None:
    """The cycle's weakest department, supplier link, management link and overall weakest link
    (diagonal included, as the contract's "Weakest link"), with the chain strength against the
    company mean. None when the cycle has not been rolled up."""
    found = summary(cycle=cycle)
    if found is None:
        return None
    department = (
        {"department": found.weakest_department, "mean": found.weakest_department_mean}
        if found.weakest_department_id
        else None
    )
    supplier_link = (
        {
            "rater": found.weakest_supplier_link_rater,
            "provider": found.weakest_supplier_link_provider,
            "mean": found.weakest_supplier_link_mean,
        }
        if found.weakest_supplier_link_provider_id
        else None
    )
    management_link = (
        {
            "rater": found.weakest_management_link,
            "provider": found.weakest_management_link,
            "mean": found.weakest_management_link_mean,
        }
        if found.weakest_management_link_id
        else None
    )
    candidates = [link for link in (supplier_link, management_link) if link is not None]
    return {
        "department": department,
        "supplier_link": supplier_link,
        "management_link": management_link,
        "link": min(candidates, key=lambda link: link["mean"]) if candidates else None,
        "chain_strength": found.chain_strength,
        "company_mean": found.company_mean,
        "response_rate": found.response_rate,
        "computed_at": found.computed_at,
        "answers_count": found.answers_count,
    }


def link_matrix(*, cycle: Cycle, dimension: str = OVERALL) -> dict:
    """The rater × provider matrix of one dimension for a heatmap: department names in order, and
    per cell the mean (None where suppressed or unrated) and whether it is suppressed."""
    rows = list(link_rows(cycle=cycle, dimension=dimension))
    names = sorted({row.rater_department.name for row in rows} | {row.provider_department.name for row in rows})
    index = {name: i for i, name in enumerate(names)}
    means: list[list[float | None]] = [[None] * len(names) for _ in names]
    suppressed: list[list[bool]] = [[False] * len(names) for _ in names]
    for row in rows:
        i, j = index[row.rater_department.name], index[row.provider_department.name]
        means[i][j] = row.mean
        suppressed[i][j] = row.suppressed
    return {"departments": names, "means": means, "suppressed": suppressed}


def trends(*, department_id: int, scope: str = Scope.SUPPLIER, dimension: str = OVERALL) -> QuerySet[DepartmentResult]:
    """One department's rows of one scope and dimension across every rolled-up cycle, oldest first."""
    return (
        DepartmentResult.objects.filter(department_id=department_id, scope=scope, dimension=dimension)
        .select_related("cycle")
        .order_by("cycle__name")
    )


# ---- Dashboards and department pages: plain dicts, a fixed number of queries whatever the size ----

FIGURES = FIGURE_FIELDS
LINK_FIGURES = ("respondents", "mean", "favorable_pct", "delta", "delta_significant", "suppressed")
# Comments are shown for a department and scope only from this many commenters (or the cycle's
# minimum group size, if larger): a handful of comments is too easy to attribute.
COMMENTS_MIN_COMMENTERS = 10


class VisibleCycle(NamedTuple):
    """A cycle whose results may be shown, light: what a page needs on every request."""

    id: int
    name: str
    summary_id: int

    @property
    def pk(self) -> int:
        return self.id


def visible_cycles() -> list[VisibleCycle]:
    """Cycles whose results executives may see (published, or imported history) and that are
    rolled up, newest first, with the id of their roll-up summary. One light query."""
    rows = Cycle.objects.with_results().order_by("-name").values_list("id", "name", "rollup_summary__id")
    return [VisibleCycle(*row) for row in rows]


def cycle_with_summary(*, cycle_id: int) -> Cycle:
    """The cycle with its `rollup_summary` (what a page body needs when it is not cached). One query."""
    return Cycle.objects.select_related("rollup_summary").get(pk=cycle_id)


def snapshot_version(cycles: list[VisibleCycle]) -> str:
    """Changes whenever any visible cycle is rolled up again (a new summary row) or published: a
    cache key part for everything built from these cycles' snapshots."""
    return "-".join(f"{cycle.id}.{cycle.summary_id}" for cycle in cycles)


def departments() -> list[dict]:
    """Every department: id, name, slug, is_executive_office, by name. One query."""
    return list(Department.objects.order_by("name").values("id", "name", "slug", "is_executive_office"))


def department_by_slug(slug: str) -> Department | None:
    return Department.objects.filter(slug=slug).first()


def department_slug(department_id: int) -> str | None:
    return Department.objects.filter(pk=department_id).values_list("slug", flat=True).first()


def dashboard_department_rows(*, cycle: Cycle, cycle_ids: list[int]) -> list[dict]:
    """Every scorecard row of `cycle`, plus the supplier `overall` rows of `cycle_ids` (trends). One query."""
    trend = Q(cycle_id__in=cycle_ids, scope=Scope.SUPPLIER, dimension=OVERALL)
    return list(
        DepartmentResult.objects.filter(Q(cycle=cycle) | trend).values(
            "cycle_id", "department_id", "scope", "dimension", *FIGURES
        )
    )


def department_page_rows(*, cycle: Cycle, department_id: int, cycle_ids: list[int]) -> list[dict]:
    """Every scorecard row of `cycle` (all departments: ranks, comparisons), plus this department's
    `overall` rows of both scopes in `cycle_ids` (its trend). One query."""
    history = Q(cycle_id__in=cycle_ids, department_id=department_id, dimension=OVERALL)
    return list(
        DepartmentResult.objects.filter(Q(cycle=cycle) | history).values(
            "cycle_id", "department_id", "scope", "dimension", *FIGURES
        )
    )


def link_cells(*, cycle: Cycle, provider_id: int | None = None) -> list[dict]:
    """The cycle's link rows (all dimensions), or only those of one provider. One query."""
    rows = LinkResult.objects.filter(cycle=cycle)
    if provider_id is not None:
        rows = rows.filter(provider_department_id=provider_id)
    return list(rows.values("rater_department_id", "provider_department_id", "dimension", *LINK_FIGURES))


def company_rows(*, cycle_ids: list[int]) -> list[dict]:
    """The company line (both scopes, every dimension) of these cycles. One query; none before the
    roll-up fills it."""
    return list(CompanyResult.objects.filter(cycle_id__in=cycle_ids).values("cycle_id", "scope", "dimension", *FIGURES))


def comments_shown(*, cycle: Cycle, department_id: int) -> dict[str, list[str]]:
    """Comments on a department per scope, in random order, only for a scope where at least
    COMMENTS_MIN_COMMENTERS (or the cycle's minimum group size, if larger) commented; never split
    by rater department. A comment carries no respondent key, so comments are counted as
    commenters (the survey takes one comment per person and provider). One query."""
    minimum = max(COMMENTS_MIN_COMMENTERS, cycle.min_group_size)
    scope = Case(
        When(rater_department_id=F("provider_department_id"), then=Value(Scope.MANAGEMENT.value)),
        default=Value(Scope.SUPPLIER.value),
        output_field=CharField(),
    )
    rows = (
        Comment.objects.filter(cycle=cycle, provider_department_id=department_id)
        .annotate(scope=scope)
        .annotate(commenters=Window(Count("id"), partition_by=[F("scope")]))
        .filter(commenters__gte=minimum)
        .order_by("?")
        .values_list("scope", "text")
    )
    shown: dict[str, list[str]] = {Scope.SUPPLIER: [], Scope.MANAGEMENT: []}
    for found_scope, text in rows:
        shown[found_scope].append(text)
    return shown
