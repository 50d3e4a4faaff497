"""Property tests: on random cycles, the roll-up (SQL GROUP BYs + pandas) equals a straightforward
reference computation over the raw answers, written here with plain Python loops and sets."""

import math
from collections import defaultdict

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.models import CycleSummary, DepartmentResult, LinkResult
from reports.services import rollup_cycle
from surveys.dimensions import ALL_DIMENSIONS, EXPECTATION, OVERALL
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
        for key in keys:
            if dimension == EXPECTATION:
                expectations[key].append(score)
            else:
                groups[(*key, dimension)].append((respondent_key, score))
                groups[(*key, OVERALL)].append((respondent_key, score))
    result = {}
    for key, answers in groups.items():
        scores = [score for _, score in answers]
        respondents = len({r for r, _ in answers})
        suppressed = respondents < min_group_size
        expected = expectations.get(key[:-1])
        mean = sum(scores) / len(scores)
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
    for key, figures in result.items():
        kind, dimension = key[0], key[-1]
        scope = key[2] if kind == "department" else ("management" if key[1] == key[2] else "supplier")
        if figures["suppressed"]:
            figures["rank"] = None
            continue
        peers = [
            other["mean"]
            for other_key, other in result.items()
            if other_key[0] == kind
            and other_key[-1] == dimension
            and not other["suppressed"]
            and (
                other_key[2] if kind == "department" else ("management" if other_key[1] == other_key[2] else "supplier")
            )
            == scope
        ]
        figures["rank"] = 1 + sum(mean > figures["mean"] for mean in peers)
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

        rollup_cycle(cycle_id=cycle.id)

        expected, expected_before = reference(rows, min_group_size), reference(previous_rows, previous_min)
        found = stored(cycle)
        assert set(found) == set(expected)
        for key, figures in expected.items():
            row = found[key]
            for name in ("suppressed", "respondents", "ratings", "rank"):
                assert row[name] == figures[name], (key, name)
            for name in ("mean", "favorable_pct", "expectation_mean", "gap"):
                assert close(row[name], figures[name]), (key, name, row[name], figures[name])
            old = expected_before.get(key)
            delta = (
                None if old is None or old["mean"] is None or figures["mean"] is None else figures["mean"] - old["mean"]
            )
            assert close(row["delta"], delta), (key, "delta")

        summary = CycleSummary.objects.get(cycle=cycle)
        supplier = [
            (figures["mean"], key[1])
            for key, figures in expected.items()
            if key[0] == "department" and key[2] == "supplier" and key[3] == OVERALL and not figures["suppressed"]
        ]
        assert summary.weakest_department_id == (min(supplier)[1] if supplier else None)
        assert summary.answers_count == len(rows)
        transaction.set_rollback(True)
