"""What the commitments pages show, as plain data: the department's page (suggested focus, the
cascade, its commitments and last quarter's verdicts) and the company's /actions/ page."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from reports import visible
from reports.selectors import VisibleCycle, default_cycle
from surveys.models import Cycle, Department, Dimension

from . import selectors, verdicts
from .cascade import cascade_for, top_departments
from .focus import department_focus
from .models import Commitment


@dataclass
class Judged:
    """A commitment with its verdict, for templates."""

    commitment: Commitment
    judgement: verdicts.Judgement

    @property
    def overdue(self) -> bool:
        c = self.commitment
        return c.is_published and c.status == Commitment.Status.OPEN and c.due < timezone.localdate()


def judged(commitments: list[Commitment], *, follow=None) -> list[Judged]:
    found = verdicts.judgements(commitments, follow=follow)
    return [Judged(c, found[c.id]) for c in commitments]


def previous_with_results(cycle: VisibleCycle, cycles: list[VisibleCycle]) -> VisibleCycle | None:
    """The visible cycle just before `cycle`: the one whose commitments `cycle`'s ratings judge."""
    earlier = [c for c in cycles if c.name < cycle.name]
    return max(earlier, key=lambda c: c.name) if earlier else None


def dimension_labels() -> dict[str, str]:
    return dict(Dimension.objects.service().values_list("slug", "label"))


def _visible(cycle: Cycle, cycles: list[VisibleCycle]) -> VisibleCycle:
    return next(c for c in cycles if c.id == cycle.id)


def focus_for(*, cycle: Cycle, department: Department):
    """The department's suggested focus on `cycle`'s results (a cycle with results)."""
    cycles = visible.visible_cycles()
    return department_focus(cycle=_visible(cycle, cycles), cycles=cycles, department=department)


def department_page(*, cycle: Cycle, department: Department, focus, cycles: list[VisibleCycle]) -> dict:
    previous = previous_with_results(_visible(cycle, cycles), cycles)
    top = top_departments()
    earlier = (
        selectors.department_commitments(
            cycle=Cycle(id=previous.id, name=previous.name), department=department, drafts=False
        )
        if previous
        else []
    )
    return {
        "cycle": cycle,
        "department": department,
        "focus": focus,
        "cascade": cascade_for(cycle=cycle, department_id=department.id, top=top),
        "commitments": judged(selectors.department_commitments(cycle=cycle, department=department, drafts=True)),
        "previous": previous,
        "earlier": judged(earlier),
        "labels": dimension_labels(),
        "statuses": Commitment.Status.choices,
    }


def company_page(*, cycles: list[VisibleCycle] | None = None) -> dict:
    """The /actions/ page: the published commitments on the latest results by department (the top
    first), and the previous results' commitments with their verdicts, in words."""
    cycles = visible.visible_cycles() if cycles is None else cycles
    latest = default_cycle(cycles)
    if latest is None:
        return {"latest": None}
    top = top_departments()
    previous = previous_with_results(latest, cycles)
    return {
        "latest": latest,
        "current": _by_department(selectors.published_commitments(cycle=Cycle(id=latest.id)), top),
        "previous": previous,
        "earlier": _by_department(selectors.published_commitments(cycle=Cycle(id=previous.id)), top)
        if previous
        else [],
        "labels": dimension_labels(),
    }


def _by_department(commitments: list[Commitment], top: frozenset[int]) -> list[dict]:
    groups: dict[int, dict] = {}
    for item in judged(selectors.top_first(commitments, top)):
        department = item.commitment.department
        groups.setdefault(department.id, {"department": department, "is_top": department.id in top, "items": []})
        groups[department.id]["items"].append(item)
    return list(groups.values())


def for_employee(*, department_id: int | None) -> dict:
    """The home page's "What the departments you rate promised — and what your colleagues' ratings
    say": on the latest results and the previous ones, the top's commitments, those its management
    made to the person's department, and those that name it as especially for. Words only."""
    cycles = visible.visible_cycles()
    latest = default_cycle(cycles)
    if latest is None or department_id is None:
        return {"items": []}
    top = top_departments()
    previous = previous_with_results(latest, cycles)
    ids = [latest.id] + ([previous.id] if previous else [])
    found = (
        Commitment.objects.published()
        .filter(cycle_id__in=ids)
        .filter(
            Q(department_id__in=top)
            | Q(department_id=department_id, scope="management")
            | Q(scope="supplier", especially_for=department_id)
        )
        .select_related("department", "cycle")
        .distinct()
        .order_by("-cycle__name", "department__name", "id")
    )
    follow = {previous.id: Cycle(id=latest.id, name=latest.name)} if previous else {}
    follow[latest.id] = None
    items = judged(selectors.top_first(list(found), top), follow=follow)
    return {"items": items, "labels": dimension_labels(), "latest": latest}


def hr_overview(*, cycle: Cycle) -> dict:
    """HR's page of one cycle's commitments: per department (the top first) how many are published
    and drafted, overdue, and their verdicts; then every published commitment with its verdict."""
    top = top_departments()
    commitments = list(
        Commitment.objects.filter(cycle=cycle)
        .select_related("department", "owner__user")
        .order_by("department__name", "id")
    )
    published = [c for c in commitments if c.is_published]
    items = judged(selectors.top_first(published, top))
    rows = {}
    for department in Department.objects.order_by("name"):
        rows[department.id] = {
            "department": department,
            "is_top": department.id in top,
            "published": 0,
            "drafts": 0,
            "overdue": 0,
            "verdicts": {},
        }
    for c in commitments:
        row = rows[c.department_id]
        row["published" if c.is_published else "drafts"] += 1
    for item in items:
        row = rows[item.commitment.department_id]
        row["overdue"] += item.overdue
        row["verdicts"][item.judgement.short] = row["verdicts"].get(item.judgement.short, 0) + 1
    ordered = sorted(rows.values(), key=lambda r: (not r["is_top"], r["department"].name))
    return {
        "cycle": cycle,
        "departments": ordered,
        "committed": sum(1 for r in ordered if r["published"]),
        "items": items,
        "overdue": [i for i in items if i.overdue],
        "labels": dimension_labels(),
        "tally": [(n, str(verdicts.SHORT[v]).lower()) for v, n in verdicts.tally(i.judgement for i in items).items()],
    }
