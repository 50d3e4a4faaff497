"""The roles of the reports modules in its import graph (imports inside functions counted too):
the roll-up service only computes, `runs` alone sends the roll-up task, and the beat tasks wrap
`runs`. That the graph has no circle is tests/test_dependencies.py's."""

from tests.import_graph import module_graph


def test_only_runs_sends_the_rollup_task_and_the_rollup_service_knows_no_run_bookkeeping():
    graph = module_graph("reports")

    assert not graph["reports.services"] & {"reports.runs", "reports.tasks", "reports.rollup_task"}
    assert {name for name, imported in graph.items() if "reports.rollup_task" in imported} == {
        "reports.runs",
        "reports.tasks",  # registers it with the worker
    }
    assert not graph["reports.rollup_task"] & {"reports.runs", "reports.tasks"}
