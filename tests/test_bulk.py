import pandas as pd
import pytest

from surveys.bulk import write_answers
from surveys.models import Answer, Dimension


@pytest.mark.django_db
def test_write_answers_inserts_every_row(org, open_cycle):
    dims = list(Dimension.objects.values_list("id", flat=True))
    frame = pd.DataFrame(
        {
            "cycle_id": open_cycle.id,
            "respondent": [11, 11, 22],
            "rater_department_id": org["sales"].id,
            "provider_department_id": org["it"].id,
            "dimension_id": [dims[0], dims[1], dims[0]],
            "score": [5, 3, 1],
        }
    )
    assert write_answers(frame) == 3
    stored = sorted(Answer.objects.values_list("respondent", "score"))
    assert stored == [(11, 3), (11, 5), (22, 1)]
    assert len(set(Answer.objects.values_list("pk", flat=True))) == 3
