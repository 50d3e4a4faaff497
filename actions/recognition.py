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
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from reports.models import CycleSummary, DepartmentResult, LinkResult, Scope
from reports.selectors import dimension_labels
from surveys.dimensions import OVERALL, SERVICE_DIMENSIONS
from surveys.models import Cycle, Department

STRONGEST_LINKS = 3  # links named as the strongest of the company
KINDS = ("best", "management", "link", "improved")  # the page's order


@dataclass(frozen=True)
class Praise:
    """One sentence of good news. It is written when read, in the language active then (the page's,
    or the recipient's of an email: actions.notices renders each email in its reader's language)."""

    department: Department
    kind: str  # best | management | link | improved
    write: Callable[[], str] = field(compare=False, repr=False)

    @property
    def sentence(self) -> str:
        return self.write()

    def __str__(self) -> str:
        return self.sentence


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


def _label(english: str) -> str:
    """A dimension's label inside a sentence, in the active language (the stored English label,
    translated like the survey's: surveys.translations), lower-cased where the language writes it so
    (German keeps its nouns' capital)."""
    label = _(english)
    return label if translation.get_language() == "de" else label[:1].lower() + label[1:]


def _words(labels: list[str]) -> str:
    if len(labels) == 1:
        return labels[0]
    return _("%(items)s and %(last)s") % {"items": ", ".join(labels[:-1]), "last": labels[-1]}


def _mean(value: float) -> str:
    return number_format(value, 2)


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "−") + number_format(abs(value), 2)


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
    for (_department_id, scope), rows in sorted(firsts.items(), key=lambda item: item[1][0].department.name.casefold()):
        rows.sort(key=lambda r: order.get(r.dimension, 99))
        department = rows[0].department
        overall = next((r for r in rows if r.dimension == OVERALL), None)
        dimensions = [labels[r.dimension] for r in rows if r.dimension != OVERALL and r.dimension in labels]
        name = department.name
        if scope == Scope.SUPPLIER:
            if overall is not None:
                found.praises.append(
                    Praise(
                        department,
                        "best",
                        lambda name=name, mean=overall.mean: (
                            _(
                                "%(department)s is the best-rated department as a supplier: %(mean)s overall, "
                                "from the departments it serves."
                            )
                            % {"department": name, "mean": _mean(mean)}
                        ),
                    )
                )
            if dimensions:
                found.praises.append(
                    Praise(
                        department,
                        "best",
                        lambda name=name, dimensions=dimensions: (
                            _("%(department)s is rated best on %(dimensions)s by the departments it serves.")
                            % {"department": name, "dimensions": _words([_label(d) for d in dimensions])}
                        ),
                    )
                )
        elif overall is not None:
            found.praises.append(
                Praise(
                    department,
                    "management",
                    lambda name=name, mean=overall.mean: (
                        _(
                            "The staff of %(department)s rate their own management highest of any department: "
                            "%(mean)s overall."
                        )
                        % {"department": name, "mean": _mean(mean)}
                    ),
                )
            )


def _links(found: Recognition, cycle: Cycle) -> None:
    strongest = (
        LinkResult.objects.filter(cycle=cycle, scope=Scope.SUPPLIER, dimension=OVERALL, suppressed=False)
        .select_related("rater_department", "provider_department")
        .order_by("-mean", "rater_department__name", "provider_department__name")[:STRONGEST_LINKS]
    )
    for i, link in enumerate(strongest):
        found.praises.append(
            Praise(link.provider_department, "link", lambda link=link, first=i == 0: _link_sentence(link, first))
        )


def _link_sentence(link: LinkResult, first: bool) -> str:
    values = {"rater": link.rater_department.name, "provider": link.provider_department.name, "mean": _mean(link.mean)}
    if first:
        return (
            _("%(rater)s rates the service it gets from %(provider)s at %(mean)s: the strongest link of the company.")
            % values
        )
    return (
        _(
            "%(rater)s rates the service it gets from %(provider)s at %(mean)s: "
            "one of the strongest links of the company."
        )
        % values
    )


def _improved(found: Recognition, shown: list[DepartmentResult], labels: dict[str, str]) -> None:
    """Significant rises (p < 0.05) since the previous cycle, per department and scope."""
    if found.previous is None:
        return
    rises: dict[tuple[int, str], list[DepartmentResult]] = defaultdict(list)
    for row in shown:
        if row.delta_significant and row.delta is not None and row.delta > 0 and row.dimension in labels:
            rises[(row.department_id, row.scope)].append(row)
    for (_department_id, scope), rows in sorted(rises.items(), key=lambda item: item[1][0].department.name.casefold()):
        department = rows[0].department
        overall = next((r for r in rows if r.dimension == OVERALL), None)
        dimensions = sorted((r for r in rows if r.dimension != OVERALL), key=lambda r: -r.delta)
        rises = [(labels[r.dimension], r.delta) for r in dimensions]
        found.praises.append(
            Praise(
                department,
                "improved",
                lambda name=department.name, rises=rises, overall=overall.delta if overall else None, scope=scope: (
                    _improved_sentence(name, rises, overall, scope, found.previous)
                ),
            )
        )


def _improved_sentence(name: str, rises: list[tuple[str, float]], overall: float | None, scope: str, since: str) -> str:
    values = {
        "department": name,
        "dimensions": _words([f"{_label(label)} ({_signed(delta)})" for label, delta in rises]),
        "overall": _signed(overall) if overall is not None else "",
        "previous": since,
    }
    supplier = scope == Scope.SUPPLIER
    if rises and overall is not None:
        text = (
            _(
                "%(department)s improved on %(dimensions)s, %(overall)s overall, as the departments it serves see it, "
                "since %(previous)s."
            )
            if supplier
            else _(
                "%(department)s improved on %(dimensions)s, %(overall)s overall, as its own staff see their "
                "management, since %(previous)s."
            )
        )
    elif rises:
        text = (
            _("%(department)s improved on %(dimensions)s, as the departments it serves see it, since %(previous)s.")
            if supplier
            else _(
                "%(department)s improved on %(dimensions)s, as its own staff see their management, since %(previous)s."
            )
        )
    else:
        text = (
            _("%(department)s improved %(overall)s overall, as the departments it serves see it, since %(previous)s.")
            if supplier
            else _(
                "%(department)s improved %(overall)s overall, as its own staff see their management, "
                "since %(previous)s."
            )
        )
    return text % values
