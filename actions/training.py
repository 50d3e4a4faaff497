"""Training (issue 20, item 5): who reads which module, marking a module done or not done, and what
the pages show of completions: each person sees their own marks; everyone sees counts of people
per department, and never anyone else's mark.

Who reads what. Modules for everyone are open to everyone signed in. Coaching guides are written
to managers about discussing their department's results with their team, so they are listed for,
and opened by, those who see their own department's scorecard (`roles.can_see_own_department`:
managers, executives, HR); anyone else gets 403 on a guide's address. Nothing in a guide is secret,
but an employee's list would double with pages addressed to someone else, and commitments attach
modules for everyone only.

The counts rule. A completion is one person's, so a department's count is a figure about people and
follows the survey's minimum group size N (`settings.MIN_GROUP_SIZE`), applied to both sides: a
count must single out no group of fewer than N people, neither those who have done the module nor
those who have not. "1 of 12" names the one keen colleague to everyone who knows them; "11 of 12"
tells the one who has not done it that everyone else has (and "12 of 12" or "0 of 12" states every
person's mark). For a department of n active people, k of whom have done the module:

- exactly, "k of n people", when k ≥ N and n − k ≥ N;
- "fewer than N of n people" when k < N (none included);
- "more than n − N of n people" when n − k < N (all included);
- nothing ("not shown: fewer than 2N − 1 people") when n < 2N − 1, where those two bands would
  overlap and either would give away the other side.

The text shown is a function of the band alone, never of k within it, so watching it change tells
no more than the band. Both k and n count the department's active people now (a person who moved
counts in their new department), so k never exceeds n. Coaching guides show no counts at all: their
readers are a department's few managers. A company-wide total is not shown either: taken with the
exact counts, it would give away the sum of the hidden ones.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys import roles
from surveys.models import Dimension, Employee
from surveys.selectors import employee_for_user

from .models import Commitment, TrainingCompletion, TrainingModule

MODULE = TrainingModule.Kind.MODULE
COACHING = TrainingModule.Kind.COACHING


# ---- Who reads what ----


def may_read_coaching(user) -> bool:
    return roles.can_see_own_department(user)


def may_read(user, module: TrainingModule) -> bool:
    return module.kind != COACHING or may_read_coaching(user)


def module_by_slug(*, slug: str) -> TrainingModule | None:
    """An active module, or None (retired modules are gone from the pages, their marks kept)."""
    return TrainingModule.objects.filter(slug=slug, is_active=True).first()


def readable_modules(*, user) -> list[TrainingModule]:
    modules = TrainingModule.objects.filter(is_active=True)
    if not may_read_coaching(user):
        modules = modules.filter(kind=MODULE)
    return list(modules)


# ---- Marks (writes) ----


def module_complete(*, module: TrainingModule, employee: Employee) -> bool:
    """Mark the module done for the person (their department now is kept with it). Idempotent:
    False when it was already marked."""
    _, created = TrainingCompletion.objects.get_or_create(
        module=module, employee=employee, defaults={"department_id": employee.department_id}
    )
    return created


def module_undo(*, module: TrainingModule, employee: Employee) -> bool:
    """Take the person's mark back. Idempotent: False when there was none."""
    deleted, _ = TrainingCompletion.objects.filter(module=module, employee=employee).delete()
    return bool(deleted)


def done_module_ids(*, employee: Employee | None) -> frozenset[int]:
    """The modules the person has marked done: shown to them alone."""
    if employee is None:
        return frozenset()
    return frozenset(TrainingCompletion.objects.filter(employee=employee).values_list("module_id", flat=True))


# ---- Counts ----


@dataclass(frozen=True)
class Headcount:
    """A department with active people: how many, and whether it is the top of the company."""

    id: int
    name: str
    people: int
    is_top: bool


