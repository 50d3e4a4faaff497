"""differencing.Raters: exact distinct-rater counts, per rater department or over the whole company."""

import itertools
import random

import numpy as np

from reports.differencing import DIMENSION_COUNT, Raters


def people(rows):
    """rows: (rater department, provider, respondent, mask, expectation answered)."""
    columns = list(zip(*rows, strict=True))
    return {
        "rater": np.array(columns[0]),
        "provider": np.array(columns[1]),
        "respondent": np.array(columns[2]),
        "mask": np.array(columns[3]),
        "expectation": np.array(columns[4], dtype=bool),
    }


def brute_force(rows, pieces) -> int:
    """Distinct respondents who gave any of the pieces (score: rater, provider, dimension; expectation:
    rater, provider)."""
    found = set()
    for rater, provider, respondent, mask, expected in rows:
        for piece in pieces:
            if piece[:2] != (rater, provider):
                continue
            if (len(piece) == 3 and mask >> piece[2] & 1) or (len(piece) == 2 and expected):
                found.add(respondent)
    return len(found)


def random_rows(rng: random.Random, *, shared_keys: bool):
    rows = []
    for respondent in range(1, 40):
        home = rng.randrange(3)
        for provider in rng.sample(range(4), rng.randint(1, 3)):
            rater = rng.randrange(3) if shared_keys else home  # one person under two departments
            rows.append((rater, provider, respondent, rng.randrange(1, 1 << DIMENSION_COUNT), rng.random() < 0.7))
    # one set per (rater, provider, respondent), as the roll-up's scan gives them
    return list({row[:3]: row for row in rows}.values())


def test_counts_are_exact_per_department_and_across_shared_keys():
    rng = random.Random(7)
    for shared in (False, True):
        rows = random_rows(rng, shared_keys=shared)
        raters = Raters(masks={"rater": [], "provider": [], "mask": [], "respondents": []}, people=people(rows))
        all_pieces = [(r, p, d) for r, p in itertools.product(range(3), range(4)) for d in range(DIMENSION_COUNT)]
        all_pieces += [(r, p) for r, p in itertools.product(range(3), range(4))]
        for _ in range(300):
            pieces = rng.sample(all_pieces, rng.randint(1, 12))
            expected = brute_force(rows, pieces)
            assert raters.count(pieces) == expected
            for minimum in (1, 3, 5, 10, 40):
                assert raters.below(pieces, minimum) == (expected < minimum)
