"""Property tests: on random cycles, the roll-up (SQL + numpy) equals a straightforward
reference computation over the raw answers, written here with plain Python loops and sets.

The reference hides rows for their own size only; which further rows the differencing rule hides
is checked in `test_differencing.py`. Here: every row the reference hides is hidden, every shown
row has the reference's figures, and ranks and deltas follow the rows that are shown."""

import math
from collections import defaultdict

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.models import CycleSummary, DepartmentResult, LinkResult
from reports.services import rollup_cycle
from surveys.dimensions import ALL_DIMENSIONS, EXPECTATION, OUTCOME, OVERALL, SERVICE_DIMENSIONS
from tests.factories import CycleFactory, DepartmentFactory
from tests.reports.builders import add_answers

DEPARTMENTS = 4
respondent = st.tuples(
    st.integers(0, DEPARTMENTS - 1),
    st.dictionaries(
        st.tuples(st.integers(0, DEPARTMENTS - 1), st.sampled_from(ALL_DIMENSIONS)), st.integers(1, 5), max_size=10
    ),
)
cycle_data = st.lists(respondent, max_size=14)


def rows_of(data, departments, first_key):
    return [
        (first_key + i, departments[rater], departments[provider], dimension, score)
        for i, (rater, answers) in enumerate(data)
        for (provider, dimension), score in answers.items()
    ]


def reference(rows, min_group_size):
    """{(kind, key…, dimension): figures} for department rows and link rows, from raw answers."""
    groups = defaultdict(list)  # (kind, key, dimension) → [(respondent, score)]
    expectations = defaultdict(list)
    for respondent_key, rater, provider, dimension, score in rows:
        scope = "management" if rater == provider else "supplier"
        keys = [("department", provider.id, scope), ("link", rater.id, provider.id)]
        if dimension == OUTCOME:
            continue  # the outcome counts in no scorecard figure (reports.drivers reads it)
        for key in keys:
            if dimension == EXPECTATION:
                expectations[key].append(score)
            else:
                groups[(*key, dimension)].append((respondent_key, score))
                groups[(*key, OVERALL)].append((respondent_key, score))
    # Every link and department rated at all has its seven rows; an unrated dimension is hidden.
    for key in {key[:-1] for key in groups}:
        for dimension in SERVICE_DIMENSIONS:
            groups.setdefault((*key, dimension), [])
    result = {}
    for key, answers in groups.items():
        scores = [score for _, score in answers]
        respondents = len({r for r, _ in answers})
        suppressed = respondents < min_group_size or not scores
        # The contract: expectation answers are a group of their own (one per person and provider,
        # so their number is their distinct raters); links show none.
        expected = expectations.get(key[:-1]) if key[0] == "department" else None
        expected = expected if expected and len(expected) >= min_group_size else None
        mean = sum(scores) / len(scores) if scores else None
        expectation_mean = sum(expected) / len(expected) if expected else None
        result[key] = {
            "suppressed": suppressed,
            "respondents": None if suppressed else respondents,
            "ratings": None if suppressed else len(scores),
            "mean": None if suppressed else mean,
            "favorable_pct": None if suppressed else 100 * sum(s >= 4 for s in scores) / len(scores),
            "expectation_mean": None if suppressed else expectation_mean,
            "gap": None if suppressed or expectation_mean is None else mean - expectation_mean,
        }
    return result


def stored(cycle):
    fields = [
        "suppressed",
        "respondents",
        "ratings",
        "mean",
        "favorable_pct",
        "expectation_mean",
        "gap",
        "rank",
        "delta",
    ]
    found = {}
    for row in DepartmentResult.objects.filter(cycle=cycle).values("department_id", "scope", "dimension", *fields):
        found[("department", row["department_id"], row["scope"], row["dimension"])] = row
    for row in LinkResult.objects.filter(cycle=cycle).values(
        "rater_department_id", "provider_department_id", "dimension", *fields
    ):
        found[("link", row["rater_department_id"], row["provider_department_id"], row["dimension"])] = row
    return found


def ranks(found):
    """Rank among the rows shown in the snapshot, per kind, scope and dimension (1 = best)."""
    shown = defaultdict(list)
    for key, row in found.items():
        if not row["suppressed"]:
            shown[(key[0], scope_of(key), key[-1])].append(row["mean"])
    return {
        key: None if row["suppressed"] else 1 + sum(m > row["mean"] for m in shown[(key[0], scope_of(key), key[-1])])
        for key, row in found.items()
    }


def scope_of(key):
    return key[2] if key[0] == "department" else ("management" if key[1] == key[2] else "supplier")


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@pytest.fixture
def departments(db):
    return [DepartmentFactory(name=f"Dept {i}") for i in range(DEPARTMENTS)]


@pytest.mark.django_db
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(now=cycle_data, before=cycle_data, min_group_size=st.integers(1, 4), previous_min=st.integers(1, 4))
def test_rollup_equals_the_reference_computation(departments, now, before, min_group_size, previous_min):
    with transaction.atomic():
        previous = CycleFactory(name="2026-Q2", min_group_size=previous_min)
        cycle = CycleFactory(name="2026-Q3", min_group_size=min_group_size)
        previous_rows, rows = rows_of(before, departments, 1), rows_of(now, departments, 1)
        if previous_rows:
            add_answers(previous, previous_rows)
        if rows:
            add_answers(cycle, rows)

        if previous_rows:
            rollup_cycle(cycle_id=previous.id)
        rollup_cycle(cycle_id=cycle.id)

        expected = reference(rows, min_group_size)
        found, before = stored(cycle), stored(previous)
        assert set(found) == set(expected)
        expected_ranks = ranks(found)
        for key, figures in expected.items():
            row = found[key]
            if figures["suppressed"]:
                assert row["suppressed"], key
            if row["suppressed"]:
                assert all(row[name] is None for name in ("respondents", "ratings", "mean", "rank", "delta")), key
                continue
            for name in ("respondents", "ratings"):
                assert row[name] == figures[name], (key, name)
            assert row["rank"] == expected_ranks[key], (key, "rank")
            for name in ("mean", "favorable_pct", "expectation_mean", "gap"):
                assert close(row[name], figures[name]), (key, name, row[name], figures[name])
            old = before.get(key)
            delta = None if old is None or old["suppressed"] else figures["mean"] - old["mean"]
            assert close(row["delta"], delta), (key, "delta")

        summary = CycleSummary.objects.get(cycle=cycle)
        supplier = [
            (row["mean"], key[1])
            for key, row in found.items()
            if key[0] == "department" and key[2] == "supplier" and key[3] == OVERALL and not row["suppressed"]
        ]
        assert summary.weakest_department_id == (min(supplier)[1] if supplier else None)
        assert summary.answers_count == len(rows)
        transaction.set_rollback(True)
