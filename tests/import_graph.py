"""The project's imports as written, read with `ast` (imports inside functions included), for the
tests that keep the direction of dependency (tests/test_dependencies.py, tests/reports/test_import_graph.py)."""

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "accounts",
    "surveys",
    "reports",
    "hr",
    "invitations",
    "actions",
    "api",
    "chainsurvey",
)  # the project's code


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # what it names: a module, or a module's attribute ("reports.runs.rollup_request")
    base: str  # the module written after `from` (the target itself for `import x`)
    line: int
    in_function: bool

    @property
    def app(self) -> str:
        return self.target.split(".")[0]

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports_of(name: str, path: Path) -> list[Import]:
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []

    def visit(node, in_function: bool):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, node.module] if node.module else parent)
            found.extend(Import(name, f"{base}.{alias.name}", base, node.lineno, in_function) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend(Import(name, alias.name, alias.name, node.lineno, in_function) for alias in node.names)
        inside = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(ast.parse(path.read_text(), filename=str(path)), False)
    return found


@cache
def project_imports() -> dict[str, tuple[Import, ...]]:
    """Every module of the project (migrations included) and the imports it makes."""
    return {
        module_name(path): tuple(_imports_of(module_name(path), path))
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def module_graph(package: str, *, migrations: bool = False) -> dict[str, set[str]]:
    """The modules of `package` and which of them each imports (the longest module a name starts with)."""
    imports = {
        name: found
        for name, found in project_imports().items()
        if (name == package or name.startswith(f"{package}.")) and (migrations or ".migrations" not in name)
    }
    known = set(imports)

    def module_of(target: str) -> str | None:
        parts = target.split(".")
        for end in range(len(parts), 0, -1):
            if ".".join(parts[:end]) in known:
                return ".".join(parts[:end])
        return None

    # `from . import x` runs the package too: the base counts as well as the name.
    return {
        name: ({module_of(i.target) for i in found} | {module_of(i.base) for i in found}) - {None, name}
        for name, found in imports.items()
    }


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
