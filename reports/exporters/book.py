"""The scorecard book: everything the XLSX workbook and the PDF show, read from the snapshot in a
fixed number of queries (whatever the number of departments), so both renderers stay pure layout.

Suppression is read, never decided here: a row flagged `suppressed` by the roll-up keeps its
figures out of every output. Comments follow their own rule (`selectors.comments_minimum`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from surveys.dimensions import OVERALL, SERVICE_DIMENSIONS
from surveys.models import Comment, Cycle, Department, Dimension

from .. import selectors
from ..models import CompanyResult, DepartmentResult, LinkResult, ParticipationResult, Scope

TREND_CYCLES = 6
SCOPE_TITLES = {
    Scope.SUPPLIER: "As a supplier (rated by the other departments)",
    Scope.MANAGEMENT: "Its management (rated by its own staff)",
}


@dataclass
class DepartmentCard:
    department: Department
    rows: dict[tuple[str, str], DepartmentResult] = field(default_factory=dict)  # (scope, dimension) → row
    trend: list[tuple[str, float | None, float | None]] = field(default_factory=list)  # cycle, supplier, management
    comments: dict[str, list[str]] = field(default_factory=dict)  # scope → texts, shuffled
    participation: ParticipationResult | None = None

    def row(self, scope: str, dimension: str = OVERALL) -> DepartmentResult | None:
        return self.rows.get((scope, dimension))

    def shown(self, scope: str, dimension: str = OVERALL) -> DepartmentResult | None:
        """The row when it may be shown, else None (missing or suppressed)."""
        row = self.rows.get((scope, dimension))
        return row if row is not None and not row.suppressed else None

    @property
    def scopes(self) -> list[str]:
        return [scope for scope in (Scope.SUPPLIER, Scope.MANAGEMENT) if (scope, OVERALL) in self.rows]


@dataclass
class LinkMatrix:
    """Overall means of every rated link: rows are raters, columns providers, both in name order."""

    departments: list[str]
    cells: dict[tuple[int, int], float | None]  # (row, column) → mean, None when hidden; absent: not rated


@dataclass
class ScorecardBook:
    cycle: Cycle
    weakest: dict | None
    dimensions: list[Dimension]  # the six service dimensions, in order, with labels and questions
    company: dict[tuple[str, str], CompanyResult]
    cards: list[DepartmentCard]
    matrix: LinkMatrix
    previous_cycle: str | None
    ranked: dict[str, int]  # scope → number of departments ranked (shown) in the overall dimension

    def company_mean(self, scope: str, dimension: str = OVERALL) -> float | None:
        row = self.company.get((scope, dimension))
        return None if row is None or row.suppressed else row.mean

    @property
    def min_group_size(self) -> int:
        return self.cycle.min_group_size


def scorecard_book(*, cycle_id: int) -> ScorecardBook:
    """Read the book of one rolled-up cycle (about ten queries, whatever the org's size)."""
    cycle = Cycle.objects.get(pk=cycle_id)
    results = list(DepartmentResult.objects.filter(cycle=cycle).select_related("department"))
    cards: dict[int, DepartmentCard] = {}
    for row in results:
        card = cards.setdefault(row.department_id, DepartmentCard(department=row.department))
        card.rows[(row.scope, row.dimension)] = row
    for rate in ParticipationResult.objects.filter(cycle=cycle, department_id__in=list(cards)):
        cards[rate.department_id].participation = rate
    _add_trends(cycle, cards)
    _add_comments(cycle, cards)
    summary = selectors.summary(cycle=cycle)
    ranked = {
        scope: sum(1 for r in results if r.scope == scope and r.dimension == OVERALL and not r.suppressed)
        for scope in Scope.values
    }
    return ScorecardBook(
        cycle=cycle,
        weakest=selectors.weakest(cycle=cycle),
        dimensions=list(Dimension.objects.filter(slug__in=SERVICE_DIMENSIONS).order_by("position")),
        company={(r.scope, r.dimension): r for r in CompanyResult.objects.filter(cycle=cycle)},
        cards=sorted(cards.values(), key=lambda c: c.department.name.casefold()),
        matrix=_link_matrix(cycle),
        previous_cycle=summary.previous_cycle.name if summary and summary.previous_cycle else None,
        ranked=ranked,
    )


def _link_matrix(cycle: Cycle) -> LinkMatrix:
    rows = list(
        LinkResult.objects.filter(cycle=cycle, dimension=OVERALL).values_list(
            "rater_department__name", "provider_department__name", "mean", "suppressed"
        )
    )
    names = sorted({r[0] for r in rows} | {r[1] for r in rows}, key=str.casefold)
    index = {name: i for i, name in enumerate(names)}
    cells = {(index[rater], index[provider]): None if hidden else mean for rater, provider, mean, hidden in rows}
    return LinkMatrix(departments=names, cells=cells)


def _add_trends(cycle: Cycle, cards: dict[int, DepartmentCard]) -> None:
    """Overall means of the last few cycles whose results may be shown, this one included."""
    visible = Q(cycle__in=Cycle.objects.with_results())
    history = DepartmentResult.objects.filter(
        visible | Q(cycle=cycle), dimension=OVERALL, cycle__name__lte=cycle.name
    ).values_list("cycle__name", "department_id", "scope", "mean", "suppressed")
    means: dict[tuple[str, int, str], float | None] = {}
    for name, department_id, scope, mean, suppressed in history:
        means[(name, department_id, scope)] = None if suppressed else mean
    names = sorted({name for name, _, _ in means})[-TREND_CYCLES:]
    for department_id, card in cards.items():
        card.trend = [
            (name, means.get((name, department_id, Scope.SUPPLIER)), means.get((name, department_id, Scope.MANAGEMENT)))
            for name in names
            if (name, department_id, Scope.SUPPLIER) in means or (name, department_id, Scope.MANAGEMENT) in means
        ]


def _add_comments(cycle: Cycle, cards: dict[int, DepartmentCard]) -> None:
    """Comments per department and scope where enough were written, in random order (never grouped
    by rater department, and never in the order they were written)."""
    comments = Comment.objects.filter(cycle=cycle)
    counts = (
        comments.order_by()
        .values("provider_department_id")
        .annotate(
            management=Count("id", filter=Q(rater_department_id=F("provider_department_id"))),
            total=Count("id"),
        )
    )
    allowed, minimum = set(), selectors.comments_minimum(min_group_size=cycle.min_group_size)
    for entry in counts:
        management, supplier = entry["management"], entry["total"] - entry["management"]
        for scope, count in ((Scope.MANAGEMENT, management), (Scope.SUPPLIER, supplier)):
            if count >= minimum:
                allowed.add((entry["provider_department_id"], scope))
    if not allowed:
        return
    texts = comments.filter(provider_department_id__in={d for d, _ in allowed}).values_list(
        "provider_department_id", "rater_department_id", "text"
    )
    for provider_id, rater_id, text in texts:
        scope = Scope.MANAGEMENT if rater_id == provider_id else Scope.SUPPLIER
        if (provider_id, scope) in allowed and provider_id in cards:
            cards[provider_id].comments.setdefault(scope, []).append(text)
    shuffle = random.SystemRandom().shuffle
    for card in cards.values():
        for texts_of_scope in card.comments.values():
            shuffle(texts_of_scope)


def link_label(link: dict) -> str:
    """A link in words: "Sales → IT", or "Sales staff → their own management" on the diagonal."""
    rater, provider = link["rater"].name, link["provider"].name
    return f"{rater} staff → their own management" if rater == provider else f"{rater} → {provider}"


def scorecard_departments(*, cycle_id: int) -> list[Department]:
    """The departments that have a scorecard in the cycle (names and slugs only, no figure), by name."""
    ids = DepartmentResult.objects.filter(cycle_id=cycle_id).values("department_id")
    return sorted(Department.objects.filter(pk__in=ids), key=lambda d: d.name.casefold())
