"""Reads of the roll-up snapshot. Dashboards and exports call these; none of them touch answers."""

import random
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Case, CharField, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When, Window

from surveys.dimensions import OVERALL, ROW_DIMENSIONS, SERVICE_DIMENSIONS
from surveys.models import CYCLE_NAME_RE, Comment, Cycle, Department, Dimension

from . import colours, panels
from .columns import FIGURE_FIELDS
from .models import (
    CompanyResult,
    CycleSummary,
    DepartmentResult,
    DriverResult,
    DriverSummary,
    LinkResult,
    ParticipationResult,
    RollupRun,
    Scope,
    SelfViewResult,
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


def link_rows(*, cycle: Cycle, dimension: str | None = None, provider_id: int | None = None) -> QuerySet[LinkResult]:
    """Link rows by rater name, provider name and dimension (contract order, overall last)."""
    rows = LinkResult.objects.filter(cycle=cycle).select_related("rater_department", "provider_department")
    if dimension is not None:
        rows = rows.filter(dimension=dimension)
    if provider_id is not None:
        rows = rows.filter(provider_department_id=provider_id)
    return rows.annotate(_dimension=_dimension_order()).order_by(
        "rater_department__name", "provider_department__name", "_dimension"
    )


def driver_rows(*, cycle: Cycle, department_id: int | None = None) -> QuerySet[DriverResult]:
    """Driver rows (contract "Drivers"): departments by name, then the company's (supplier scope,
    then management), each group's six dimensions in their order. With `department_id`: that
    department's rows and the company's."""
    rows = DriverResult.objects.filter(cycle=cycle).select_related("department")
    if department_id is not None:
        rows = rows.filter(Q(department_id=department_id) | Q(department__isnull=True))
    return rows.annotate(_scope=_scope_order(), _dimension=_dimension_order()).order_by(
        F("department__name").asc(nulls_last=True), "_scope", "_dimension"
    )


def department_drivers(*, cycle: Cycle, department_id: int) -> tuple[list[DriverResult], list[DriverResult], bool]:
    """(the department's supplier driver rows, the company's supplier rows, whether the cycle had
    outcome answers), for its priority matrix. One query."""
    asked = DriverSummary.objects.filter(cycle=OuterRef("cycle"), outcome_answers=True)
    rows = list(
        DriverResult.objects.filter(cycle=cycle, scope=Scope.SUPPLIER)
        .filter(Q(department_id=department_id) | Q(department__isnull=True))
        .annotate(_asked=Exists(asked))
    )
    mine = [r for r in rows if r.department_id == department_id]
    company = [r for r in rows if r.department_id is None]
    return mine, company, bool(rows) and rows[0]._asked


def company_drivers(*, cycle: Cycle) -> tuple[dict[str, list[DriverResult]], bool]:
    """The company's driver rows by scope (supplier, management), each in the dimensions' order,
    and whether the cycle had outcome answers: the dashboard's "what makes service feel good". One
    query."""
    asked = DriverSummary.objects.filter(cycle=OuterRef("cycle"), outcome_answers=True)
    rows = list(
        DriverResult.objects.filter(cycle=cycle, department__isnull=True)
        .annotate(_asked=Exists(asked), _dimension=_dimension_order())
        .order_by("scope", "_dimension")
    )
    by_scope: dict[str, list[DriverResult]] = {Scope.SUPPLIER: [], Scope.MANAGEMENT: []}
    for row in rows:
        by_scope.setdefault(row.scope, []).append(row)
    return by_scope, bool(rows) and rows[0]._asked


def outcome_asked(*, cycle: Cycle) -> bool:
    """Whether the cycle's latest roll-up found outcome answers: without, its pages say "no outcome
    question in this cycle" where the drivers would be."""
    return DriverSummary.objects.filter(cycle=cycle, outcome_answers=True).exists()


def response_rates(*, cycle: Cycle) -> QuerySet[ParticipationResult]:
    return ParticipationResult.objects.filter(cycle=cycle).select_related("department").order_by("department__name")


def stored_weakest(found: CycleSummary) -> dict:
    """The weakest department, supplier link, management link and overall weakest link (diagonal
    included, as the contract's "Weakest link") that the roll-up stored, as ids and means; no query.
    The one pick that pages and files name: the roll-up broke ties (lower id first), and a supplier
    link goes before the management link of the same mean."""
    department = (
        {"department_id": found.weakest_department_id, "mean": found.weakest_department_mean}
        if found.weakest_department_id
        else None
    )
    supplier_link = (
        {
            "rater_id": found.weakest_supplier_link_rater_id,
            "provider_id": found.weakest_supplier_link_provider_id,
            "mean": found.weakest_supplier_link_mean,
        }
        if found.weakest_supplier_link_provider_id
        else None
    )
    management_link = (
        {
            "rater_id": found.weakest_management_link_id,
            "provider_id": found.weakest_management_link_id,
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
    }


def weakest(*, cycle: Cycle) -> dict | None:
    """`stored_weakest` with departments in place of ids, and the chain strength against the
    company mean. None when the cycle has not been rolled up."""
    found = summary(cycle=cycle)
    if found is None:
        return None
    picked = stored_weakest(found)
    named = {
        d.id: d
        for d in (
            found.weakest_department,
            found.weakest_supplier_link_rater,
            found.weakest_supplier_link_provider,
            found.weakest_management_link,
        )
        if d is not None
    }
    department = picked["department"]
    if department is not None:
        department = {"department": named[department["department_id"]], "mean": department["mean"]}
    return {
        "department": department,
        **{key: _named_link(picked[key], named) for key in ("supplier_link", "management_link", "link")},
        "chain_strength": found.chain_strength,
        "company_mean": found.company_mean,
        "response_rate": found.response_rate,
        "computed_at": found.computed_at,
        "answers_count": found.answers_count,
    }


def _named_link(ids: dict | None, named: dict[int, Department]) -> dict | None:
    if ids is None:
        return None
    return {"rater": named[ids["rater_id"]], "provider": named[ids["provider_id"]], "mean": ids["mean"]}


# ---- Dashboards and department pages: plain dicts, a fixed number of queries whatever the size ----

FIGURES = FIGURE_FIELDS
LINK_FIGURES = ("respondents", "mean", "favorable_pct", "delta", "delta_significant", "suppressed")
# Comments are shown for a department and scope only from this many commenters (or the cycle's
# minimum group size, if larger): a handful of comments is too easy to attribute.
COMMENTS_MIN_COMMENTERS = 10


def comments_minimum(*, min_group_size: int) -> int:
    """The fewest comments on a department in one scope for them to be shown: the one home of the
    comments rule, read by the pages, the workbook and the book's comment read alike."""
    return max(COMMENTS_MIN_COMMENTERS, min_group_size)


class VisibleCycle(NamedTuple):
    """A cycle whose results may be shown, light: what a page needs on every request."""

    id: int
    name: str
    summary_id: int
    shows_anything: bool = True  # CycleSummary.shows_anything: some figure of it is shown

    @property
    def pk(self) -> int:
        return self.id


def visible_cycles(*, using: str = DEFAULT_DB_ALIAS) -> list[VisibleCycle]:
    """Cycles whose results executives may see (published, or imported history) and that are
    rolled up, newest first, with the id of their roll-up summary. One light query. It is the
    published snapshot's version too: read from the primary unless `using` names the replica
    (reports.replica compares the two)."""
    rows = (
        Cycle.objects.using(using)
        .with_results()
        .order_by("-name")
        .values_list("id", "name", "rollup_summary__id", "rollup_summary__shows_anything")
    )
    return [VisibleCycle(*row) for row in rows]


def default_cycle(cycles: list[VisibleCycle]) -> VisibleCycle | None:
    """The cycle a page opens on when none is asked for: the latest of `cycles` (newest first, as
    `visible_cycles` lists them) whose results say something. A cycle where every figure is hidden
    (too few responses) is never the default, however recent; None when no cycle shows anything.
    The one rule for /reports/, "My department", /actions/ and the home page's links."""
    return next((cycle for cycle in cycles if cycle.shows_anything), None)


def preview_cycle(*, name: str) -> VisibleCycle | None:
    """A closed, rolled-up cycle whose results are not visible yet (not published), as a
    VisibleCycle for HR's preview; None for any other name. One query."""
    if not re.fullmatch(CYCLE_NAME_RE, name):
        return None
    row = (
        Cycle.objects.filter(name=name, status=Cycle.Status.CLOSED, rollup_summary__isnull=False)
        .exclude(Cycle.results_visible_condition())
        .values_list("id", "name", "rollup_summary__id", "rollup_summary__shows_anything")
        .first()
    )
    return VisibleCycle(*row) if row else None


def cycle_with_summary(*, cycle_id: int) -> Cycle:
    """The cycle with its `rollup_summary` and the cycle that compares with (the headline names it),
    what a page body needs when it is not cached. One query."""
    return Cycle.objects.select_related("rollup_summary", "rollup_summary__previous_cycle").get(pk=cycle_id)


def snapshot_version(cycles: list[VisibleCycle]) -> str:
    """Changes whenever any visible cycle is rolled up again (a new summary row) or published: a
    cache key part for everything built from these cycles' snapshots."""
    return "-".join(f"{cycle.id}.{cycle.summary_id}" for cycle in cycles)


def departments() -> list[dict]:
    """Every department: id, name, slug, is_executive_office, by name. One query."""
    return list(Department.objects.order_by("name").values("id", "name", "slug", "is_executive_office"))


def dimension_labels() -> dict[str, str]:
    """The six service dimensions' labels as the admin words them (`Dimension.label`), then
    "Overall": slug → label, in the contract's order. One query."""
    labels = dict(Dimension.objects.filter(slug__in=SERVICE_DIMENSIONS).values_list("slug", "label"))
    return {**{slug: labels[slug] for slug in SERVICE_DIMENSIONS}, OVERALL: "Overall"}


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


class CommentGroup(NamedTuple):
    """A comment as the page shows it: its words, and how many people wrote them."""

    text: str
    count: int


def grouped_comments(texts) -> list[CommentGroup]:
    """Identical comments once, with their count: five copies of one sentence read as one sentence
    said five times ("×5"), not as five voices. Identical means the same words once spacing and
    letter case are set aside; the first copy met is the one shown. Most repeated first, the rest
    in the order given (random: `comments_shown`). The count adds nothing to what the copies told."""
    groups: dict[str, list] = {}
    for text in texts:
        key = " ".join(text.split()).casefold()
        if key in groups:
            groups[key][1] += 1
        else:
            groups[key] = [text, 1]
    ordered = sorted(groups.values(), key=lambda group: -group[1])  # stable: ties keep their order
    return [CommentGroup(text=text, count=count) for text, count in ordered]


def comments_shown(*, cycle: Cycle, department_id: int) -> dict[str, list[CommentGroup]]:
    """Comments on a department per scope, in random order, only for a scope where at least
    `comments_minimum` commented; never split by rater department; identical ones once with their
    count (`grouped_comments`). A comment carries no respondent key, so comments are counted as
    commenters (the survey takes one comment per person and provider), copies included. One query."""
    minimum = comments_minimum(min_group_size=cycle.min_group_size)
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
    return {found_scope: grouped_comments(texts) for found_scope, texts in shown.items()}


# ---- The scorecard book: what the XLSX workbook and the PDF show ----
# Read in a fixed number of queries (whatever the number of departments), so both renderers stay
# pure layout. Suppression is read, never decided here; comments follow `comments_minimum`.

TREND_CYCLES = 6


@dataclass
class DepartmentCard:
    department: Department
    rows: dict[tuple[str, str], DepartmentResult] = field(default_factory=dict)  # (scope, dimension) → row
    trend: list[tuple[str, float | None, float | None]] = field(default_factory=list)  # cycle, supplier, management
    comments: dict[str, list[CommentGroup]] = field(default_factory=dict)  # scope → identical ones once, shuffled
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

    def weakest_cell(self, weakest: dict | None) -> tuple[int, int] | None:
        """(row, column) of the stored weakest link (`weakest()["link"]`), or None."""
        link = (weakest or {}).get("link")
        if not link:
            return None
        index = {name: i for i, name in enumerate(self.departments)}
        cell = (index.get(link["rater"].name), index.get(link["provider"].name))
        return cell if cell in self.cells else None


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
    parts: list = field(default_factory=list)  # what apps above reports add (reports.panels.BookPart)

    def company_mean(self, scope: str, dimension: str = OVERALL) -> float | None:
        row = self.company.get((scope, dimension))
        return None if row is None or row.suppressed else row.mean

    @property
    def min_group_size(self) -> int:
        return self.cycle.min_group_size

    def colour_scale(self) -> colours.Scale:
        """The dashboards' colour scale for this cycle (reports.colours: the same neutral point)."""
        shown = [card.shown(Scope.SUPPLIER) for card in self.cards]
        centre = colours.neutral_point(self.company_mean(Scope.SUPPLIER), [r.mean for r in shown if r is not None])
        return colours.scale(centre)


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
    _add_book_trends(cycle, cards)
    _add_book_comments(cycle, cards)
    found = summary(cycle=cycle)
    ranked = {
        scope: sum(1 for r in results if r.scope == scope and r.dimension == OVERALL and not r.suppressed)
        for scope in Scope.values
    }
    return ScorecardBook(
        cycle=cycle,
        weakest=weakest(cycle=cycle),
        dimensions=list(Dimension.objects.filter(slug__in=SERVICE_DIMENSIONS).order_by("position")),
        company={(r.scope, r.dimension): r for r in CompanyResult.objects.filter(cycle=cycle)},
        cards=sorted(cards.values(), key=lambda c: c.department.name.casefold()),
        matrix=_book_link_matrix(cycle),
        previous_cycle=found.previous_cycle.name if found and found.previous_cycle else None,
        ranked=ranked,
        parts=panels.book_parts(cycle_id=cycle.id),
    )


def _book_link_matrix(cycle: Cycle) -> LinkMatrix:
    rows = list(
        LinkResult.objects.filter(cycle=cycle, dimension=OVERALL).values_list(
            "rater_department__name", "provider_department__name", "mean", "suppressed"
        )
    )
    names = sorted({r[0] for r in rows} | {r[1] for r in rows}, key=str.casefold)
    index = {name: i for i, name in enumerate(names)}
    cells = {(index[rater], index[provider]): None if hidden else mean for rater, provider, mean, hidden in rows}
    return LinkMatrix(departments=names, cells=cells)


def _add_book_trends(cycle: Cycle, cards: dict[int, DepartmentCard]) -> None:
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


def _add_book_comments(cycle: Cycle, cards: dict[int, DepartmentCard]) -> None:
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
    allowed, minimum = set(), comments_minimum(min_group_size=cycle.min_group_size)
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
        for scope, texts_of_scope in card.comments.items():
            shuffle(texts_of_scope)
            card.comments[scope] = grouped_comments(texts_of_scope)  # as the pages show them


def scorecard_departments(*, cycle_id: int) -> list[Department]:
    """The departments that have a scorecard in the cycle (names and slugs only, no figure), by name."""
    ids = DepartmentResult.objects.filter(cycle_id=cycle_id).values("department_id")
    return sorted(Department.objects.filter(pk__in=ids), key=lambda d: d.name.casefold())


def self_view_rows(*, cycle: Cycle, department_id: int | None = None) -> list[SelfViewResult]:
    """The shown self-view figures (blind spots) of a department, or with `department_id` None the
    company's. One query; hidden rows never leave it."""
    return list(SelfViewResult.objects.filter(cycle=cycle, department_id=department_id, suppressed=False))
