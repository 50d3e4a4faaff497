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


def full_survey(respondent, rater, provider, scores, expectation=None, outcome=None):
    """One respondent's answers for one provider: a score per service dimension (or one for all),
    and the expectation and the outcome where given."""
    if isinstance(scores, int):
        scores = [scores] * len(SERVICE_DIMENSIONS)
    rows = [(respondent, rater, provider, slug, score) for slug, score in zip(SERVICE_DIMENSIONS, scores, strict=True)]
    if expectation is not None:
        rows.append((respondent, rater, provider, "expectation", expectation))
    if outcome is not None:
        rows.append((respondent, rater, provider, "outcome", outcome))
    return rows


def aggregate(answers):
    """What the roll-up's SQL GROUP BYs return (cells, link masks), from (respondent, rater,
    provider, dimension, score) tuples or a frame with those columns."""
    import pandas as pd

    raw = pd.DataFrame(answers, columns=["respondent", "rater", "provider", "dimension", "score"])
    raw = raw[raw["dimension"] != "outcome"].copy()  # the outcome is in no scorecard cell (reports.drivers)
    raw["sq"] = raw["score"] ** 2
    raw["fav"] = (raw["score"] >= 4).astype(int)
    cells = (
        raw.groupby(["rater", "provider", "dimension"])
        .agg(n=("score", "size"), total=("score", "sum"), total_sq=("sq", "sum"), favorable=("fav", "sum"))
        .reset_index()
    )
    service = raw[raw["dimension"] != "expectation"]
    bit = service["dimension"].map({slug: 1 << i for i, slug in enumerate(SERVICE_DIMENSIONS)})
    per_person = service.assign(bit=bit).groupby(["rater", "provider", "respondent"], as_index=False)["bit"].sum()
    masks = per_person.groupby(["rater", "provider", "bit"]).size().reset_index(name="respondents")
    return cells, masks.rename(columns={"bit": "mask"})


def company_respondents(answers):
    """Distinct supplier-scope raters per dimension and overall, as the roll-up's SQL counts them."""
    import pandas as pd

    raw = pd.DataFrame(answers, columns=["respondent", "rater", "provider", "dimension", "score"])
    supplier = raw[(raw["rater"] != raw["provider"]) & ~raw["dimension"].isin(["expectation", "outcome"])]
    rows = [
        ("supplier", d, supplier.loc[supplier["dimension"] == d, "respondent"].nunique()) for d in SERVICE_DIMENSIONS
    ]
    rows.append(("supplier", "overall", supplier["respondent"].nunique()))
    return pd.DataFrame(rows, columns=["scope", "dimension", "respondents"])
