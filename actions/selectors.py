"""Reads of commitments and what pages show of them. Drafts are read only for the pages of their
department's managers and HR; everything else reads published commitments."""

from django.db.models import Count, Max, Prefetch, QuerySet

from surveys.models import Cycle, Department, Employee

from .models import Commitment, ProgressUpdate


def _with_details(qs: QuerySet[Commitment]) -> QuerySet[Commitment]:
    return qs.select_related("owner__user", "department", "cycle").prefetch_related(
        "especially_for",
        "modules",
        Prefetch("updates", queryset=ProgressUpdate.objects.select_related("written_by")),
    )


def department_commitments(*, cycle: Cycle, department: Department, drafts: bool) -> list[Commitment]:
    """The department's commitments on `cycle`'s results, published first; drafts when asked."""
    qs = Commitment.objects.filter(cycle=cycle, department=department)
    if not drafts:
        qs = qs.published()
    return list(_with_details(qs).order_by("published_at", "scope", "dimension", "id"))


def published_commitments(*, cycle: Cycle) -> list[Commitment]:
    """Every published commitment on `cycle`'s results (the top's are put first by callers)."""
    return list(
        Commitment.objects.published()
        .filter(cycle=cycle)
        .select_related("owner__user", "department")
        .prefetch_related("especially_for")
        .order_by("department__name", "scope", "dimension", "id")
    )


def commitment_of(*, pk: int, cycle: Cycle, department: Department) -> Commitment | None:
    return (
        Commitment.objects.select_related("cycle", "department")
        .filter(pk=pk, cycle=cycle, department=department)
        .first()
    )


def owner_choices(*, department: Department) -> QuerySet[Employee]:
    return (
        Employee.objects.active()
        .filter(department=department)
        .select_related("user")
        .order_by("user__full_name", "employee_id")
    )


def version() -> str:
    """Changes whenever a published commitment does (publication, status): what report pages show
    of commitments. One query."""
    found = Commitment.objects.published().aggregate(n=Count("id"), last=Max("updated_at"))
    last = found["last"].isoformat() if found["last"] else "-"
    return f"{found['n']}@{last}"


def top_first(commitments: list[Commitment], top: frozenset[int]) -> list[Commitment]:
    """The top of the company's commitments first, then the others in their order."""
    return sorted(commitments, key=lambda c: c.department_id not in top)