def headcounts() -> list[Headcount]:
    """Departments with active people, the top of the company first, then by name. One query."""
    rows = list(
        Employee.objects.active().values("department_id", "department__name", "role").annotate(n=Count("id")).order_by()
    )
    top = roles.top_of_company((row["department_id"], row["role"]) for row in rows)
    people: dict[int, int] = {}
    names: dict[int, str] = {}
    for row in rows:
        people[row["department_id"]] = people.get(row["department_id"], 0) + row["n"]
        names[row["department_id"]] = row["department__name"]
    found = [Headcount(id=pk, name=names[pk], people=n, is_top=pk in top) for pk, n in people.items()]
    return sorted(found, key=lambda d: (not d.is_top, d.name.casefold(), d.id))


def completion_counts(*, module_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """module id → department id → how many of the department's active people have marked the
    module done. One GROUP BY query; departments without a mark are absent."""
    rows = (
        TrainingCompletion.objects.filter(module_id__in=list(module_ids), employee__user__is_active=True)
        .values("module_id", "employee__department_id")
        .annotate(n=Count("employee_id", distinct=True))
        .order_by()
    )
    counts: dict[int, dict[int, int]] = {}
    for row in rows:
        counts.setdefault(row["module_id"], {})[row["employee__department_id"]] = row["n"]
    return counts


def count_band(*, done: int, people: int, minimum: int) -> tuple[int, int] | None:
    """The range of counts shown for `done` of `people` (the counts rule above): (k, k) when the
    count is exact, None when the department shows no count."""
    if people < 2 * minimum - 1 or people < 1:
        return None
    if done < minimum:
        return (0, minimum - 1)
    if people - done < minimum:
        return (people - minimum + 1, people)
    return (done, done)


def count_text(*, band: tuple[int, int] | None, people: int, minimum: int) -> str:
    """What the page says for a band, in the page's language; never depends on the count within it."""
    if band is None:
        n = max(2 * minimum - 1, 1)
        return ngettext("not shown: fewer than %(n)s person", "not shown: fewer than %(n)s people", n) % {"n": n}
    low, high = band
    if low == high:
        return ngettext("%(k)s of %(n)s person", "%(k)s of %(n)s people", people) % {"k": low, "n": people}
    if low == 0:
        return ngettext("fewer than %(k)s of %(n)s person", "fewer than %(k)s of %(n)s people", people) % {
            "k": high + 1,
            "n": people,
        }
    return ngettext("more than %(k)s of %(n)s person", "more than %(k)s of %(n)s people", people) % {
        "k": low - 1,
        "n": people,
    }


def counts_rule(*, minimum: int) -> str:
    """The rule in a sentence, for the pages."""
    if minimum <= 1:
        return _("Completion is shown as counts of people per department, never per person.")
    return _(
        "Completion is shown as counts of people per department, never per person. A count is exact only "
        "where at least %(minimum)s people have done the module and at least %(minimum)s have not; otherwise it "
        "reads “fewer than %(minimum)s” or “more than…”, and departments of fewer than "
        "%(smallest)s people show none, so that nobody's mark can be worked out."
    ) % {"minimum": minimum, "smallest": 2 * minimum - 1}


@dataclass(frozen=True)
class DepartmentCompletion:
    department: Headcount
    text: str
    band: tuple[int, int] | None = field(repr=False)


def department_completions(
    *, counts: dict[int, int], departments: list[Headcount], minimum: int
) -> list[DepartmentCompletion]:
    """One module's counts as the page shows them, in the departments' order."""
    rows = []
    for department in departments:
        band = count_band(done=counts.get(department.id, 0), people=department.people, minimum=minimum)
        rows.append(
            DepartmentCompletion(
                department=department,
                band=band,
                text=count_text(band=band, people=department.people, minimum=minimum),
            )
        )
    return rows


# ---- Pages ----


def paragraphs(text: str) -> list[str]:
    """A module's body: a blank line starts a new paragraph."""
    return [part.strip() for part in re.split(r"\n\s*\n", text or "") if part.strip()]


def lines(text: str) -> list[str]:
    """Moments and self-check questions: one per line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def shown(parts: list[str]) -> list[str]:
    """Paragraphs or lines in the reader's language: each stored English part through the
    catalogue, where the starter modules (migration 0002) are translated a part at a time; a part
    HR wrote or reworded in the admin has no translation and shows as written."""
    return [_(part) for part in parts]


@dataclass
class ModuleItem:
    module: TrainingModule
    done: bool
    completions: list[DepartmentCompletion]


@dataclass
class DimensionSection:
    slug: str
    label: str
    question: str
    items: list[ModuleItem]


def index_page(*, user) -> dict:
    """/training/: the readable modules by dimension, the person's own marks, and each module's
    counts per department. Five queries: modules, dimensions, own marks, headcounts, counts."""
    modules = readable_modules(user=user)
    dimensions = list(Dimension.objects.service().values_list("slug", "label", "question"))
    done = done_module_ids(employee=employee_for_user(user=user))
    minimum = settings.MIN_GROUP_SIZE
    departments = headcounts()
    counts = completion_counts(module_ids=[m.pk for m in modules if m.kind == MODULE])
    sections = []
    for slug, label, question in dimensions:
        items = [
            ModuleItem(
                module=m,
                done=m.pk in done,
                completions=(
                    department_completions(counts=counts.get(m.pk, {}), departments=departments, minimum=minimum)
                    if m.kind == MODULE
                    else []
                ),
            )
            for m in modules
            if m.dimension == slug
        ]
        if items:
            sections.append(DimensionSection(slug=slug, label=_(label), question=_(question), items=items))
    return {
        "sections": sections,
        "sees_coaching": may_read_coaching(user),
        "counts_rule": counts_rule(minimum=minimum),
    }


def commitments_attaching(*, module: TrainingModule) -> list[Commitment]:
    """Published commitments that attach the module, by department name. One query."""
    return list(
        Commitment.objects.published()
        .filter(modules=module)
        .select_related("department", "cycle")
        .order_by("department__name", "id")
    )


def latest_and_top_first(commitments: list[Commitment], top: frozenset[int]) -> list[Commitment]:
    """The latest results' commitments first and, within each cycle, the top of the company's
    (sorting is stable, reversed too)."""
    top_first = sorted(commitments, key=lambda c: c.department_id not in top)
    return sorted(top_first, key=lambda c: c.cycle.name, reverse=True)


def module_page(*, user, module: TrainingModule) -> dict:
    """/training/<slug>/: the module, the person's own mark, the published commitments attaching it,
    and its counts per department. At most five queries: dimension, own mark, commitments,
    headcounts, counts (a coaching guide has no counts)."""
    employee = employee_for_user(user=user)
    dimension = Dimension.objects.filter(slug=module.dimension).values_list("label", "question").first()
    done_at = None
    if employee is not None:
        done_at = (
            TrainingCompletion.objects.filter(module=module, employee=employee)
            .values_list("completed_at", flat=True)
            .first()
        )
    commitments = commitments_attaching(module=module)
    minimum = settings.MIN_GROUP_SIZE
    departments = headcounts() if commitments or module.kind == MODULE else []
    top = frozenset(d.id for d in departments if d.is_top)
    completions = []
    if module.kind == MODULE:
        counts = completion_counts(module_ids=[module.pk]).get(module.pk, {})
        completions = department_completions(counts=counts, departments=departments, minimum=minimum)
    return {
        "module": module,
        "is_coaching": module.kind == COACHING,
        "dimension_label": _(dimension[0]) if dimension else module.get_dimension_display(),
        "dimension_question": _(dimension[1]) if dimension else "",
        "paragraphs": shown(paragraphs(module.body)),
        "moments": shown(lines(module.moments)),
        "self_check": shown(lines(module.self_check)),
        "employee": employee,
        "done_at": done_at,
        "commitments": latest_and_top_first(commitments, top),
        "completions": completions,
        "counts_rule": counts_rule(minimum=minimum),
    }
