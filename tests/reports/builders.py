"""Helpers for roll-up tests: answers from compact tuples, written in bulk."""

import pandas as pd

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
    return write_answers(frame)


def full_survey(respondent, rater, provider, scores, expectation=None):
    """One respondent's answers for one provider: a score per service dimension (or one for all)."""
    if isinstance(scores, int):
        scores = [scores] * len(SERVICE_DIMENSIONS)
    rows = [(respondent, rater, provider, slug, score) for slug, score in zip(SERVICE_DIMENSIONS, scores, strict=True)]
    if expectation is not None:
        rows.append((respondent, rater, provider, "expectation", expectation))
    return rows
