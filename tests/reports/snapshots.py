"""Roll-up snapshots written directly (no answers, no roll-up): companies of any size for the
dashboard tests and `bench/pages.py`.

Hidden (suppressed) rows are written *with* canary figures that a real roll-up never stores
(mean 7.654, favourable 101.7 %, delta −6.543, rank 99: impossible values): a page that printed a figure of a
hidden row would print one of them, which the tests look for.
"""

import datetime
import random

from django.utils import timezone

from reports.models import CompanyResult, CycleSummary, DepartmentResult, LinkResult
from surveys.dimensions import OVERALL, ROW_DIMENSIONS, SCOPES
from surveys.models import Cycle, Department

DIMENSIONS = ROW_DIMENSIONS
CANARY = {
    "respondents": 3,
    "ratings": 17,
    "mean": 7.654,
    "favorable_pct": 101.7,
    "ci_low": 7.111,
    "ci_high": 8.222,
    "expectation_mean": 8.765,
    "gap": -6.111,
    "delta": -6.543,
    "delta_p_value": 0.0123,
    "delta_significant": True,
    "rank": 99,
}
# Impossible values (means above 5, more than 100 % favourable): no shown figure can contain them.
CANARY_STRINGS = ("7.65", "101.7", "7.11", "8.22", "8.77", "6.11", "6.54", "99 of")


def _figures(rng: random.Random, *, hidden: bool, previous: bool) -> dict:
    if hidden:
        return {**CANARY, "suppressed": True}
    mean = rng.uniform(2.5, 4.6)
    delta = rng.uniform(-0.4, 0.4) if previous else None
    expectation = min(5.0, mean + rng.uniform(-0.3, 0.8))
    respondents = rng.randint(5, 60)
    return {
        "respondents": respondents,
        "ratings": respondents * 6,
        "mean": mean,
        "favorable_pct": rng.uniform(30, 90),
        "ci_low": mean - 0.2,
        "ci_high": mean + 0.2,
        "expectation_mean": expectation,
        "gap": mean - expectation,
        "delta": delta,
        "delta_p_value": None if delta is None else (0.01 if abs(delta) > 0.3 else 0.4),
        "delta_significant": None if delta is None else abs(delta) > 0.3,
        "rank": None,
        "suppressed": False,
    }


def build_company(
    *,
    departments: int = 12,
    cycles: int = 3,
    hidden_share: float = 0.3,
    company_line: bool = True,
    links_every_cycle: bool = False,
    seed: int = 7,
    min_group_size: int = 5,
    include: tuple = (),
    link_dimensions: tuple = DIMENSIONS,
) -> dict:
    """`departments` departments (the first is the Executive Office) and `cycles` published cycles,
    each with a summary, scorecard rows of both scopes, links (latest cycle, or every cycle), and
    the company line unless `company_line` is False. About `hidden_share` of rows are suppressed.
    `link_dimensions` limits the link rows to those dimensions (a 200-department company's
    `overall` links alone, which is all the dashboard's page carries, are written seven times faster)."""
    rng = random.Random(seed)
    depts = [
        Department.objects.get_or_create(
            name="Executive Office" if i == 0 else f"Unit {i:02d}",
            defaults={"slug": "executive-office" if i == 0 else f"unit-{i:02d}", "is_executive_office": i == 0},
        )[0]
        for i in range(departments)
    ] + list(include)
    made = []
    for index in range(cycles):
        cycle = Cycle.objects.create(
            name=f"{2020 + index // 4}-Q{index % 4 + 1}",
            status=Cycle.Status.PUBLISHED,
            min_group_size=min_group_size,
            published_at=timezone.now(),
        )
        previous = made[-1] if made else None
        rows = _cycle_rows(cycle, depts, rng, hidden_share=hidden_share, previous=previous is not None)
        links = []
        if links_every_cycle or index == cycles - 1:
            links = _link_rows(
                cycle, depts, rng, rows, hidden_share=hidden_share, previous=previous is not None, dims=link_dimensions
            )
        if company_line:
            CompanyResult.objects.bulk_create(
                CompanyResult(cycle=cycle, scope=scope, dimension=dim, **_figures(rng, hidden=False, previous=True))
                for scope in SCOPES
                for dim in DIMENSIONS
            )
        CycleSummary.objects.create(
            cycle=cycle,
            computed_at=timezone.now() - datetime.timedelta(days=cycles - index),
            answers_count=1000,
            previous_cycle=previous,
            participants=len(depts) * 20,
            eligible=len(depts) * 25,
            response_rate=0.8,
            **_weakest(rows, links),
        )
        made.append(cycle)
    return {"departments": depts, "cycles": made, "latest": made[-1]}


