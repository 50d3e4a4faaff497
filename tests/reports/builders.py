"""Helpers for roll-up tests: answers from compact tuples, written in bulk."""

import pandas as pd
from django.db import transaction

from surveys.bulk import write_answers
from surveys.dimensions import SERVICE_DIMENSIONS
from surveys.models import Dimension


def add_answers(cycle, rows) -> int:
    """Write answers given as (respondent, rater department, provider department, dimension slug, score)."""
    ids = dict(Dimension.objects.values_list("slug", "id"))
    frame = pd.DataFrame(
        [
            {
                "cycle_id": cycle.id,
                "respondent": respondent,
                "rater_department_id": rater.id,
                "provider_department_id": provider.id,
                "dimension_id": ids[dimension],
                "score": score,
            }
            for respondent, rater, provider, dimension, score in rows
        ]
    )
    with transaction.atomic():
        return write_answers(frame)


def add_uniform_answers(cycle, count: int, *, score: int = 4) -> int:
    """`count` more answers from Sales to IT on willingness, each from a respondent of its own."""
    from tests.factories import DepartmentFactory

    rater, provider = DepartmentFactory(name="Sales"), DepartmentFactory(name="IT")
    start = cycle.answers.count()
    return add_answers(cycle, [(start + i + 1, rater, provider, "willingness", score) for i in range(count)])


def full_survey(respondent, rater, provider, scores, expectation=None):
    """One respondent's answers for one provider: a score per service dimension (or one for all)."""
    if isinstance(scores, int):
        scores = [scores] * len(SERVICE_DIMENSIONS)
    rows = [(respondent, rater, provider, slug, score) for slug, score in zip(SERVICE_DIMENSIONS, scores, strict=True)]
    if expectation is not None:
        rows.append((respondent, rater, provider, "expectation", expectation))
    return rows
