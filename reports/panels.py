"""What apps above reports add to its pages, without reports importing them.

An app (actions: commitments and their verdicts) registers a `Panel` in its `AppConfig.ready`. A
report page asks each panel for its part of the page; the page cache key names each panel's
`version`, so that a page is rebuilt as soon as what a panel shows changes.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    name: str
    # What the panel shows changes when this does (one cheap query at most): part of every page key.
    version: Callable[[], str]
    # HTML for the dashboard of a cycle (a `VisibleCycle`), or "".
    dashboard: Callable[..., str]
    # HTML for a department's scorecard page, or "".
    department: Callable[..., str]


_panels: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    _panels[panel.name] = panel


def registered() -> list[Panel]:
    return list(_panels.values())


def versions() -> dict[str, str]:
    return {f"panel-{p.name}": p.version() for p in _panels.values()}


def dashboard_html(*, cycle) -> str:
    return "".join(p.dashboard(cycle=cycle) for p in _panels.values())


def department_html(*, cycle, department_id: int, full: bool) -> str:
    return "".join(p.department(cycle=cycle, department_id=department_id, full=full) for p in _panels.values())
