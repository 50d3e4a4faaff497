"""Published cycles with snapshots for commitments tests: answers written in bulk, then rolled up."""

import datetime

from django.utils import timezone

from reports.services import rollup_cycle
from surveys.models import Cycle
from tests.reports.builders import add_answers, full_survey

RATERS_PER_DEPARTMENT = 6


def published_cycle(name: str, ratings: dict, *, published_at=None) -> Cycle:
    """A published, rolled-up cycle whose answers are `ratings`: {(rater, provider): score}. Each
    rater department has RATERS_PER_DEPARTMENT respondents; half give `score` on all six
    dimensions, half `score - 1` (at least 1), so every row is shown and has some spread. The
    diagonal (rater == provider) is the department's staff rating their management."""
    now = timezone.now()
    cycle = Cycle.objects.create(
        name=name,
        status=Cycle.Status.PUBLISHED,
        opens_at=now - datetime.timedelta(days=30),
        closed_at=now - datetime.timedelta(days=2),
        published_at=published_at or now - datetime.timedelta(days=1),
    )
    people, rows = {}, []
    for (rater, provider), score in ratings.items():
        first = people.setdefault(rater.id, len(people) * RATERS_PER_DEPARTMENT + 1)
        for i in range(RATERS_PER_DEPARTMENT):
            rows += full_survey(first + i, rater, provider, score if i % 2 else max(1, score - 1), expectation=4)
    add_answers(cycle, rows)
    rollup_cycle(cycle_id=cycle.id)
    return cycle
