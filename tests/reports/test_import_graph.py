"""The reports app's modules import each other without a circle, counting imports made inside
functions too: the roll-up service only computes, `runs` alone sends the roll-up task, and the
beat tasks wrap `runs`."""

import ast
from pathlib import Path

import reports

PACKAGE = Path(reports.__file__).parent


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = ("reports", *path.relative_to(PACKAGE).with_suffix("").parts)
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of `known` that module `name` imports anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, node.module] if node.module else parent)
            found |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return (found & known) - {name}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state, path = [], {}, []

    def visit(module):
        state[module] = "open"
        path.append(module)
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                found.append([*path[path.index(imported) :], imported])
            elif imported not in state:
                visit(imported)
        path.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return found


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_reports_modules_import_each_other_without_a_circle():
    graph = import_graph()
    assert graph["reports.tasks"] >= {"reports.runs", "reports.rollup_task"}  # the graph was read

    assert circles(graph) == []


def test_only_runs_sends_the_rollup_task_and_the_rollup_service_knows_no_run_bookkeeping():
    graph = import_graph()

    assert not graph["reports.services"] & {"reports.runs", "reports.tasks", "reports.rollup_task"}
    assert {name for name, imported in graph.items() if "reports.rollup_task" in imported} == {
        "reports.runs",
        "reports.tasks",  # registers it with the worker
    }
    assert not graph["reports.rollup_task"] & {"reports.runs", "reports.tasks"}
