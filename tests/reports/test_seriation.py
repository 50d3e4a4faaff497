"""reports.seriation: clustered orders that bring weak rows together, from shown figures only."""

import random

from reports.seriation import cluster_order, heatmap_order


def block_company(n=60, weak=15, seed=3):
    rng = random.Random(seed)
    weak_ones = set(rng.sample(range(n), weak))
    matrix = [
        [
            None if rng.random() < 0.2 else (2.4 if i in weak_ones and j in weak_ones else 3.9) + rng.gauss(0, 0.15)
            for j in range(n)
        ]
        for i in range(n)
    ]
    return matrix, weak_ones


def test_a_block_of_weak_links_scattered_by_name_comes_together_first_in_rows_and_columns():
    matrix, weak = block_company()
    order = heatmap_order(matrix)
    assert set(order["rows"][: len(weak)]) == weak
    assert set(order["cols"][: len(weak)]) == weak


def test_every_row_appears_once_and_rows_with_nothing_shown_go_last_in_their_order():
    assert cluster_order([[None, None], [1.0, 2.0], [None, None], [3.0, None]]) == [1, 3, 0, 2]
    assert cluster_order([]) == []
    assert cluster_order([[4.0]]) == [0]


def test_the_order_depends_only_on_the_figures_shown():
    matrix, _ = block_company()
    before = heatmap_order(matrix)
    # Whatever a hidden cell held, it reaches the order as None: the same order.
    assert heatmap_order([[None if v is None else v for v in row] for row in matrix]) == before
    assert heatmap_order(matrix) == before  # deterministic


def test_rows_that_share_no_shown_column_are_still_ordered_weak_first():
    assert cluster_order([[None, 4.5], [2.0, None], [None, 4.4]])[0] == 1
