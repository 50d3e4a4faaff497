"""Selectors read the snapshot in contract order, with a fixed number of queries."""

import pytest

from reports import selectors
from reports.services import rollup_cycle
from surveys.dimensions import ROW_DIMENSIONS
from tests.factories import CycleFactory, DepartmentFactory
from tests.reports.builders import add_answers, full_survey

pytestmark = pytest.mark.django_db


def test_scorecard_rows_come_by_department_name_supplier_first_and_overall_last(org):
    cycle = CycleFactory(name="2026-Q3", min_group_size=1)
    add_answers(cycle, full_survey(1, org["sales"], org["it"], 4) + full_survey(2, org["sales"], org["sales"], 3))
    add_answers(cycle, full_survey(3, org["it"], org["sales"], 5))
    rollup_cycle(cycle_id=cycle.id)
    keys = [(row.department.name, row.scope, row.dimension) for row in selectors.scorecard_rows(cycle=cycle)]
    assert keys[:7] == [("IT", "supplier", d) for d in ROW_DIMENSIONS]
    assert keys[7:14] == [("Sales", "supplier", d) for d in ROW_DIMENSIONS]
    assert keys[14:] == [("Sales", "management", d) for d in ROW_DIMENSIONS]


def test_the_books_link_matrix_has_a_mean_per_shown_link_none_per_hidden_one_and_no_cell_elsewhere(org):
    cycle = CycleFactory(name="2026-Q3", min_group_size=2)
    add_answers(cycle, full_survey(1, org["sales"], org["it"], 4) + full_survey(2, org["sales"], org["it"], 2))
    add_answers(cycle, full_survey(3, org["it"], org["sales"], 5))
    rollup_cycle(cycle_id=cycle.id)
    matrix = selectors.scorecard_book(cycle_id=cycle.id).matrix
    assert matrix.departments == ["IT", "Sales"]
    # Rows are raters, columns providers: Sales → IT shown, IT → Sales hidden (one rater), no diagonal.
    assert matrix.cells == {(1, 0): 3.0, (0, 1): None}


def _read_all(cycle):
    list(selectors.scorecard_rows(cycle=cycle))
    list(selectors.link_rows(cycle=cycle))
    selectors.weakest(cycle=cycle)


@pytest.mark.parametrize("extra_departments", [0, 8])
def test_reads_take_three_queries_whatever_the_number_of_departments(org, django_assert_num_queries, extra_departments):
    cycle = CycleFactory(name="2026-Q3", min_group_size=1)
    departments = [org["sales"], org["it"], *(DepartmentFactory() for _ in range(extra_departments))]
    rows = []
    for i, rater in enumerate(departments):
        for j, provider in enumerate(departments):
            rows += full_survey(10 * i + j, rater, provider, (i + j) % 5 + 1)
    add_answers(cycle, rows)
    rollup_cycle(cycle_id=cycle.id)
    # scorecard rows + departments (one join), link rows + both departments (joins), summary + its foreign keys.
    with django_assert_num_queries(3):
        _read_all(cycle)


def test_cycle_with_rollup_state_tells_rolled_up_pending_and_missing_in_one_query(org, django_assert_num_queries):
    from reports.models import RollupRun

    done = CycleFactory(name="2026-Q2", min_group_size=1)
    add_answers(done, full_survey(1, org["sales"], org["it"], 4))
    rollup_cycle(cycle_id=done.id)
    pending = CycleFactory(name="2026-Q3")
    RollupRun.objects.create(cycle=pending, state=RollupRun.State.REQUESTED)
    CycleFactory(name="2026-Q4")
    with django_assert_num_queries(3):
        states = {
            name: (found.has_rollup, found.rollup_pending)
            for name in ("2026-Q2", "2026-Q3", "2026-Q4")
            if (found := selectors.cycle_with_rollup_state(name=name))
        }
    assert states == {"2026-Q2": (True, False), "2026-Q3": (False, True), "2026-Q4": (False, False)}
    with django_assert_num_queries(0):
        assert selectors.cycle_with_rollup_state(name="2026-Q3; DROP") is None
    assert selectors.cycle_with_rollup_state(name="2031-Q1") is None


def test_cycles_with_results_lists_only_visible_rolled_up_cycles_newest_first(org):
    from reports.selectors import cycles_with_results
    from reports.services import rollup_cycle
    from surveys.models import Cycle
    from tests.factories import CycleFactory

    published = CycleFactory(name="2026-Q1", status=Cycle.Status.PUBLISHED)
    historical = CycleFactory(name="2026-Q2", status=Cycle.Status.CLOSED, is_historical=True)
    unpublished = CycleFactory(name="2026-Q3", status=Cycle.Status.CLOSED)
    CycleFactory(name="2025-Q4", status=Cycle.Status.PUBLISHED)  # never rolled up
    for cycle in (published, historical, unpublished):
        rollup_cycle(cycle_id=cycle.id)

    assert [c.name for c in cycles_with_results()] == ["2026-Q2", "2026-Q1"]


# ---- Comments: identical ones once, with their count ----


def test_grouped_comments_show_identical_ones_once_with_their_count_most_repeated_first():
    texts = [
        "Quick to answer.",
        "They close tickets as done  before they are.",
        "they close tickets as done before they are.",
        "Quick to answer.",
        "They close tickets as done before they are.",
        "Friendly.",
    ]
    assert selectors.grouped_comments(texts) == [
        selectors.CommentGroup("They close tickets as done  before they are.", 3),
        selectors.CommentGroup("Quick to answer.", 2),
        selectors.CommentGroup("Friendly.", 1),
    ]
    assert selectors.grouped_comments([]) == []


def test_comments_shown_groups_copies_but_counts_every_commenter_for_the_threshold(org, django_assert_num_queries):
    from surveys.models import Comment

    cycle = CycleFactory(name="2026-Q3", min_group_size=5)
    same = "They close tickets as done before they are."
    texts = [same] * 5 + [f"Remark {i}" for i in range(5)]  # 10 commenters: the page's minimum
    Comment.objects.bulk_create(
        Comment(cycle=cycle, rater_department=org["sales"], provider_department=org["it"], text=t) for t in texts
    )
    Comment.objects.create(cycle=cycle, rater_department=org["it"], provider_department=org["it"], text=same)
    with django_assert_num_queries(1):
        shown = selectors.comments_shown(cycle=cycle, department_id=org["it"].id)
    assert shown["supplier"][0] == selectors.CommentGroup(same, 5)
    assert sorted(g.text for g in shown["supplier"][1:]) == [f"Remark {i}" for i in range(5)]
    assert {g.count for g in shown["supplier"][1:]} == {1}
    assert shown["management"] == []  # one commenter: too few, copies of shown words or not