def _cycle_rows(cycle, depts, rng, *, hidden_share, previous):
    rows = []
    for dept in depts:
        for scope in SCOPES:
            hidden_scope = rng.random() < hidden_share
            for dim in DIMENSIONS:
                figures = _figures(rng, hidden=hidden_scope or rng.random() < hidden_share / 3, previous=previous)
                rows.append(DepartmentResult(cycle=cycle, department=dept, scope=scope, dimension=dim, **figures))
    # Ranks among the shown rows of each scope and dimension, 1 = best.
    for scope in SCOPES:
        for dim in DIMENSIONS:
            group = sorted(
                (r for r in rows if r.scope == scope and r.dimension == dim and not r.suppressed), key=lambda r: -r.mean
            )
            for rank, row in enumerate(group, start=1):
                row.rank = rank
    DepartmentResult.objects.bulk_create(rows, batch_size=2000)
    return rows


def _link_rows(cycle, depts, rng, department_rows, *, hidden_share, previous, dims=DIMENSIONS):
    rows = [
        LinkResult(
            cycle=cycle,
            rater_department=rater,
            provider_department=provider,
            scope="management" if rater == provider else "supplier",
            dimension=dim,
            **_figures(rng, hidden=rng.random() < hidden_share, previous=previous),
        )
        for rater in depts
        for provider in depts
        for dim in dims
    ]
    # A department's management rows are its diagonal link's rows, as in a real roll-up.
    management = {(r.department_id, r.dimension): r for r in department_rows if r.scope == "management"}
    for row in rows:
        if row.rater_department_id == row.provider_department_id:
            twin = management[(row.provider_department_id, row.dimension)]
            for name in (*CANARY, "suppressed"):
                setattr(row, name, getattr(twin, name))
            row.rank = CANARY["rank"] if row.suppressed else None
    LinkResult.objects.bulk_create(rows, batch_size=2000)
    return rows


def _weakest(rows, links) -> dict:
    """The summary's weakest picks as the roll-up makes them: lowest shown overall mean, ties to the
    lower id (`reports.frames._weakest`)."""

    def lowest(found, key):
        found = [r for r in found if r.dimension == OVERALL and not r.suppressed]
        return min(found, key=lambda r: (r.mean, *key(r)), default=None)

    department = lowest([r for r in rows if r.scope == "supplier"], lambda r: (r.department_id,))
    supplier = lowest(
        [r for r in links if r.rater_department_id != r.provider_department_id],
        lambda r: (r.rater_department_id, r.provider_department_id),
    )
    # Management rows are the diagonal links (copied so above): also for the cycles without link rows.
    management = lowest([r for r in rows if r.scope == "management"], lambda r: (r.department_id,))
    return {
        "weakest_department_id": department and department.department_id,
        "weakest_department_mean": department and department.mean,
        "weakest_supplier_link_rater_id": supplier and supplier.rater_department_id,
        "weakest_supplier_link_provider_id": supplier and supplier.provider_department_id,
        "weakest_supplier_link_mean": supplier and supplier.mean,
        "weakest_management_link_id": management and management.department_id,
        "weakest_management_link_mean": management and management.mean,
    }
